/**
 * Editor entry: registers the dynamic Live Notifications block. The server renders it (save returns null) so the
 * page always carries the current REST route and nothing secret.
 */
import { registerBlockType, type BlockConfiguration } from '@wordpress/blocks';
import type { LiveNotificationsAttributes } from './attributes.js';
import { Edit } from './edit.js';
import './style.scss';
import './editor.scss';

// Title, category and attributes come from block.json, which PHP registers and WordPress hands to the editor; the
// types still demand them here, hence the cast. The name is a literal (not read from block.json) so the
// scaffolder can rename it in the built file.
registerBlockType< LiveNotificationsAttributes >(
	'wp-realtime/live-notifications',
	{
		edit: Edit,
		save: () => null,
	} as unknown as BlockConfiguration< LiveNotificationsAttributes >
);

/**
 * Editor entry: registers the dynamic Who's Here block. The server renders it (save returns null): only on a
 * singular post or page, only for a logged-in reader of it, with the post's id in the markup.
 */
import { registerBlockType, type BlockConfiguration } from '@wordpress/blocks';
import { Edit, type WhosHereAttributes } from './edit.js';
import './style.scss';

// Title, category and attributes come from block.json (registered by PHP). The name is a literal so the
// scaffolder can rename it in the built file.
registerBlockType< WhosHereAttributes >( 'wp-realtime/whos-here', {
	edit: Edit,
	save: () => null,
} as unknown as BlockConfiguration< WhosHereAttributes > );

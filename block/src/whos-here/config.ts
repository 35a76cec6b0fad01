/**
 * The Who's Here block's configuration as the server renders it into its data attribute, validated: a broken or
 * tampered attribute leaves the block quietly offline instead of throwing into the page.
 */
import { parseTokenPath } from '../client/config.js';

export const WHOS_HERE_ATTRIBUTE = 'data-whos-here';

export interface WhosHereConfig {
	/** REST path of the plugin's token route, e.g. `/acme-live/v1/token`. */
	tokenPath: string;
	/** The post or page being read: its presence channel is `presence-post-<post>`. */
	post: number;
}

export type WhosHereConfigResult =
	{ ok: true; config: WhosHereConfig } | { ok: false; message: string };

export function parseWhosHereConfig(
	raw: string | null
): WhosHereConfigResult {
	let value: unknown;
	try {
		value = JSON.parse( raw ?? '' );
	} catch {
		return { ok: false, message: `${ WHOS_HERE_ATTRIBUTE } is not JSON` };
	}
	if ( typeof value !== 'object' || value === null ) {
		return {
			ok: false,
			message: `${ WHOS_HERE_ATTRIBUTE } is not an object`,
		};
	}
	const { tokenPath, post } = value as Record< string, unknown >;
	const path = parseTokenPath( tokenPath );
	if ( ! path.ok ) {
		return path;
	}
	if (
		typeof post !== 'number' ||
		! Number.isSafeInteger( post ) ||
		post < 1
	) {
		return { ok: false, message: 'post must be a positive integer' };
	}
	return { ok: true, config: { tokenPath: path.tokenPath, post } };
}

/**
 * The token route with the post, so the token lists the post's presence channel (when the viewer may read it).
 * @param config
 */
export function presenceTokenPath( config: WhosHereConfig ): string {
	return `${ config.tokenPath }?post=${ config.post }`;
}

export function presenceChannel( config: WhosHereConfig ): string {
	return `presence-post-${ config.post }`;
}

/**
 * The block's configuration as the server renders it into its data attribute, validated: a broken or tampered
 * attribute leaves the block quietly offline instead of throwing into the page.
 */
export const CONFIG_ATTRIBUTE = 'data-live-notifications';
export const MAX_ITEMS_LIMIT = 50;
export const DEFAULT_MAX_ITEMS = 5;

export interface BlockConfig {
	/** REST path of the plugin's token route, e.g. `/acme-live/v1/token`. */
	tokenPath: string;
	heading: string;
	maxItems: number;
	eventTypes: string[];
	showTime: boolean;
}

export type ConfigResult =
	{ ok: true; config: BlockConfig } | { ok: false; message: string };

export const TOKEN_PATH_PATTERN = /^\/[A-Za-z0-9_.~\/-]+$/;

export type TokenPathResult =
	{ ok: true; tokenPath: string } | { ok: false; message: string };

/**
 * The `tokenPath` of a block's config, the same rule for every block: a REST path only, which wp-api-fetch joins to
 * the site's REST root (api-token.ts); a URL or anything else is refused.
 * @param value The config's `tokenPath`, unchecked.
 */
export function parseTokenPath( value: unknown ): TokenPathResult {
	if ( typeof value !== 'string' || ! TOKEN_PATH_PATTERN.test( value ) ) {
		return {
			ok: false,
			message:
				'tokenPath must be a REST path such as /<plugin-slug>/v1/token',
		};
	}
	return { ok: true, tokenPath: value };
}

export function clampMaxItems( value: unknown ): number {
	const number = typeof value === 'number' ? Math.round( value ) : NaN;
	return Number.isFinite( number )
		? Math.min( MAX_ITEMS_LIMIT, Math.max( 1, number ) )
		: DEFAULT_MAX_ITEMS;
}

export function parseConfig( raw: string | null ): ConfigResult {
	let value: unknown;
	try {
		value = JSON.parse( raw ?? '' );
	} catch {
		return { ok: false, message: `${ CONFIG_ATTRIBUTE } is not JSON` };
	}
	if ( typeof value !== 'object' || value === null ) {
		return { ok: false, message: `${ CONFIG_ATTRIBUTE } is not an object` };
	}
	const { tokenPath, heading, maxItems, eventTypes, showTime } =
		value as Record< string, unknown >;
	const path = parseTokenPath( tokenPath );
	if ( ! path.ok ) {
		return path;
	}
	return {
		ok: true,
		config: {
			tokenPath: path.tokenPath,
			heading: typeof heading === 'string' ? heading : '',
			maxItems: clampMaxItems( maxItems ),
			eventTypes: Array.isArray( eventTypes )
				? eventTypes.filter(
						( type ): type is string =>
							typeof type === 'string' && type !== ''
					)
				: [],
			showTime: showTime !== false,
		},
	};
}

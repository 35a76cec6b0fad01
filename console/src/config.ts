/**
 * What the console page hands the script in its `data-realtime-console` attribute (class-<slug>-console-page.php),
 * checked before use.
 */
import { CHANNEL_PATTERN } from '../../protocol/channels.js';

export const CONFIG_ATTRIBUTE = 'data-realtime-console';

export interface ConsoleConfig {
	slug: string;
	/** e.g. `acme-live/v1`: the plugin's REST namespace. */
	restNamespace: string;
	defaultChannels: string[];
	settingsUrl: string;
	configured: boolean;
}

const SLUG = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
const REST_NAMESPACE = /^[a-z0-9-]+\/v\d+$/;

export function parseConsoleConfig(
	text: string | null
): ConsoleConfig | null {
	let value: unknown;
	try {
		value = JSON.parse( text ?? '' );
	} catch {
		return null;
	}
	if ( typeof value !== 'object' || value === null ) {
		return null;
	}
	const { slug, restNamespace, defaultChannels, settingsUrl, configured } =
		value as Record< string, unknown >;
	if (
		typeof slug !== 'string' ||
		! SLUG.test( slug ) ||
		typeof restNamespace !== 'string' ||
		! REST_NAMESPACE.test( restNamespace )
	) {
		return null;
	}
	return {
		slug,
		restNamespace,
		defaultChannels: Array.isArray( defaultChannels )
			? defaultChannels.filter(
					( c ): c is string =>
						typeof c === 'string' && CHANNEL_PATTERN.test( c )
				)
			: [ 'public' ],
		settingsUrl: typeof settingsUrl === 'string' ? settingsUrl : '',
		configured: configured === true,
	};
}

/**
 * Channel names typed into one field, separated by commas or spaces; empty entries and repeats dropped.
 *
 * @param text What was typed.
 */
export function splitChannels( text: string ): string[] {
	return [
		...new Set(
			text
				.split( /[\s,]+/ )
				.map( ( c ) => c.trim() )
				.filter( ( c ) => c !== '' )
		),
	];
}

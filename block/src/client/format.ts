/**
 * What one list item says, derived from an event without trusting it: text only (the caller assigns it with
 * textContent), links only to http(s) URLs, bounded lengths.
 */
import type { LiveEvent } from './envelope.js';

export const MAX_TITLE_LENGTH = 200;

export interface ItemView {
	title: string;
	/** An absolute http(s) URL, or null when the event has none that is safe to link. */
	url: string | null;
	/** ISO 8601 for the datetime attribute, or null when the event's time is not a date. */
	isoTime: string | null;
}

/**
 * An absolute http:// or https:// URL as a string; null for anything else (javascript:, data:, relative, junk).
 *
 * @param value Anything an event carried.
 */
export function safeHttpUrl( value: unknown ): string | null {
	if ( typeof value !== 'string' || value.length > 2048 ) {
		return null;
	}
	let parsed: URL;
	try {
		parsed = new URL( value );
	} catch {
		return null;
	}
	return parsed.protocol === 'http:' || parsed.protocol === 'https:'
		? parsed.href
		: null;
}

function cleanTitle( value: unknown ): string {
	if ( typeof value !== 'string' ) {
		return '';
	}
	// Control characters are stripped only for display; the text still goes through textContent.
	const text = value.replace( /[\u0000-\u001f\u007f]+/g, ' ' ).trim();
	return text.length > MAX_TITLE_LENGTH
		? `${ text.slice( 0, MAX_TITLE_LENGTH - 1 ) }…`
		: text;
}

export function describeEvent( event: LiveEvent ): ItemView {
	const time = Date.parse( event.time );
	return {
		// An event without a title often carries a message (the settings page's test event does): show it rather
		// than only the type.
		title:
			cleanTitle( event.data.title ) ||
			cleanTitle( event.data.message ) ||
			event.type,
		url: safeHttpUrl( event.data.url ),
		isoTime: Number.isNaN( time ) ? null : new Date( time ).toISOString(),
	};
}

/**
 * The time of day in the visitor's locale.
 *
 * @param isoTime ISO 8601.
 * @param locale  A BCP 47 tag; the browser's own when omitted.
 */
export function formatTime( isoTime: string, locale?: string ): string {
	return new Date( isoTime ).toLocaleTimeString( locale, {
		hour: '2-digit',
		minute: '2-digit',
	} );
}

/** The block's attributes as block.json declares them. */
// A type alias, not an interface: registerBlockType wants a Record< string, unknown >.
export type LiveNotificationsAttributes = {
	heading: string;
	maxItems: number;
	eventTypes: string[];
	showTime: boolean;
};

/** An event type as the relay accepts it, optionally ending in `*` to match a prefix. */
const EVENT_TYPE_FILTER_PATTERN = /^[a-z0-9][a-z0-9_.:-]{0,63}\*?$|^\*$/;

/**
 * Editor input for the event-type filter: trimmed, lower-cased, valid, unique.
 *
 * @param tokens What the token field holds.
 */
export function normalizeEventTypes(
	tokens: ReadonlyArray< string | { value: string } >
): string[] {
	const types = tokens
		.map( ( token ) =>
			( typeof token === 'string' ? token : token.value )
				.trim()
				.toLowerCase()
		)
		.filter( ( type ) => EVENT_TYPE_FILTER_PATTERN.test( type ) );
	return [ ...new Set( types ) ];
}

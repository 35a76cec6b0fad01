/**
 * The event envelope the relay sends as `custom_event`, checked at the boundary: the browser trusts nothing it is
 * sent. The id rule mirrors protocol/event.ts (a test proves they agree); importing it would pull zod into the
 * front-end bundle.
 */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface LiveEvent {
	id: string;
	channel: string;
	type: string;
	data: Record< string, unknown >;
	/** ISO 8601, set by the relay on ingest. */
	time: string;
}

function isPlainObject( value: unknown ): value is Record< string, unknown > {
	return (
		typeof value === 'object' && value !== null && ! Array.isArray( value )
	);
}

/**
 * Returns the envelope when it has the contract's shape, otherwise null (the caller drops it).
 *
 * @param value What arrived as `custom_event`.
 */
export function parseEnvelope( value: unknown ): LiveEvent | null {
	if ( ! isPlainObject( value ) ) {
		return null;
	}
	const { id, channel, type, data, time } = value;
	if ( typeof id !== 'string' || ! EVENT_ID_PATTERN.test( id ) ) {
		return null;
	}
	if (
		typeof channel !== 'string' ||
		typeof type !== 'string' ||
		type === ''
	) {
		return null;
	}
	if ( typeof time !== 'string' ) {
		return null;
	}
	return {
		id,
		channel,
		type,
		data: isPlainObject( data ) ? data : {},
		time,
	};
}

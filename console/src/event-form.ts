/**
 * The publish form's checks, made before anything is sent so a mistake is shown next to its field. They are the
 * relay's rules (channel names and data shape come from protocol/, shared with the relay; the type pattern mirrors
 * protocol/event.ts, which would pull zod into the bundle, and a test proves they agree). The plugin checks the
 * same event again with its own validator and publish policy: this is only the early answer. Problems are codes;
 * the page words them (messages.ts).
 */
import { CHANNEL_PATTERN } from '../../protocol/channels.js';
import {
	checkDataShape,
	type DataShapeFailure,
} from '../../protocol/data-shape.js';

export const EVENT_TYPE_PATTERN = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;

export interface EventFormInput {
	channel: string;
	type: string;
	/** The JSON text typed into the data field; empty means `{}`. */
	data: string;
}

export interface EventToPublish {
	channel: string;
	type: string;
	data: Record< string, unknown >;
}

export type DataProblemCode =
	'invalid_json' | 'not_an_object' | DataShapeFailure;

export interface DataProblem {
	code: DataProblemCode;
	/** The parser's own words for invalid_json; the path (`data.a[3]`) for the shape rules. */
	detail: string;
}

export interface EventFormErrors {
	channel?: 'invalid_channel';
	type?: 'invalid_type';
	data?: DataProblem;
}

export type EventFormResult =
	| { ok: true; event: EventToPublish }
	| { ok: false; errors: EventFormErrors };

type ParsedData =
	| { ok: true; data: Record< string, unknown > }
	| { ok: false; problem: DataProblem };

function parseData( text: string ): ParsedData {
	if ( text.trim() === '' ) {
		return { ok: true, data: {} };
	}
	let data: unknown;
	try {
		data = JSON.parse( text );
	} catch ( error ) {
		return {
			ok: false,
			problem: {
				code: 'invalid_json',
				detail: ( error as Error ).message,
			},
		};
	}
	if ( typeof data !== 'object' || data === null || Array.isArray( data ) ) {
		return { ok: false, problem: { code: 'not_an_object', detail: '' } };
	}
	const shape = checkDataShape( data );
	if ( shape !== null ) {
		return {
			ok: false,
			problem: { code: shape.reason, detail: `data${ shape.path }` },
		};
	}
	return { ok: true, data: data as Record< string, unknown > };
}

export function validateEventForm( input: EventFormInput ): EventFormResult {
	const errors: EventFormErrors = {};
	const channel = input.channel.trim();
	const type = input.type.trim();
	if ( ! CHANNEL_PATTERN.test( channel ) ) {
		errors.channel = 'invalid_channel';
	}
	if ( ! EVENT_TYPE_PATTERN.test( type ) ) {
		errors.type = 'invalid_type';
	}
	const parsed = parseData( input.data );
	if ( ! parsed.ok ) {
		errors.data = parsed.problem;
	}
	if ( ! parsed.ok || errors.channel || errors.type ) {
		return { ok: false, errors };
	}
	return { ok: true, event: { channel, type, data: parsed.data } };
}

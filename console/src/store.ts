/**
 * The console's shared state in a @wordpress/data store: the live stream (events, pause, filters, connection) and
 * the relay-health samples behind the chart. The stream panel writes events, the filters and the chart read them;
 * the store keeps them consistent without prop threading. Registered under `<slug>/console`, so two generated
 * plugins on one site never share a store.
 */
import { createReduxStore, register } from '@wordpress/data';
import type { ConnectionState } from '../../block/src/client/connection.js';
import type { LiveEvent } from '../../block/src/client/envelope.js';
import { addSample, type HealthSample } from './metrics.js';

/** Events kept in the list (newest first); older ones fall off. */
export const MAX_EVENTS = 200;

export interface StreamState {
	connection: ConnectionState;
	channels: string[];
	events: LiveEvent[];
	paused: boolean;
	/** Events that arrived while paused, shown on resume. */
	held: LiveEvent[];
	filterChannel: string;
	filterType: string;
	samples: HealthSample[];
}

type Action =
	| { type: 'RECEIVE_EVENT'; event: LiveEvent }
	| { type: 'SET_CONNECTION'; connection: ConnectionState }
	| { type: 'SET_CHANNELS'; channels: string[] }
	| { type: 'SET_PAUSED'; paused: boolean }
	| { type: 'SET_FILTER'; channel: string; eventType: string }
	| { type: 'CLEAR_EVENTS' }
	| { type: 'ADD_SAMPLE'; sample: HealthSample };

function prepend(
	list: readonly LiveEvent[],
	events: readonly LiveEvent[]
): LiveEvent[] {
	const seen = new Set( list.map( ( e ) => e.id ) );
	const fresh = events.filter( ( e ) => ! seen.has( e.id ) ).reverse();
	return [ ...fresh, ...list ].slice( 0, MAX_EVENTS );
}

export function initialState( channels: string[] ): StreamState {
	return {
		connection: 'connecting',
		channels,
		events: [],
		paused: false,
		held: [],
		filterChannel: '',
		filterType: '',
		samples: [],
	};
}

export function reducer( state: StreamState, action: Action ): StreamState {
	switch ( action.type ) {
		case 'RECEIVE_EVENT':
			if (
				state.events.some( ( e ) => e.id === action.event.id ) ||
				state.held.some( ( e ) => e.id === action.event.id )
			) {
				return state;
			}
			return state.paused
				? {
						...state,
						held: [ ...state.held, action.event ].slice(
							-MAX_EVENTS
						),
					}
				: {
						...state,
						events: prepend( state.events, [ action.event ] ),
					};
		case 'SET_CONNECTION':
			return { ...state, connection: action.connection };
		case 'SET_CHANNELS':
			return { ...state, channels: action.channels };
		case 'SET_PAUSED':
			if ( action.paused ) {
				return { ...state, paused: true };
			}
			return {
				...state,
				paused: false,
				held: [],
				events: prepend( state.events, state.held ),
			};
		case 'SET_FILTER':
			return {
				...state,
				filterChannel: action.channel,
				filterType: action.eventType,
			};
		case 'CLEAR_EVENTS':
			return { ...state, events: [], held: [] };
		case 'ADD_SAMPLE':
			return {
				...state,
				samples: addSample( state.samples, action.sample ),
			};
	}
	return state;
}

/**
 * Whether an event passes the filters: the channel exactly, the type as a prefix (`order.` matches `order.shipped`).
 *
 * @param event      The event.
 * @param channel    Channel filter; '' lets every channel through.
 * @param typePrefix Type filter; '' lets every type through.
 */
export function matchesFilter(
	event: LiveEvent,
	channel: string,
	typePrefix: string
): boolean {
	return (
		( channel === '' || event.channel === channel ) &&
		event.type.startsWith( typePrefix.trim() )
	);
}

export const actions = {
	receiveEvent: ( event: LiveEvent ): Action => ( {
		type: 'RECEIVE_EVENT',
		event,
	} ),
	setConnection: ( connection: ConnectionState ): Action => ( {
		type: 'SET_CONNECTION',
		connection,
	} ),
	setChannels: ( channels: string[] ): Action => ( {
		type: 'SET_CHANNELS',
		channels,
	} ),
	setPaused: ( paused: boolean ): Action => ( {
		type: 'SET_PAUSED',
		paused,
	} ),
	setFilter: ( channel: string, eventType: string ): Action => ( {
		type: 'SET_FILTER',
		channel,
		eventType,
	} ),
	clearEvents: (): Action => ( { type: 'CLEAR_EVENTS' } ),
	addSample: ( sample: HealthSample ): Action => ( {
		type: 'ADD_SAMPLE',
		sample,
	} ),
};

// One selector: derived lists are computed by the components with useMemo, since a selector returning a new array
// on every call makes useSelect re-render on every store change.
export const selectors = {
	getState: ( state: StreamState ) => state,
};

export function visibleEvents( state: StreamState ): LiveEvent[] {
	return state.events.filter( ( e ) =>
		matchesFilter( e, state.filterChannel, state.filterType )
	);
}

export function seenChannels( state: StreamState ): string[] {
	return [
		...new Set( [
			...state.channels,
			...state.events.map( ( e ) => e.channel ),
		] ),
	];
}

export function createConsoleStore( name: string, channels: string[] ) {
	const store = createReduxStore( name, {
		reducer: ( state: StreamState | undefined, action: Action ) =>
			reducer( state ?? initialState( channels ), action ),
		actions,
		selectors,
	} );
	register( store );
	return store;
}

export type ConsoleStore = ReturnType< typeof createConsoleStore >;

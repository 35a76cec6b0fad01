/**
 * One presence channel over the shared connection (connection.ts): fetches a token that must list the channel,
 * keeps a PresenceList from the relay's presence events, and says after each event who is there and what changed.
 * Losing the connection empties the list (nobody is known to be there); the `presence_state` after every reconnect
 * fills it again. No DOM, so it runs unchanged against a real relay in Node tests.
 */
import {
	type ConnectionState,
	connectFeed,
	type FeedConnection,
} from './connection.js';
import {
	type Member,
	type PresenceChange,
	PresenceList,
	tokenSubject,
} from './presence.js';
import type { TokenResponse } from './token-response.js';

export interface PresenceConnectionOptions {
	channel: string;
	fetchToken: () => Promise< TokenResponse >;
	/** The list (viewer first) after each change, the viewer's id, and the change itself. */
	onChange: (
		members: Member[],
		selfId: string | null,
		change: PresenceChange
	) => void;
	onState: ( state: ConnectionState ) => void;
	debug?: ( message: string, detail?: unknown ) => void;
	/** socket.io's own backoff (tests use short ones). */
	reconnectionDelay?: number;
	reconnectionDelayMax?: number;
}

export function connectPresence(
	options: PresenceConnectionOptions
): FeedConnection {
	const { channel } = options;
	let presence = new PresenceList( channel, null );
	const report = ( change: PresenceChange ): void =>
		options.onChange( presence.list(), presence.selfId, change );
	return connectFeed( {
		fetchToken: async () => {
			const token = await options.fetchToken();
			if ( ! token.channels.includes( channel ) ) {
				// The route left the channel out: this viewer may not read the post (or is not logged in).
				throw new Error( `the token does not list ${ channel }` );
			}
			if ( presence.selfId === null ) {
				presence = new PresenceList(
					channel,
					tokenSubject( token.token )
				);
			}
			return token;
		},
		// Events on the token's other channels are the Live Notifications block's business.
		onEvent: () => {},
		onState: ( state ) => {
			if ( state !== 'live' ) {
				presence.clear();
			}
			options.onState( state );
		},
		relayEvents: {
			presence_state: ( payload ) => report( presence.reset( payload ) ),
			member_added: ( payload ) => report( presence.add( payload ) ),
			member_removed: ( payload ) => report( presence.remove( payload ) ),
		},
		// A viewer is in presence only with a token listing the channel: no anonymous fallback after a logout.
		requireToken: true,
		debug: options.debug,
		reconnectionDelay: options.reconnectionDelay,
		reconnectionDelayMax: options.reconnectionDelayMax,
	} );
}

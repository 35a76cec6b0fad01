/**
 * Front-end entry of the Who's Here block: connects with the same connection and token code as Live Notifications
 * (client/connection.ts, client/api-token.ts), asking the token route for the post's presence channel, and shows
 * the relay's presence events. Any failure leaves the block quietly offline; nothing is thrown into the page.
 */
import { fetchToken } from '../client/api-token.js';
import { connectFeed } from '../client/connection.js';
import { PresenceList, tokenSubject } from '../client/presence.js';
import {
	parseWhosHereConfig,
	presenceChannel,
	presenceTokenPath,
	WHOS_HERE_ATTRIBUTE,
} from './config.js';
import { createWhosHereView, WHOS_HERE_STATE_ATTRIBUTE } from './render.js';

function debug( message: string, detail?: unknown ): void {
	// eslint-disable-next-line no-console
	console.debug( message, detail );
}

function initBlock( root: HTMLElement ): void {
	const view = createWhosHereView( root );
	view.setState( 'connecting' );
	const parsed = parseWhosHereConfig(
		root.getAttribute( WHOS_HERE_ATTRIBUTE )
	);
	if ( ! parsed.ok ) {
		debug( `who's here: ${ parsed.message }` );
		view.setState( 'offline' );
		return;
	}
	const channel = presenceChannel( parsed.config );
	let presence = new PresenceList( channel, null );
	const redraw = ( change: ReturnType< PresenceList[ 'reset' ] > ) =>
		view.show( presence.list(), presence.selfId, change );
	connectFeed( {
		fetchToken: async () => {
			const token = await fetchToken(
				presenceTokenPath( parsed.config )
			);
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
			view.setState( state );
		},
		relayEvents: {
			presence_state: ( payload ) => redraw( presence.reset( payload ) ),
			member_added: ( payload ) => redraw( presence.add( payload ) ),
			member_removed: ( payload ) => redraw( presence.remove( payload ) ),
		},
		debug,
	} );
}

function initAll(): void {
	document
		.querySelectorAll< HTMLElement >( `[${ WHOS_HERE_ATTRIBUTE }]` )
		.forEach( ( root ) => {
			if ( root.hasAttribute( WHOS_HERE_STATE_ATTRIBUTE ) ) {
				return;
			}
			try {
				initBlock( root );
			} catch ( error ) {
				debug( "who's here: block failed to start", error );
				root.setAttribute( WHOS_HERE_STATE_ATTRIBUTE, 'offline' );
			}
		} );
}

// WordPress 6.1 prints block view scripts in the head, so wait for the markup.
if ( document.readyState === 'loading' ) {
	document.addEventListener( 'DOMContentLoaded', initAll );
} else {
	initAll();
}

/**
 * Front-end entry of the Live Notifications block: wires every block on the page to the relay. Any failure leaves
 * that block quietly offline; nothing is thrown into the page.
 */
import { fetchToken } from './client/api-token.js';
import { CONFIG_ATTRIBUTE, parseConfig } from './client/config.js';
import { connectFeed } from './client/connection.js';
import { Feed } from './client/feed.js';
import { createBlockView, STATE_ATTRIBUTE } from './client/render.js';
import {
	createReplayStore,
	replayKey,
	sessionStorageOrNull,
} from './client/replay-store.js';

function debug( message: string, detail?: unknown ): void {
	// eslint-disable-next-line no-console
	console.debug( message, detail );
}

function initBlock( root: HTMLElement, index: number ): void {
	const parsed = parseConfig( root.getAttribute( CONFIG_ATTRIBUTE ) );
	const view = createBlockView(
		root,
		parsed.ok ? parsed.config : { maxItems: 1, showTime: false }
	);
	view.setState( 'connecting' );
	if ( ! parsed.ok ) {
		debug( `live notifications: ${ parsed.message }` );
		view.setState( 'offline' );
		return;
	}
	const { config } = parsed;
	const feed = new Feed( config );
	const store = createReplayStore(
		sessionStorageOrNull(),
		replayKey( window.location.pathname, index )
	);
	connectFeed( {
		fetchToken: () => fetchToken( config.tokenPath ),
		initialLastEventId: store.read(),
		onEvent( event ) {
			store.write( event.id );
			if ( feed.accept( event ) ) {
				view.prepend( event );
			}
		},
		onState: ( state ) => view.setState( state ),
		onReplayGap: ( id ) =>
			debug(
				`live notifications: events after ${ id } are no longer kept`
			),
		debug,
	} );
}

function initAll(): void {
	const blocks = document.querySelectorAll< HTMLElement >(
		`[${ CONFIG_ATTRIBUTE }]`
	);
	blocks.forEach( ( root, index ) => {
		if ( root.hasAttribute( STATE_ATTRIBUTE ) ) {
			return;
		}
		try {
			initBlock( root, index );
		} catch ( error ) {
			debug( 'live notifications: block failed to start', error );
			root.setAttribute( STATE_ATTRIBUTE, 'offline' );
		}
	} );
}

// WordPress 6.1 prints block view scripts in the head, so wait for the markup.
if ( document.readyState === 'loading' ) {
	document.addEventListener( 'DOMContentLoaded', initAll );
} else {
	initAll();
}

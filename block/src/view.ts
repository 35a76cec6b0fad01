/**
 * Front-end entry of the Live Notifications block: wires every block on the page to the relay. Any failure leaves
 * that block quietly offline; nothing is thrown into the page.
 */
import { fetchToken } from './client/api-token.js';
import { CONFIG_ATTRIBUTE, parseConfig } from './client/config.js';
import { connectFeed } from './client/connection.js';
import { debug } from './client/debug.js';
import { Feed } from './client/feed.js';
import { mountBlocks } from './client/mount-blocks.js';
import { createBlockView, STATE_ATTRIBUTE } from './client/render.js';
import {
	createReplayStore,
	replayKey,
	sessionStorageOrNull,
} from './client/replay-store.js';

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

mountBlocks( {
	configAttribute: CONFIG_ATTRIBUTE,
	stateAttribute: STATE_ATTRIBUTE,
	label: 'live notifications',
	mount: initBlock,
} );

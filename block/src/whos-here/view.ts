/**
 * Front-end entry of the Who's Here block: connects with the same connection and token code as Live Notifications
 * (client/connection.ts through client/presence-connection.ts, client/api-token.ts), asking the token route for the
 * post's presence channel, and shows who is there. Any failure leaves the block quietly offline; nothing is thrown
 * into the page.
 */
import { fetchToken } from '../client/api-token.js';
import { debug } from '../client/debug.js';
import { mountBlocks } from '../client/mount-blocks.js';
import { connectPresence } from '../client/presence-connection.js';
import {
	parseWhosHereConfig,
	presenceChannel,
	presenceTokenPath,
	WHOS_HERE_ATTRIBUTE,
} from './config.js';
import { createWhosHereView, WHOS_HERE_STATE_ATTRIBUTE } from './render.js';

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
	connectPresence( {
		channel: presenceChannel( parsed.config ),
		fetchToken: () => fetchToken( presenceTokenPath( parsed.config ) ),
		onChange: ( members, selfId, change ) =>
			view.show( members, selfId, change ),
		onState: ( state ) => view.setState( state ),
		debug,
	} );
}

mountBlocks( {
	configAttribute: WHOS_HERE_ATTRIBUTE,
	stateAttribute: WHOS_HERE_STATE_ATTRIBUTE,
	label: "who's here",
	mount: initBlock,
} );

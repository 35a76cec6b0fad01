/**
 * The block's DOM on the front end. Event content only ever goes through textContent and checked URLs.
 */
import { __ } from '@wordpress/i18n';
import type { ConnectionState } from './connection.js';
import type { LiveEvent } from './envelope.js';
import { blockPart } from './dom-part.js';
import { describeEvent, formatTime } from './format.js';

/** The block's class (get_block_wrapper_attributes); the scaffolder renames it with the block's namespace. */
export const BLOCK_CLASS = 'wp-block-wp-realtime-live-notifications';
/** Set once a block is initialised; its value is the connection state (styles key on it). */
export const STATE_ATTRIBUTE = 'data-live-notifications-state';

export interface BlockView {
	setState: ( state: ConnectionState ) => void;
	/** Adds the newest event at the top and drops what is past maxItems. */
	prepend: ( event: LiveEvent ) => void;
}

function stateLabel( state: ConnectionState ): string {
	switch ( state ) {
		case 'connecting':
			return __( 'Connecting…', 'wp-realtime' );
		case 'live':
			return __( 'Live', 'wp-realtime' );
		case 'offline':
			return __( 'Offline', 'wp-realtime' );
	}
}

function renderItem( event: LiveEvent, showTime: boolean ): HTMLLIElement {
	const view = describeEvent( event );
	const item = document.createElement( 'li' );
	item.className = `${ BLOCK_CLASS }__item`;
	item.dataset.eventType = event.type;
	const title = document.createElement( view.url === null ? 'span' : 'a' );
	title.className = `${ BLOCK_CLASS }__title`;
	title.textContent = view.title;
	if ( view.url !== null ) {
		title.setAttribute( 'href', view.url );
	}
	item.append( title );
	if ( showTime && view.isoTime !== null ) {
		const time = document.createElement( 'time' );
		time.className = `${ BLOCK_CLASS }__time`;
		time.dateTime = view.isoTime;
		time.textContent = formatTime( view.isoTime );
		item.append( ' ', time );
	}
	return item;
}

export function createBlockView(
	root: HTMLElement,
	{ maxItems, showTime }: { maxItems: number; showTime: boolean }
): BlockView {
	const status = blockPart( root, BLOCK_CLASS, 'p', 'status' );
	const list = blockPart( root, BLOCK_CLASS, 'ul', 'list' );
	list.setAttribute( 'aria-live', 'polite' );
	return {
		setState( state ) {
			root.setAttribute( STATE_ATTRIBUTE, state );
			status.textContent = stateLabel( state );
		},
		prepend( event ) {
			list.prepend( renderItem( event, showTime ) );
			while ( list.children.length > maxItems ) {
				list.lastElementChild?.remove();
			}
		},
	};
}

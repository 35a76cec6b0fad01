/**
 * The block's DOM on the front end. Event content only ever goes through textContent and checked URLs.
 */
import { __ } from '@wordpress/i18n';
import type { ConnectionState } from './connection.js';
import type { LiveEvent } from './envelope.js';
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

function part< T extends keyof HTMLElementTagNameMap >(
	root: HTMLElement,
	tag: T,
	name: string
): HTMLElementTagNameMap[ T ] {
	const found = root.querySelector< HTMLElementTagNameMap[ T ] >(
		`${ tag }.${ BLOCK_CLASS }__${ name }`
	);
	if ( found ) {
		return found;
	}
	// Markup changed by a filter or a cache: rebuild the missing part rather than fail.
	const created = document.createElement( tag );
	created.className = `${ BLOCK_CLASS }__${ name }`;
	root.append( created );
	return created;
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
	const status = part( root, 'p', 'status' );
	const list = part( root, 'ul', 'list' );
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

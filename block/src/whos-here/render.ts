/**
 * The Who's Here block's DOM on the front end: a list of avatars and names, an "Only you are here" line, and a
 * polite live region that says who joined or left. Names only ever go through textContent, avatars through
 * checked URLs (presence.ts).
 */
import { __, sprintf } from '@wordpress/i18n';
import type { ConnectionState } from '../client/connection.js';
import { blockPart } from '../client/dom-part.js';
import type { Member, PresenceChange } from '../client/presence.js';

/** The block's class (get_block_wrapper_attributes); the scaffolder renames it with the block's namespace. */
export const WHOS_HERE_CLASS = 'wp-block-wp-realtime-whos-here';
/** Set once a block is initialised; its value is the connection state (styles key on it). */
export const WHOS_HERE_STATE_ATTRIBUTE = 'data-whos-here-state';
/** Past this many, the list ends with "and N more": a popular page must not flood the DOM. */
export const MAX_SHOWN = 50;

export interface WhosHereView {
	setState: ( state: ConnectionState ) => void;
	/** Redraws the list and announces the change (if it is one worth saying). */
	show: (
		members: Member[],
		selfId: string | null,
		change: PresenceChange
	) => void;
}

function renderMember( member: Member, isSelf: boolean ): HTMLLIElement {
	const item = document.createElement( 'li' );
	item.className = `${ WHOS_HERE_CLASS }__member`;
	item.dataset.memberId = member.id;
	if ( member.avatar !== null ) {
		const avatar = document.createElement( 'img' );
		avatar.className = `${ WHOS_HERE_CLASS }__avatar`;
		avatar.src = member.avatar;
		// The name follows as text: the picture adds nothing for a screen reader.
		avatar.alt = '';
		avatar.width = 32;
		avatar.height = 32;
		avatar.loading = 'lazy';
		avatar.referrerPolicy = 'no-referrer';
		item.append( avatar );
	}
	const name = document.createElement( 'span' );
	name.className = `${ WHOS_HERE_CLASS }__name`;
	name.textContent = isSelf
		? /* translators: %s: the viewer's own display name. */
			sprintf( __( '%s (you)', 'wp-realtime' ), member.name )
		: member.name;
	item.append( name );
	return item;
}

function announcement( change: PresenceChange ): string | null {
	switch ( change.kind ) {
		case 'joined':
			return sprintf(
				/* translators: %s: a display name. */
				__( '%s joined', 'wp-realtime' ),
				change.member.name
			);
		case 'left':
			return sprintf(
				/* translators: %s: a display name. */
				__( '%s left', 'wp-realtime' ),
				change.member.name
			);
		default:
			return null;
	}
}

function stateLabel( state: ConnectionState ): string {
	switch ( state ) {
		case 'connecting':
			return __( 'Connecting…', 'wp-realtime' );
		case 'live':
			return '';
		case 'offline':
			return __( 'Offline: reconnecting…', 'wp-realtime' );
	}
}

export function createWhosHereView( root: HTMLElement ): WhosHereView {
	const list = blockPart( root, WHOS_HERE_CLASS, 'ul', 'list' );
	const empty = blockPart( root, WHOS_HERE_CLASS, 'p', 'empty' );
	const status = blockPart( root, WHOS_HERE_CLASS, 'p', 'status' );
	status.setAttribute( 'role', 'status' );
	status.setAttribute( 'aria-live', 'polite' );
	empty.hidden = true;
	return {
		setState( state ) {
			root.setAttribute( WHOS_HERE_STATE_ATTRIBUTE, state );
			if ( state !== 'live' ) {
				// Whoever was listed is no longer known to be here.
				list.replaceChildren();
				empty.hidden = true;
			}
			status.textContent = stateLabel( state );
		},
		show( members, selfId, change ) {
			const shown = members.slice( 0, MAX_SHOWN );
			const items = shown.map( ( member ) =>
				renderMember( member, member.id === selfId )
			);
			if ( members.length > shown.length ) {
				const more = document.createElement( 'li' );
				more.className = `${ WHOS_HERE_CLASS }__more`;
				more.textContent = sprintf(
					/* translators: %d: how many more people are here than the list shows. */
					__( 'and %d more', 'wp-realtime' ),
					members.length - shown.length
				);
				items.push( more );
			}
			list.replaceChildren( ...items );
			empty.hidden = members.some( ( member ) => member.id !== selfId );
			const said = announcement( change );
			if ( said !== null ) {
				status.textContent = said;
			}
		},
	};
}

/**
 * The last event id a block received, kept in sessionStorage so that a reload asks the relay for what it missed.
 * Storage can be missing or throw (privacy modes, sandboxed frames): then replay is simply skipped.
 */
import { EVENT_ID_PATTERN } from './envelope.js';

/** The subset of the Web Storage API used here, so tests can pass a small fake. */
export type KeyValueStorage = Pick< Storage, 'getItem' | 'setItem' >;

export interface ReplayStore {
	read: () => string | undefined;
	write: ( id: string ) => void;
}

/**
 * One key per page and per block on it, so two blocks (or two pages in one tab) never share a position.
 *
 * @param pathname   The page path (location.pathname).
 * @param blockIndex The block's position among the blocks on the page.
 */
export function replayKey( pathname: string, blockIndex: number ): string {
	return `live-notifications:last-event:${ pathname }#${ blockIndex }`;
}

export function createReplayStore(
	storage: KeyValueStorage | null,
	key: string
): ReplayStore {
	return {
		read() {
			try {
				const value = storage?.getItem( key ) ?? null;
				return value !== null && EVENT_ID_PATTERN.test( value )
					? value
					: undefined;
			} catch {
				return undefined;
			}
		},
		write( id ) {
			try {
				storage?.setItem( key, id );
			} catch {
				// A full or blocked storage only costs the replay after a reload.
			}
		},
	};
}

/** window.sessionStorage, or null where merely reading it throws. */
export function sessionStorageOrNull(): KeyValueStorage | null {
	try {
		return window.sessionStorage;
	} catch {
		return null;
	}
}

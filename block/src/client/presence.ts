/**
 * Who is on one presence channel, from the relay's presence events (docs/protocol.md "Presence channels"):
 * `presence_state` replaces the whole list, `member_added` / `member_removed` change one entry. Every payload is
 * validated here, and events for another channel are ignored. No DOM, so it runs unchanged in Node tests.
 */
import { safeHttpUrl } from './format.js';

export interface Member {
	id: string;
	name: string;
	/** A checked http(s) URL, or null when the member has none. */
	avatar: string | null;
}

/** What one event changed, for the live region: who came or went (none for a reset or a no-op). */
export type PresenceChange =
	| { kind: 'joined' | 'left'; member: Member }
	| { kind: 'reset' }
	| { kind: 'none' };

/** The relay bounds names to 100 characters; a longer one is not from the relay. */
const MEMBER_NAME_MAX = 100;
/** The relay's default cap on members per channel; a longer list is not from the relay. */
const MEMBERS_MAX = 1000;

export function parseMember( value: unknown ): Member | null {
	if ( typeof value !== 'object' || value === null ) {
		return null;
	}
	const { id, name, avatar } = value as Record< string, unknown >;
	if ( typeof id !== 'string' || id === '' || id.length > 64 ) {
		return null;
	}
	if (
		typeof name !== 'string' ||
		name === '' ||
		[ ...name ].length > MEMBER_NAME_MAX
	) {
		return null;
	}
	return { id, name, avatar: safeHttpUrl( avatar ) };
}

function payloadFor(
	channel: string,
	payload: unknown
): Record< string, unknown > | null {
	if ( typeof payload !== 'object' || payload === null ) {
		return null;
	}
	const record = payload as Record< string, unknown >;
	return record.channel === channel ? record : null;
}

export class PresenceList {
	private readonly members = new Map< string, Member >();

	/**
	 * @param channel The presence channel, e.g. `presence-post-17`.
	 * @param selfId  The viewer's own user id (the token's `sub`), or null when unknown.
	 */
	constructor(
		readonly channel: string,
		readonly selfId: string | null
	) {}

	/** Members in the order they came (the relay's order for a reset), the viewer first. */
	list(): Member[] {
		const all = [ ...this.members.values() ];
		return [
			...all.filter( ( member ) => member.id === this.selfId ),
			...all.filter( ( member ) => member.id !== this.selfId ),
		];
	}

	/** Whether nobody but the viewer is here. */
	alone(): boolean {
		return this.list().every( ( member ) => member.id === this.selfId );
	}

	/**
	 * `presence_state`: the whole list, replacing what was known (also after every reconnect).
	 * @param payload
	 */
	reset( payload: unknown ): PresenceChange {
		const record = payloadFor( this.channel, payload );
		if ( record === null || ! Array.isArray( record.members ) ) {
			return { kind: 'none' };
		}
		this.members.clear();
		for ( const raw of record.members.slice( 0, MEMBERS_MAX ) ) {
			const member = parseMember( raw );
			if ( member !== null ) {
				this.members.set( member.id, member );
			}
		}
		return { kind: 'reset' };
	}

	/**
	 * `member_added`: one user came (their first tab).
	 * @param payload
	 */
	add( payload: unknown ): PresenceChange {
		const member = parseMember(
			payloadFor( this.channel, payload )?.member
		);
		if ( member === null || this.members.has( member.id ) ) {
			return { kind: 'none' };
		}
		if ( this.members.size >= MEMBERS_MAX ) {
			return { kind: 'none' };
		}
		this.members.set( member.id, member );
		return { kind: 'joined', member };
	}

	/**
	 * `member_removed`: one user left (their last tab closed, or their relay died).
	 * @param payload
	 */
	remove( payload: unknown ): PresenceChange {
		const member = parseMember(
			payloadFor( this.channel, payload )?.member
		);
		const known =
			member === null ? undefined : this.members.get( member.id );
		if ( known === undefined ) {
			return { kind: 'none' };
		}
		this.members.delete( known.id );
		return { kind: 'left', member: known };
	}

	/** Forgets everyone: the connection is gone, so the list is no longer known. */
	clear(): void {
		this.members.clear();
	}
}

/**
 * The `sub` of a relay token (`wprt1.<claims>.<signature>`): who the viewer is. Null when it cannot be read.
 * @param token
 */
export function tokenSubject( token: string ): string | null {
	const claims = token.split( '.' )[ 1 ];
	if ( claims === undefined ) {
		return null;
	}
	try {
		const json = atob( claims.replace( /-/g, '+' ).replace( /_/g, '/' ) );
		const { sub } = JSON.parse( json ) as { sub?: unknown };
		return typeof sub === 'string' ? sub : null;
	} catch {
		return null;
	}
}

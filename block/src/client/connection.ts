/**
 * One block's link to the relay: fetches a token, connects with socket.io, hands over each valid event, keeps the
 * token fresh and reconnects with backoff. It never throws into the page: every failure ends in the quiet
 * "offline" state and a retry. No DOM here, so it runs unchanged against a real relay in Node tests.
 */
import { io, type Socket } from 'socket.io-client';
import { type LiveEvent, parseEnvelope } from './envelope.js';
import type { TokenResponse } from './token-response.js';
import { isStale, refreshDelayMs, retryDelayMs } from './token-refresh.js';

export type ConnectionState = 'connecting' | 'live' | 'offline';

export interface FeedConnectionOptions {
	fetchToken: () => Promise< TokenResponse >;
	/** Sent as lastEventId on the first handshake, e.g. restored after a reload. */
	initialLastEventId?: string;
	onEvent: ( event: LiveEvent ) => void;
	onState: ( state: ConnectionState ) => void;
	/** The relay no longer holds the events after this id; what follows is only what it still has. */
	onReplayGap?: ( lastEventId: string | undefined ) => void;
	debug?: ( message: string, detail?: unknown ) => void;
	/** Overrides when the next token is fetched (tests use short lifetimes). */
	refreshDelay?: ( expiresAt: number, nowMs: number ) => number;
	/** socket.io's own backoff for transport failures. */
	reconnectionDelay?: number;
	reconnectionDelayMax?: number;
	/** How long the relay has to answer `refresh_token`. */
	ackTimeoutMs?: number;
	/**
	 * Handlers of other relay events by name (e.g. the presence events `presence_state`, `member_added`,
	 * `member_removed`): each gets the raw payload to validate, and a handler that throws is logged, never fatal.
	 */
	relayEvents?: Readonly< Record< string, ( payload: unknown ) => void > >;
	/**
	 * Never connect without a token (presence: a tokenless, anonymous connection would show "live" while the viewer
	 * is in no presence channel). When a reconnect finds no token (e.g. revoked at logout, and WordPress now signs
	 * none that lists the channel), the connection stays offline and tries again with backoff.
	 */
	requireToken?: boolean;
}

export type SubscriptionAck =
	| { ok: true; channels: string[] }
	| { ok: false; error: string; message: string };

export interface FeedConnection {
	readonly lastEventId: string | undefined;
	readonly state: ConnectionState;
	/**
	 * Reads more channels (or fewer) at run time. The relay forgets a subscription when the connection ends, so the
	 * list it confirms is sent again in every later handshake: a reconnect restores it.
	 */
	subscribe: ( channels: string[] ) => Promise< SubscriptionAck >;
	unsubscribe: ( channels: string[] ) => Promise< SubscriptionAck >;
	close: () => void;
}

type RefreshAck = SubscriptionAck;

export function connectFeed( options: FeedConnectionOptions ): FeedConnection {
	const debug = options.debug ?? ( () => {} );
	const refreshDelay = options.refreshDelay ?? refreshDelayMs;
	let token: TokenResponse | null = null;
	let socket: Socket | null = null;
	let lastEventId = options.initialLastEventId;
	/** The channels the relay last confirmed after a run-time change; undefined: the token's defaults. */
	let channels: string[] | undefined;
	let state: ConnectionState = 'connecting';
	let closed = false;
	let retryAttempt = 0;
	let retryTimer: ReturnType< typeof setTimeout > | undefined;
	let refreshTimer: ReturnType< typeof setTimeout > | undefined;

	function safely( what: string, action: () => void ): void {
		try {
			action();
		} catch ( error ) {
			debug( `live notifications: ${ what } failed`, error );
		}
	}

	function setState( next: ConnectionState ): void {
		if ( closed || next === state ) {
			return;
		}
		state = next;
		safely( 'state change', () => options.onState( next ) );
	}

	async function currentToken(): Promise< TokenResponse > {
		if ( token === null || isStale( token.expiresAt, Date.now() ) ) {
			token = await options.fetchToken();
		}
		return token;
	}

	function retryLater( action: () => void ): void {
		clearTimeout( retryTimer );
		retryTimer = setTimeout( () => {
			if ( ! closed ) {
				action();
			}
		}, retryDelayMs( retryAttempt++ ) );
	}

	function scheduleRefresh(): void {
		clearTimeout( refreshTimer );
		if ( token !== null && ! closed ) {
			refreshTimer = setTimeout(
				() => void refresh(),
				refreshDelay( token.expiresAt, Date.now() )
			);
		}
	}

	async function refresh(): Promise< void > {
		try {
			token = await options.fetchToken();
		} catch ( error ) {
			debug( 'live notifications: token refresh failed', error );
			refreshTimer = setTimeout(
				() => void refresh(),
				retryDelayMs( 2 )
			);
			return;
		}
		const active = socket;
		if ( closed || active === null || ! active.connected ) {
			return; // The next handshake sends the new token.
		}
		active
			.timeout( options.ackTimeoutMs ?? 5000 )
			.emit(
				'refresh_token',
				{ token: token.token },
				( error: Error | null, ack?: RefreshAck ) => {
					if ( error === null && ack?.ok === true ) {
						// A new token may read fewer channels: the relay dropped those, and so does the next handshake.
						if ( channels !== undefined ) {
							channels = ack.channels;
						}
						scheduleRefresh();
						return;
					}
					debug(
						'live notifications: relay refused the new token',
						error ?? ack
					);
					// The disconnect handler reconnects; the new handshake carries the fresh token and the relay
					// replays what the gap missed.
					active.disconnect();
				}
			);
	}

	function openSocket( relayUrl: string ): Socket {
		const created = io( relayUrl, {
			transports: [ 'websocket' ],
			reconnectionDelay: options.reconnectionDelay ?? 1000,
			reconnectionDelayMax: options.reconnectionDelayMax ?? 30_000,
			randomizationFactor: 0.5,
			// A function, so every reconnect sends a fresh token and the latest event id.
			auth: ( send ) => {
				currentToken().then(
					( fresh ) => send( handshake( fresh.token ) ),
					( error: unknown ) => {
						debug(
							'live notifications: token fetch failed',
							error
						);
						if ( token === null && options.requireToken === true ) {
							// Not sent: the handshake would be anonymous. Abandoned here, retried with backoff.
							created.disconnect();
							setState( 'offline' );
							retryLater( () => created.connect() );
							return;
						}
						// The relay refuses a stale token; that refusal leads to a retry with backoff.
						send( handshake( token?.token ) );
					}
				);
			},
		} );
		created.on( 'connect', () => {
			retryAttempt = 0;
			setState( 'live' );
			scheduleRefresh();
		} );
		created.on( 'connect_error', ( error: Error ) => {
			debug( 'live notifications: cannot connect', error.message );
			setState( 'offline' );
			if ( ! created.active ) {
				// Refused by the relay (not a network failure): the token may be bad, so fetch another.
				token = null;
				retryLater( () => created.connect() );
			}
		} );
		created.on( 'disconnect', ( reason: string ) => {
			clearTimeout( refreshTimer );
			setState( 'offline' );
			if ( ! closed && ! created.active ) {
				retryLater( () => created.connect() );
			}
			debug( 'live notifications: disconnected', reason );
		} );
		created.on( 'token_expired', () => {
			token = null;
		} );
		// The user was cut off (signed out, password changed, deleted): the token will be refused, so the
		// reconnect after the relay's disconnect fetches a new one (anonymous once WordPress no longer signs them in).
		created.on( 'token_revoked', () => {
			token = null;
		} );
		created.on( 'custom_event', ( payload: unknown ) => {
			const event = parseEnvelope( payload );
			if ( event === null ) {
				debug(
					'live notifications: dropped a malformed event',
					payload
				);
				return;
			}
			lastEventId = event.id;
			safely( 'event handler', () => options.onEvent( event ) );
		} );
		for ( const [ name, handler ] of Object.entries(
			options.relayEvents ?? {}
		) ) {
			created.on( name, ( payload: unknown ) =>
				safely( `${ name } handler`, () => handler( payload ) )
			);
		}
		created.on( 'replay_gap', ( payload: unknown ) => {
			const id = ( payload as { lastEventId?: unknown } | null )
				?.lastEventId;
			safely( 'replay gap handler', () =>
				options.onReplayGap?.( typeof id === 'string' ? id : undefined )
			);
		} );
		return created;
	}

	function changeChannels(
		action: 'subscribe' | 'unsubscribe',
		list: string[]
	): Promise< SubscriptionAck > {
		const active = socket;
		if ( closed || active === null || ! active.connected ) {
			return Promise.resolve( {
				ok: false,
				error: 'offline',
				message: 'not connected to the relay; try again once live',
			} );
		}
		return new Promise( ( resolve ) => {
			active
				.timeout( options.ackTimeoutMs ?? 5000 )
				.emit(
					action,
					{ channels: list },
					( error: Error | null, ack?: SubscriptionAck ) => {
						if ( error !== null || ack === undefined ) {
							resolve( {
								ok: false,
								error: 'timeout',
								message: 'the relay did not answer',
							} );
							return;
						}
						if ( ack.ok ) {
							channels = ack.channels;
						}
						resolve( ack );
					}
				);
		} );
	}

	function handshake(
		tokenValue: string | undefined
	): Record< string, string | string[] > {
		const auth: Record< string, string | string[] > = {};
		if ( channels !== undefined ) {
			auth.channels = channels;
		}
		if ( tokenValue !== undefined ) {
			auth.token = tokenValue;
		}
		if ( lastEventId !== undefined ) {
			auth.lastEventId = lastEventId;
		}
		return auth;
	}

	async function start(): Promise< void > {
		try {
			const first = await currentToken();
			if ( ! closed ) {
				socket = openSocket( first.relayUrl );
			}
		} catch ( error ) {
			debug( 'live notifications: token fetch failed', error );
			setState( 'offline' );
			retryLater( () => void start() );
		}
	}

	void start();

	return {
		get lastEventId() {
			return lastEventId;
		},
		get state() {
			return state;
		},
		subscribe: ( list ) => changeChannels( 'subscribe', list ),
		unsubscribe: ( list ) => changeChannels( 'unsubscribe', list ),
		close() {
			closed = true;
			clearTimeout( retryTimer );
			clearTimeout( refreshTimer );
			socket?.disconnect();
		},
	};
}

/**
 * The token inspector's decoding: `wprt1.<base64url(claims JSON)>.<base64url(signature)>` (protocol/token.ts) read
 * in the browser. Decoding proves nothing about who made a token: only the relay (holding the secret) can verify
 * the signature, and the inspector says so. Pure, so vitest checks it against tokens minted by protocol/token.ts.
 */
import { CHANNEL_PATTERN, isPublicChannel } from '../../protocol/channels.js';

export const TOKEN_PREFIX = 'wprt1';
/** The relay's leeway for clock skew when it checks `exp` (protocol/token.ts). */
export const TOKEN_LEEWAY_SECONDS = 2;

export interface TokenClaims {
	sub: string;
	ch: string[];
	iat: number;
	exp: number;
}

export type ChannelKind = 'public' | 'user' | 'role' | 'private';

export interface InspectedChannel {
	name: string;
	kind: ChannelKind;
}

export type TokenInspection =
	| {
			ok: true;
			claims: TokenClaims;
			channels: InspectedChannel[];
			/** Seconds until the relay refuses it; negative once expired. */
			expiresInSeconds: number;
			expired: boolean;
			lifetimeSeconds: number;
	  }
	| { ok: false; problem: TokenProblem };

/** Why a pasted text is no token; the page words each one (messages.ts). */
export type TokenProblem =
	| 'empty'
	| 'not_a_token'
	| 'bad_signature_encoding'
	| 'bad_claims_encoding'
	| 'claims_not_json'
	| 'bad_sub'
	| 'bad_channels'
	| 'bad_times';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function decodeBase64url( text: string ): string | null {
	if ( ! BASE64URL.test( text ) || text.length % 4 === 1 ) {
		return null;
	}
	const base64 =
		text.replace( /-/g, '+' ).replace( /_/g, '/' ) +
		'='.repeat( ( 4 - ( text.length % 4 ) ) % 4 );
	try {
		const binary = atob( base64 );
		const bytes = Uint8Array.from( binary, ( c ) => c.charCodeAt( 0 ) );
		return new TextDecoder( 'utf-8', { fatal: true } ).decode( bytes );
	} catch {
		return null;
	}
}

function isWholeNumber( value: unknown ): value is number {
	return typeof value === 'number' && Number.isSafeInteger( value );
}

export function channelKind( name: string ): ChannelKind {
	if ( isPublicChannel( name ) ) {
		return 'public';
	}
	if ( name.startsWith( 'private-user-' ) ) {
		return 'user';
	}
	return name.startsWith( 'role-' ) ? 'role' : 'private';
}

/**
 * Decodes a pasted token; the problem names what is wrong with it.
 *
 * @param input What was pasted (surrounding whitespace is ignored).
 * @param nowMs The current time in milliseconds.
 */
export function inspectToken( input: string, nowMs: number ): TokenInspection {
	const token = input.trim();
	if ( token === '' ) {
		return { ok: false, problem: 'empty' };
	}
	const parts = token.split( '.' );
	if ( parts.length !== 3 || parts[ 0 ] !== TOKEN_PREFIX ) {
		return { ok: false, problem: 'not_a_token' };
	}
	const [ , encodedClaims = '', signature = '' ] = parts;
	if ( ! BASE64URL.test( signature ) ) {
		return { ok: false, problem: 'bad_signature_encoding' };
	}
	const json = decodeBase64url( encodedClaims );
	if ( json === null ) {
		return { ok: false, problem: 'bad_claims_encoding' };
	}
	let claims: unknown;
	try {
		claims = JSON.parse( json );
	} catch {
		return { ok: false, problem: 'claims_not_json' };
	}
	if ( typeof claims !== 'object' || claims === null ) {
		return { ok: false, problem: 'claims_not_json' };
	}
	const { sub, ch, iat, exp } = claims as Record< string, unknown >;
	if ( typeof sub !== 'string' || sub === '' ) {
		return { ok: false, problem: 'bad_sub' };
	}
	if (
		! Array.isArray( ch ) ||
		! ch.every(
			( c ): c is string =>
				typeof c === 'string' && CHANNEL_PATTERN.test( c )
		)
	) {
		return { ok: false, problem: 'bad_channels' };
	}
	if ( ! isWholeNumber( iat ) || ! isWholeNumber( exp ) || exp < iat ) {
		return { ok: false, problem: 'bad_times' };
	}
	const nowSeconds = Math.floor( nowMs / 1000 );
	const expiresInSeconds = exp - nowSeconds;
	return {
		ok: true,
		claims: { sub, ch, iat, exp },
		channels: ch.map( ( name ) => ( { name, kind: channelKind( name ) } ) ),
		expiresInSeconds,
		expired: expiresInSeconds + TOKEN_LEEWAY_SECONDS < 0,
		lifetimeSeconds: exp - iat,
	};
}

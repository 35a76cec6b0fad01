/**
 * The token route's answer (`GET /wp-json/<slug>/v1/token`), validated. The relay URL arrives here, never in the
 * page markup, so a site can move its relay without re-rendering cached pages.
 */
import { safeHttpUrl } from './format.js';

export interface TokenResponse {
	token: string;
	/** Unix seconds. */
	expiresAt: number;
	channels: string[];
	relayUrl: string;
}

export class TokenResponseError extends Error {
	override name = 'TokenResponseError';
}

export function parseTokenResponse( value: unknown ): TokenResponse {
	if ( typeof value !== 'object' || value === null ) {
		throw new TokenResponseError( 'the token response is not an object' );
	}
	const { token, expiresAt, channels, relayUrl } = value as Record<
		string,
		unknown
	>;
	if ( typeof token !== 'string' || token === '' || token.length > 8192 ) {
		throw new TokenResponseError( 'the token response has no token' );
	}
	if ( typeof expiresAt !== 'number' || ! Number.isFinite( expiresAt ) ) {
		throw new TokenResponseError(
			'the token response has no numeric expiresAt'
		);
	}
	const url = safeHttpUrl( relayUrl );
	if ( url === null ) {
		throw new TokenResponseError(
			'the token response has no http(s) relayUrl'
		);
	}
	return {
		token,
		expiresAt,
		channels: Array.isArray( channels )
			? channels.filter( ( c ): c is string => typeof c === 'string' )
			: [],
		relayUrl: url,
	};
}

/**
 * When to fetch the next token. A token is renewed at ~80% of its lifetime so the relay never sees it expire; the
 * lifetime is measured on this clock, bounded so that a skewed browser clock neither hammers the token endpoint
 * nor waits past the longest lifetime a token can have.
 */
export const REFRESH_FRACTION = 0.8;
export const MIN_REFRESH_DELAY_MS = 10_000;
/** The contract's longest token lifetime (3600 s). */
export const MAX_TOKEN_LIFETIME_MS = 3_600_000;

/**
 * @param expiresAt Token expiry, unix seconds.
 * @param nowMs     Current time, milliseconds since the epoch.
 */
export function refreshDelayMs( expiresAt: number, nowMs: number ): number {
	const lifetimeMs = Math.min(
		expiresAt * 1000 - nowMs,
		MAX_TOKEN_LIFETIME_MS
	);
	return Math.max(
		MIN_REFRESH_DELAY_MS,
		Math.floor( lifetimeMs * REFRESH_FRACTION )
	);
}

/**
 * True when a token should not be offered to the relay any more (it would be refused, or expire mid-handshake).
 *
 * @param expiresAt Token expiry, unix seconds.
 * @param nowMs     Current time, milliseconds since the epoch.
 */
export function isStale( expiresAt: number, nowMs: number ): boolean {
	return expiresAt * 1000 - nowMs < MIN_REFRESH_DELAY_MS;
}

/**
 * Exponential backoff with jitter for retries the socket.io client does not do itself (token fetches, refusals).
 *
 * @param attempt 0 for the first retry.
 * @param random  Source of jitter in [0, 1).
 */
export function retryDelayMs(
	attempt: number,
	random: () => number = Math.random
): number {
	const base = Math.min( 1000 * 2 ** attempt, 30_000 );
	return Math.round( base * ( 0.5 + random() / 2 ) );
}

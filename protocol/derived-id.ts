/**
 * The idempotency id of an event sent without one. It is derived from what was signed (`"<t>." + raw body`, the
 * bytes the signature covers) and the event's position in the batch, so a captured request sent again within its
 * 300 s window yields the same ids and is answered as a duplicate instead of being broadcast a second time. It does
 * not depend on the secret, so relays that verify with different secrets while one is rotated agree on it.
 * Form: `sig:<22 base64url chars>:<index>` (at most 29 characters, within EVENT_ID_PATTERN).
 */
import { createHash } from 'node:crypto';

const LABEL = 'wp-realtime:event-id:v1\n';
export const DERIVED_ID_PREFIX = 'sig:';

/** 128 bits of SHA-256 over the signed bytes: one digest per request, shared by the ids of its events. */
export function signedRequestDigest(timestamp: number, body: string | Buffer): string {
  return createHash('sha256').update(LABEL).update(`${timestamp}.`).update(body).digest().subarray(0, 16).toString('base64url');
}

export function derivedEventId(digest: string, index: number): string {
  return `${DERIVED_ID_PREFIX}${digest}:${index}`;
}

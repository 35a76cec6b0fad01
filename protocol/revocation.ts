/**
 * Cutting a user off: WordPress tells the relay that a user's tokens issued up to a moment no longer hold (logout,
 * password change, deletion), or no longer open some channels (a lost role). It travels as a reserved control event
 * through the signed `POST /v1/events` ingest, so the plugin's outbox carries it like any event (stored first, sent in
 * order with the user's other events, retried after a relay outage). The relay never stores or broadcasts it.
 *
 * `{ "channel": "wp-realtime.control", "type": "revoke", "data": { "user": "42", "notBefore": 1767225600, "channels"?: ["role-author"] } }`
 */
import { CHANNEL_PATTERN } from './channels.js';
import { TOKEN_LEEWAY_SECONDS, TOKEN_MAX_CHANNELS, TOKEN_MAX_TTL, USER_ID_PATTERN } from './token.js';

/** The reserved channel of control events: never stored, never broadcast, never readable (nothing is sent on it). */
export const CONTROL_CHANNEL = 'wp-realtime.control';
export const REVOKE_TYPE = 'revoke';
/** How far ahead of the relay's clock a notBefore may be: the signature window, for clock skew only. */
export const REVOCATION_MAX_AHEAD_SECONDS = 300;

export interface Revocation {
  user: string;
  /** Unix seconds: tokens of the user issued at or before this second are affected. */
  notBefore: number;
  /** Only these channels are struck from such tokens (a lost role); absent: the tokens are refused outright. */
  channels?: string[];
}

export type RevocationParse = { ok: true; revocation: Revocation } | { ok: false; message: string };

/** A control event's data as a Revocation, or why it is not one (the message names the field under `field`). */
export function parseRevocation(data: unknown, field: string, now: number): RevocationParse {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, message: `${field}: must be { user, notBefore, channels? }` };
  const { user, notBefore, channels, ...rest } = data as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) return { ok: false, message: `${field}.${extra}: is not a revocation field` };
  if (typeof user !== 'string' || !USER_ID_PATTERN.test(user) || user === '0') {
    return { ok: false, message: `${field}.user: must be a user id matching ${USER_ID_PATTERN.source}, not "0"` };
  }
  if (!Number.isInteger(notBefore) || (notBefore as number) < 0) return { ok: false, message: `${field}.notBefore: must be unix seconds` };
  if ((notBefore as number) > now + REVOCATION_MAX_AHEAD_SECONDS) {
    return { ok: false, message: `${field}.notBefore: is more than ${REVOCATION_MAX_AHEAD_SECONDS} s ahead of the relay's clock` };
  }
  if (channels === undefined) return { ok: true, revocation: { user, notBefore: notBefore as number } };
  if (!Array.isArray(channels) || channels.length === 0 || channels.length > TOKEN_MAX_CHANNELS) {
    return { ok: false, message: `${field}.channels: must list 1 to ${TOKEN_MAX_CHANNELS} channels` };
  }
  const bad = channels.findIndex((channel) => typeof channel !== 'string' || !CHANNEL_PATTERN.test(channel));
  if (bad !== -1) return { ok: false, message: `${field}.channels[${bad}]: must match ${CHANNEL_PATTERN.source}` };
  return { ok: true, revocation: { user, notBefore: notBefore as number, channels: [...new Set(channels as string[])] } };
}

/** Until when a revocation matters: every token it can affect has expired by then. */
export function revocationExpiresAt(notBefore: number): number {
  return notBefore + TOKEN_MAX_TTL + TOKEN_LEEWAY_SECONDS;
}

/**
 * Who a Pusher client says it is, read from the strings its app's server signed:
 * - a presence subscription's `channel_data` `{ user_id, user_info? }` becomes the core's member `{ id, name, avatar? }`:
 *   `user_id` (a string, or a number as Laravel sends it) is the member id, `user_info` must be exactly what a
 *   wp-realtime token's `info` may be (`name`, optional `avatar`, the same bounds: protocol/token.ts). Anything else in
 *   `user_info` is refused, not dropped: a member never shows more than the token rule allows, and a site that signs
 *   more learns it at once instead of losing fields silently.
 * - `pusher:signin`'s `user_data` `{ id, user_info?, watchlist? }` gives the connection's user id (only the id is kept:
 *   nothing of user_data is shown to anyone).
 * Ids are wp-realtime user ids (USER_ID_PATTERN, never the anonymous "0"), so that a Pusher member and a socket.io
 * member of the same user are one member.
 */
import { ANONYMOUS_USER, memberInfoProblem, USER_ID_PATTERN } from '../../protocol/index.js';
import type { PresenceMember } from '../core/presence.js';

/** Longest channel_data accepted: a member (id, 100-character name, 512-character avatar) fits with room to spare. */
export const MAX_CHANNEL_DATA_BYTES = 2_048;
/** Longest user_data accepted for pusher:signin. */
export const MAX_USER_DATA_BYTES = 4_096;

export type Identity<T> = { ok: true; value: T } | { ok: false; message: string };

function userIdOf(value: unknown, field: string): Identity<string> {
  const id = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof id !== 'string' || !USER_ID_PATTERN.test(id)) return { ok: false, message: `${field} must be a user id matching ${USER_ID_PATTERN.source}` };
  if (id === ANONYMOUS_USER) return { ok: false, message: `${field} "0" is the anonymous visitor, who cannot be a member or sign in` };
  return { ok: true, value: id };
}

function parseObject(text: unknown, field: string, maxBytes: number): Identity<Record<string, unknown>> {
  if (typeof text !== 'string') return { ok: false, message: `${field} must be a JSON string` };
  if (Buffer.byteLength(text) > maxBytes) return { ok: false, message: `${field} is at most ${maxBytes} bytes` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, message: `${field} is not JSON` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, message: `${field} must be a JSON object` };
  return { ok: true, value: parsed as Record<string, unknown> };
}

/** A presence subscription's member, from its (already verified) channel_data. */
export function presenceMember(channelData: unknown): Identity<PresenceMember> {
  const parsed = parseObject(channelData, 'channel_data', MAX_CHANNEL_DATA_BYTES);
  if (!parsed.ok) return parsed;
  const id = userIdOf(parsed.value.user_id, 'channel_data.user_id');
  if (!id.ok) return id;
  const info = parsed.value.user_info;
  const problem = memberInfoProblem(info);
  if (problem !== null) return { ok: false, message: `channel_data.user_info: ${problem.replace(/^info/, 'user_info')} (what a wp-realtime token's member info may be)` };
  const { name, avatar } = info as { name: string; avatar?: string };
  return { ok: true, value: avatar === undefined ? { id: id.value, name } : { id: id.value, name, avatar } };
}

/** The signed-in user's id, from pusher:signin's (already verified) user_data. */
export function signedInUser(userData: unknown): Identity<string> {
  const parsed = parseObject(userData, 'user_data', MAX_USER_DATA_BYTES);
  if (!parsed.ok) return parsed;
  return userIdOf(parsed.value.id, 'user_data.id');
}

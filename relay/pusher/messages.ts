/**
 * The Pusher Channels WebSocket protocol (version 7) as this relay speaks it: the frames it sends, how a wp-realtime
 * event looks on this wire, and how client messages are read. Every message is a JSON object
 * `{ event, channel?, data }`; Pusher sends `data` as a JSON-encoded string for events, an object for errors.
 */
import type { EventEnvelope } from '../../protocol/index.js';
import type { PresenceMember } from '../core/presence.js';

export const PUSHER_PROTOCOL_VERSION = 7;
/** Seconds of silence after which a client pings (told in connection_established); the relay closes after twice it. */
export const ACTIVITY_TIMEOUT_SECONDS = 120;

/**
 * Pusher close and error codes used here (pusher-js: 4000–4099 do not reconnect, 4100–4199 reconnect after a
 * back-off, 4200–4299 reconnect at once).
 */
export const PUSHER_CODES = {
  appNotFound: 4001,
  protocolUnsupported: 4007,
  overQuota: 4004,
  unauthorized: 4009,
  overCapacity: 4100,
  reconnect: 4200,
  pongNotReceived: 4201,
  closedForInactivity: 4202,
  clientEventRejected: 4301,
} as const;

/**
 * What a Pusher client receives for a wp-realtime event: the event's type as the Pusher event name and its data as
 * a JSON string (what pusher-js parses back into an object). Data that came through the Pusher HTTP API as a string
 * that is no JSON object is kept under RAW_DATA_KEY and sent back as that same string.
 */
export const RAW_DATA_KEY = 'pusher_data';

export function pusherData(data: Record<string, unknown>): string {
  const keys = Object.keys(data);
  if (keys.length === 1 && keys[0] === RAW_DATA_KEY && typeof data[RAW_DATA_KEY] === 'string') return data[RAW_DATA_KEY];
  return JSON.stringify(data);
}

/** The reverse, for the HTTP API: a JSON object string becomes the event's data; anything else is kept as is. */
export function eventData(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Not JSON: a plain string payload, as Pusher allows.
  }
  return { [RAW_DATA_KEY]: text };
}

export function eventMessage(envelope: EventEnvelope): string {
  return JSON.stringify({ event: envelope.type, channel: envelope.channel, data: pusherData(envelope.data) });
}

export function connectionEstablished(socketId: string): string {
  return JSON.stringify({ event: 'pusher:connection_established', data: JSON.stringify({ socket_id: socketId, activity_timeout: ACTIVITY_TIMEOUT_SECONDS }) });
}

export function subscriptionSucceeded(channel: string): string {
  return JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel, data: '{}' });
}

/**
 * A core member on Pusher's wire: `user_id` is the member's id, `user_info` its `{ name, avatar? }` (nothing else:
 * a member carries only what its signed channel_data or token carried).
 */
export function userInfo(member: PresenceMember): { name: string; avatar?: string } {
  return member.avatar === undefined ? { name: member.name } : { name: member.name, avatar: member.avatar };
}

/** A presence channel's subscription_succeeded: the whole member list as Pusher's `{ ids, hash, count }`. */
export function presenceSucceeded(channel: string, members: readonly PresenceMember[]): string {
  const hash: Record<string, { name: string; avatar?: string }> = {};
  for (const member of members) hash[member.id] = userInfo(member);
  return JSON.stringify({
    event: 'pusher_internal:subscription_succeeded',
    channel,
    data: JSON.stringify({ presence: { ids: members.map((member) => member.id), hash, count: members.length } }),
  });
}

export function memberAdded(channel: string, member: PresenceMember): string {
  return JSON.stringify({ event: 'pusher_internal:member_added', channel, data: JSON.stringify({ user_id: member.id, user_info: userInfo(member) }) });
}

export function memberRemoved(channel: string, member: PresenceMember): string {
  return JSON.stringify({ event: 'pusher_internal:member_removed', channel, data: JSON.stringify({ user_id: member.id }) });
}

/** A client event as Pusher relays it: its data as a JSON string, and the sender's user id. */
export function clientEventMessage(name: string, channel: string, data: unknown, userId: string): string {
  return JSON.stringify({ event: name, channel, data: JSON.stringify(data ?? null), user_id: userId });
}

/** pusher-js reads `user_data` (the string the app's server signed) back from this. */
export function signinSucceeded(userData: string): string {
  return JSON.stringify({ event: 'pusher:signin_success', data: JSON.stringify({ user_data: userData }) });
}

/** A refused subscription, on its channel (pusher-js emits it there as `pusher:subscription_error`). */
export function subscriptionError(channel: string, status: number, error: string): string {
  return JSON.stringify({ event: 'pusher:subscription_error', channel, data: { type: 'AuthError', error, status } });
}

export function errorMessage(code: number | null, message: string): string {
  return JSON.stringify({ event: 'pusher:error', data: { code, message } });
}

export const PONG = JSON.stringify({ event: 'pusher:pong', data: {} });

export type ClientMessage =
  | { kind: 'ping' }
  | { kind: 'pong' }
  | { kind: 'subscribe'; channel: string; auth?: unknown; channelData?: unknown }
  | { kind: 'unsubscribe'; channel: string }
  | { kind: 'signin'; auth: unknown; userData: unknown }
  | { kind: 'client-event'; name: string; channel: string; data: unknown }
  | { kind: 'unknown'; name: string }
  | { kind: 'invalid'; reason: string };

/** Reads one text frame from a client. */
export function decodeClientMessage(text: string): ClientMessage {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'message is not JSON' };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return { kind: 'invalid', reason: 'message must be a JSON object' };
  const { event, data, channel } = message as { event?: unknown; data?: unknown; channel?: unknown };
  if (typeof event !== 'string') return { kind: 'invalid', reason: 'message.event must be a string' };
  if (event === 'pusher:ping') return { kind: 'ping' };
  if (event === 'pusher:pong') return { kind: 'pong' };
  if (event === 'pusher:subscribe' || event === 'pusher:unsubscribe') {
    const fields = (typeof data === 'string' ? safeParse(data) : data) as { channel?: unknown; auth?: unknown; channel_data?: unknown } | null;
    if (typeof fields !== 'object' || fields === null || typeof fields.channel !== 'string') return { kind: 'invalid', reason: `${event} needs data.channel` };
    if (event === 'pusher:unsubscribe') return { kind: 'unsubscribe', channel: fields.channel };
    return { kind: 'subscribe', channel: fields.channel, auth: fields.auth, channelData: fields.channel_data };
  }
  if (event === 'pusher:signin') {
    const fields = (typeof data === 'string' ? safeParse(data) : data) as { auth?: unknown; user_data?: unknown } | null;
    if (typeof fields !== 'object' || fields === null) return { kind: 'invalid', reason: 'pusher:signin needs data { auth, user_data }' };
    return { kind: 'signin', auth: fields.auth, userData: fields.user_data };
  }
  if (event.startsWith('client-')) {
    if (typeof channel !== 'string') return { kind: 'invalid', reason: 'a client event needs a channel' };
    return { kind: 'client-event', name: event, channel, data };
  }
  return { kind: 'unknown', name: event };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

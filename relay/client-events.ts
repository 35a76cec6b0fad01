/**
 * Client events: a browser sends `client-<name>` with `{ channel, data? }` to the other subscribers of a private-* or
 * presence-* channel it reads, where the relay allows it (`--client-events <pattern...>`, default none). Never to the
 * sender, never stored in history, never from an anonymous client; rate-limited per client and size-limited. Every
 * refusal is an ack `{ ok: false, error, message }` counted on /metrics by reason. Shared by every front-end.
 */
import { ANONYMOUS_USER, CHANNEL_PATTERN, isPresenceChannel } from '../protocol/index.js';
import type { ClientSession } from './handshake.js';
import type { RejectionReason, RelayMetrics } from './metrics.js';
import type { MessageBudget } from './client-messages.js';
import type { RelayOptions } from './options.js';

export const CLIENT_EVENT_PREFIX = 'client-';
/** Letters of either case: Laravel Echo whispers camelCase names (`whisper("isTyping")` sends client-isTyping). */
export const CLIENT_EVENT_NAME_PATTERN = /^client-[A-Za-z0-9][A-Za-z0-9_.:-]{0,56}$/;

/** A client event on its way to the channel's other subscribers (on every relay). */
export interface ClientEvent {
  name: string;
  channel: string;
  data: unknown;
  /** The sender's user id (never anonymous). */
  from: string;
  /** The sending socket, which never gets its own event back. */
  origin: string;
}

export type ClientEventVerdict = { ok: true; event: ClientEvent } | { ok: false; error: RejectionReason; message: string };

export interface ClientEventDeps {
  options: Pick<RelayOptions, 'clientEvents' | 'maxClientEventBytes' | 'clientEventRate'>;
  metrics: Pick<RelayMetrics, 'rejections'>;
}

/** `presence-*` style patterns (only `*` is special) as one regular expression; null when none is allowed. */
export function clientEventChannels(patterns: readonly string[]): RegExp | null {
  if (patterns.length === 0) return null;
  const escaped = patterns.map((pattern) => pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*'));
  return new RegExp(`^(?:${escaped.join('|')})$`);
}

export function isClientEventName(name: string): boolean {
  return name.startsWith(CLIENT_EVENT_PREFIX);
}

/** Decides one client event; the caller delivers an accepted one. */
export function checkClientEvent(
  session: Pick<ClientSession, 'user' | 'channels'>,
  origin: string,
  name: string,
  payload: unknown,
  allowed: RegExp | null,
  budget: MessageBudget,
  { options, metrics }: ClientEventDeps,
): ClientEventVerdict {
  const refuse = (error: RejectionReason, message: string): ClientEventVerdict => {
    metrics.rejections.inc({ reason: error });
    return { ok: false, error, message };
  };
  if (!CLIENT_EVENT_NAME_PATTERN.test(name)) return refuse('invalid_client_event', `a client event's name must match ${CLIENT_EVENT_NAME_PATTERN.source}`);
  const { channel, data } = (typeof payload === 'object' && payload !== null ? payload : {}) as { channel?: unknown; data?: unknown };
  if (typeof channel !== 'string' || !CHANNEL_PATTERN.test(channel)) return refuse('invalid_client_event', `${name} takes { channel, data? } with a channel matching ${CHANNEL_PATTERN.source}`);
  if (session.user === null || session.user === ANONYMOUS_USER) return refuse('client_event_anonymous', 'client events need a token for a user');
  if (!(channel.startsWith('private-') || isPresenceChannel(channel)) || allowed === null || !allowed.test(channel)) {
    return refuse('client_events_disabled', `client events are not allowed on "${channel}" (only private-* and presence-* channels the relay lists in --client-events)`);
  }
  if (!session.channels.includes(channel)) return refuse('client_event_not_subscribed', `subscribe to "${channel}" before sending client events on it`);
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(data ?? null));
  } catch {
    return refuse('invalid_client_event', 'data must be JSON');
  }
  if (size > options.maxClientEventBytes) return refuse('client_event_too_large', `a client event's data is at most ${options.maxClientEventBytes} bytes of JSON (got ${size})`);
  if (budget.take() !== 'ok') return refuse('client_event_rate_limited', `more than ${options.clientEventRate} client events per second from this client; slow down`);
  return { ok: true, event: { name, channel, data: data ?? null, from: session.user, origin } };
}

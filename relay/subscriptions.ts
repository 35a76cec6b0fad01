/**
 * What a connected client may ask for after its handshake: subscribe, unsubscribe, refresh_token. Shared by the
 * socket.io connections and the lean WebSocket connections; each supplies how it joins and leaves a channel.
 */
import { canRead, CHANNEL_PATTERN, verifyToken } from '../protocol/index.js';
import { type ClientSession, MAX_CHANNELS_PER_CLIENT, memberOf, tokenAccess } from './handshake.js';
import type { RelayMetrics } from './metrics.js';
import type { RelayOptions } from './options.js';
import type { Revocations } from './revocations.js';

export type SubscriptionResponse = { ok: true; channels: string[] } | { ok: false; error: string; message: string };

export interface SubscriptionTarget {
  session: ClientSession;
  join(channels: readonly string[]): void;
  leave(channel: string): void;
  /** Why joining these channels is refused now (a full presence channel), or null. */
  refusal(channels: readonly string[]): string | null;
}

export interface SubscriptionDeps {
  options: Pick<RelayOptions, 'secret' | 'publicChannels'>;
  metrics: Pick<RelayMetrics, 'rejections'>;
  /** Cut-off users: a refreshed token issued before a revocation is refused or narrowed like a handshake's. */
  revocations?: Revocations;
}

function parseChannelList(payload: unknown): string[] | null {
  const list = typeof payload === 'string' ? [payload] : (payload as { channels?: unknown } | null)?.channels ?? payload;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_CHANNELS_PER_CLIENT) return null;
  return list.every((c): c is string => typeof c === 'string' && CHANNEL_PATTERN.test(c)) ? list : null;
}

export function changeSubscription(
  target: SubscriptionTarget,
  payload: unknown,
  action: 'subscribe' | 'unsubscribe',
  { metrics }: SubscriptionDeps,
): SubscriptionResponse {
  const channels = parseChannelList(payload);
  if (!channels) {
    return { ok: false, error: 'invalid_channels', message: `${action} takes 1 to ${MAX_CHANNELS_PER_CLIENT} channel names matching ${CHANNEL_PATTERN.source}` };
  }
  const client = target.session;
  if (action === 'subscribe') {
    const forbidden = channels.find((channel) => !canRead(channel, client.access));
    if (forbidden !== undefined) {
      metrics.rejections.inc({ reason: 'channel_forbidden' });
      return { ok: false, error: 'channel_forbidden', message: `channel "${forbidden}" is not readable with this token` };
    }
    const merged = [...new Set([...client.channels, ...channels])];
    if (merged.length > MAX_CHANNELS_PER_CLIENT) {
      return { ok: false, error: 'too_many_channels', message: `a client reads at most ${MAX_CHANNELS_PER_CLIENT} channels` };
    }
    const refused = target.refusal(channels);
    if (refused !== null) {
      metrics.rejections.inc({ reason: 'presence_full' });
      return { ok: false, error: 'presence_full', message: refused };
    }
    client.channels = merged;
    target.join(channels);
  } else {
    client.channels = client.channels.filter((channel) => !channels.includes(channel));
    for (const channel of channels) target.leave(channel);
  }
  return { ok: true, channels: client.channels };
}

/** A client keeps its connection past its token's expiry only by sending a fresh token for the same user. */
export function refreshToken(target: SubscriptionTarget, payload: unknown, { options, revocations }: SubscriptionDeps): SubscriptionResponse {
  const token = (payload as { token?: unknown } | null)?.token;
  const verified = verifyToken(token, options.secret);
  const client = target.session;
  if (!verified.ok) {
    return { ok: false, error: verified.reason === 'expired' ? 'expired_token' : 'invalid_token', message: verified.message };
  }
  if (client.user !== null && verified.claims.sub !== client.user) {
    return { ok: false, error: 'invalid_token', message: 'a refreshed token must be for the same user' };
  }
  const opened = tokenAccess(verified.claims, options.publicChannels, revocations);
  if (!opened.ok) return { ok: false, error: opened.reason, message: opened.message };
  client.user = verified.claims.sub;
  // Channels joined already keep the member info they joined with; later joins use the new token's.
  client.member = memberOf(verified.claims);
  client.access = opened.access;
  client.issuedAt = verified.claims.iat;
  const kept = leaveUnreadable(target);
  // The expiry sweeps read this on their next pass.
  client.expiresAt = verified.claims.exp;
  return { ok: true, channels: kept };
}

/**
 * A revocation narrowed the client's token: these channels are no longer readable with it. The client leaves the ones
 * it read; returns those it left (empty: nothing changed for it).
 */
export function strikeChannels(target: SubscriptionTarget, struck: ReadonlySet<string>): string[] {
  const client = target.session;
  const tokenChannels = [...client.access.tokenChannels].filter((channel) => !struck.has(channel));
  client.access = { tokenChannels: new Set(tokenChannels), publicAllowed: client.access.publicAllowed };
  const before = client.channels;
  const kept = leaveUnreadable(target);
  return before.filter((channel) => !kept.includes(channel));
}

/** Leaves every channel the client's access no longer reads; returns the channels it keeps. */
function leaveUnreadable(target: SubscriptionTarget): string[] {
  const client = target.session;
  const kept = client.channels.filter((channel) => canRead(channel, client.access));
  for (const channel of client.channels) if (!kept.includes(channel)) target.leave(channel);
  client.channels = kept;
  return kept;
}

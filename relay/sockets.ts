/**
 * The socket.io side: handshake auth, channel rooms, replay on reconnect, live subscription changes, token expiry.
 */
import type { Server, Socket } from 'socket.io';
import {
  canRead,
  CHANNEL_PATTERN,
  CLIENT_EVENT_NAME,
  REPLAY_GAP_EVENT_NAME,
  verifyToken,
} from '../protocol/index.js';
import type { Broker } from './broker.js';
import { checkHandshake, type ClientSession, MAX_CHANNELS_PER_CLIENT } from './handshake.js';
import { handshakeRateLimit } from './limits.js';
import type { LiveGate } from './live-gate.js';
import type { Logger } from './logger.js';
import type { RelayMetrics } from './metrics.js';
import type { RelayOptions } from './options.js';

export interface SocketDeps {
  io: Server;
  options: RelayOptions;
  broker: Broker;
  metrics: RelayMetrics;
  logger: Logger;
  gate: LiveGate;
}

type Ack = (response: { ok: true; channels: string[] } | { ok: false; error: string; message: string }) => void;

function session(socket: Socket): ClientSession {
  return socket.data.session as ClientSession;
}

function parseChannelList(payload: unknown): string[] | null {
  const list = typeof payload === 'string' ? [payload] : (payload as { channels?: unknown } | null)?.channels ?? payload;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_CHANNELS_PER_CLIENT) return null;
  return list.every((c): c is string => typeof c === 'string' && CHANNEL_PATTERN.test(c)) ? list : null;
}

export function attachSockets({ io, options, broker, metrics, logger, gate }: SocketDeps): void {
  io.use(handshakeRateLimit(options, metrics));
  io.use((socket, next) => {
    const result = checkHandshake(socket.handshake.auth, options.secret, options.publicChannels);
    if (!result.ok) {
      metrics.rejections.inc({ reason: result.reason });
      const error = new Error(result.message) as Error & { data: unknown };
      error.data = { error: result.reason, message: result.message };
      return next(error);
    }
    socket.data.session = result.session;
    next();
  });

  // Shared handlers (socket.io calls a listener with `this` bound to the socket): no closures per connection.
  function onSubscribe(this: Socket, payload: unknown, ack?: Ack): void {
    changeSubscription(this, payload, ack, 'subscribe');
  }
  function onUnsubscribe(this: Socket, payload: unknown, ack?: Ack): void {
    changeSubscription(this, payload, ack, 'unsubscribe');
  }
  function onRefreshToken(this: Socket, payload: unknown, ack?: Ack): void {
    refreshToken(this, payload, ack);
  }
  // socket.io reports a frame it cannot decode here, then closes the connection.
  function onInvalidFrame(): void {
    metrics.rejections.inc({ reason: 'invalid_frame' });
  }

  io.on('connection', async (socket) => {
    const client = session(socket);
    socket.on('error', onInvalidFrame);
    socket.on('subscribe', onSubscribe);
    socket.on('unsubscribe', onUnsubscribe);
    socket.on('refresh_token', onRefreshToken);
    if (client.lastEventId === undefined) {
      void socket.join(client.channels);
    } else {
      // Join first and hold live events while history is read: nothing is missed between the read and the join,
      // and nothing live reaches the client before what it missed.
      gate.hold(socket);
      void socket.join(client.channels);
      const sent = await replay(socket, client);
      gate.release(socket, sent);
    }
  });

  /** Sends what the client missed and returns the ids sent. */
  async function replay(socket: Socket, client: ClientSession): Promise<Set<string>> {
    const lastEventId = client.lastEventId as string;
    let result;
    try {
      result = await broker.replay(lastEventId, client.channels);
    } catch (error) {
      // History is out of reach (Redis down): the client is told it may have missed events, like an expired id.
      logger.warn({ err: (error as Error).message }, 'replay failed: history unavailable');
      result = { found: false, complete: false, events: [] };
    }
    if (!result.found || !result.complete) {
      metrics.replays.inc({ outcome: 'gap' });
      socket.emit(REPLAY_GAP_EVENT_NAME, { lastEventId });
    } else {
      metrics.replays.inc({ outcome: 'complete' });
    }
    for (const envelope of result.events) socket.emit(CLIENT_EVENT_NAME, envelope);
    metrics.deliveries.inc(result.events.length);
    return new Set(result.events.map((envelope) => envelope.id));
  }

  function changeSubscription(socket: Socket, payload: unknown, ack: Ack | undefined, action: 'subscribe' | 'unsubscribe'): void {
    const respond: Ack = typeof ack === 'function' ? ack : () => {};
    const channels = parseChannelList(payload);
    if (!channels) {
      respond({ ok: false, error: 'invalid_channels', message: `${action} takes 1 to ${MAX_CHANNELS_PER_CLIENT} channel names matching ${CHANNEL_PATTERN.source}` });
      return;
    }
    const client = session(socket);
    if (action === 'subscribe') {
      const forbidden = channels.find((channel) => !canRead(channel, client.access));
      if (forbidden !== undefined) {
        metrics.rejections.inc({ reason: 'channel_forbidden' });
        respond({ ok: false, error: 'channel_forbidden', message: `channel "${forbidden}" is not readable with this token` });
        return;
      }
      if (new Set([...client.channels, ...channels]).size > MAX_CHANNELS_PER_CLIENT) {
        respond({ ok: false, error: 'too_many_channels', message: `a client reads at most ${MAX_CHANNELS_PER_CLIENT} channels` });
        return;
      }
      client.channels = [...new Set([...client.channels, ...channels])];
      void socket.join(channels);
    } else {
      client.channels = client.channels.filter((channel) => !channels.includes(channel));
      for (const channel of channels) void socket.leave(channel);
    }
    respond({ ok: true, channels: client.channels });
  }

  /** A client keeps its connection past its token's expiry only by sending a fresh token for the same user. */
  function refreshToken(socket: Socket, payload: unknown, ack: Ack | undefined): void {
    const respond: Ack = typeof ack === 'function' ? ack : () => {};
    const token = (payload as { token?: unknown } | null)?.token;
    const verified = verifyToken(token, options.secret);
    const client = session(socket);
    if (!verified.ok) {
      respond({ ok: false, error: verified.reason === 'expired' ? 'expired_token' : 'invalid_token', message: verified.message });
      return;
    }
    if (client.user !== null && verified.claims.sub !== client.user) {
      respond({ ok: false, error: 'invalid_token', message: 'a refreshed token must be for the same user' });
      return;
    }
    client.user = verified.claims.sub;
    client.access = { tokenChannels: new Set(verified.claims.ch), publicAllowed: options.publicChannels };
    const kept = client.channels.filter((channel) => canRead(channel, client.access));
    for (const channel of client.channels) if (!kept.includes(channel)) void socket.leave(channel);
    client.channels = kept;
    // The expiry sweep (expiry.ts) reads this on its next pass.
    client.expiresAt = verified.claims.exp;
    respond({ ok: true, channels: kept });
  }
}

/**
 * The socket.io side: handshake auth, channel rooms, replay on reconnect, live subscription changes, token expiry.
 */
import type { Server, Socket } from 'socket.io';
import { CLIENT_EVENT_NAME, REPLAY_GAP_EVENT_NAME } from '../protocol/index.js';
import type { Broker } from './broker.js';
import type { AddressOf } from './client-address.js';
import { checkHandshake, type ClientSession } from './handshake.js';
import { type HandshakeRefusal, handshakeRateLimit } from './limits.js';
import type { LiveGate } from './live-gate.js';
import type { Logger } from './logger.js';
import type { RelayMetrics } from './metrics.js';
import type { RelayOptions } from './options.js';
import { readMissed } from './replay.js';
import { changeSubscription, refreshToken, type SubscriptionResponse, type SubscriptionTarget } from './subscriptions.js';

export interface SocketDeps {
  io: Server;
  options: RelayOptions;
  broker: Broker;
  metrics: RelayMetrics;
  logger: Logger;
  gate: LiveGate;
  /** Shared with the lean connections: one handshake budget per address. */
  limitHandshake: (address: string) => Promise<HandshakeRefusal | null>;
  addressOf: AddressOf;
}

type Ack = (response: SubscriptionResponse) => void;

function session(socket: Socket): ClientSession {
  return socket.data.session as ClientSession;
}

/** socket.io rooms are the channels. */
function target(socket: Socket): SubscriptionTarget {
  return {
    session: session(socket),
    join: (channels) => void socket.join(channels as string[]),
    leave: (channel) => void socket.leave(channel),
  };
}

function answer(ack: unknown, response: SubscriptionResponse): void {
  if (typeof ack === 'function') (ack as Ack)(response);
}

export function attachSockets({ io, options, broker, metrics, logger, gate, limitHandshake, addressOf }: SocketDeps): void {
  io.use(handshakeRateLimit(limitHandshake, addressOf));
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
  const deps = { options, metrics };
  function onSubscribe(this: Socket, payload: unknown, ack?: Ack): void {
    answer(ack, changeSubscription(target(this), payload, 'subscribe', deps));
  }
  function onUnsubscribe(this: Socket, payload: unknown, ack?: Ack): void {
    answer(ack, changeSubscription(target(this), payload, 'unsubscribe', deps));
  }
  function onRefreshToken(this: Socket, payload: unknown, ack?: Ack): void {
    answer(ack, refreshToken(target(this), payload, deps));
  }
  // socket.io reports a frame it cannot decode here, then closes the connection.
  function onInvalidFrame(): void {
    metrics.rejections.inc({ reason: 'invalid_frame' });
  }

  io.on('connection', (socket) => {
    connected(socket).catch((error: unknown) => {
      // Nothing a client or a stored event brings may become an unhandled rejection: end this client, keep the relay.
      logger.error({ err: error, id: socket.id }, 'connection handler failed: disconnecting the client');
      socket.disconnect(true);
    });
  });

  async function connected(socket: Socket): Promise<void> {
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
  }

  /** Sends what the client missed and returns the ids sent. */
  async function replay(socket: Socket, client: ClientSession): Promise<Set<string>> {
    const lastEventId = client.lastEventId as string;
    const missed = await readMissed({ broker, metrics, logger }, lastEventId, client.channels);
    if (missed.gap) socket.emit(REPLAY_GAP_EVENT_NAME, { lastEventId });
    for (const envelope of missed.events) socket.emit(CLIENT_EVENT_NAME, envelope);
    return new Set(missed.events.map((envelope) => envelope.id));
  }
}

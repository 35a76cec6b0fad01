/**
 * The socket.io side: handshake auth, channel rooms, replay on reconnect, live subscription changes, token expiry.
 */
import type { Server, Socket } from 'socket.io';
import { CLIENT_EVENT_NAME, REPLAY_GAP_EVENT_NAME } from '../protocol/index.js';
import type { Broker } from './broker.js';
import type { AddressOf } from './client-address.js';
import { chargeFrame, handleClientEvent, MessageBudget } from './client-messages.js';
import { CLOSE_POLICY, CLOSE_PROTOCOL, closeEngineConnection, type EngineConnectionLike } from './closing.js';
import { checkHandshake, type ClientSession } from './handshake.js';
import { type HandshakeRefusal, handshakeRateLimit } from './limits.js';
import type { LiveGate } from './live-gate.js';
import type { Logger } from './logger.js';
import type { RelayMetrics } from './metrics.js';
import type { RelayOptions } from './options.js';
import { readMissed } from './replay.js';
import type { SubscriptionResponse, SubscriptionTarget } from './subscriptions.js';

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

const POLLING_DROP_GRACE_MS = 1_000;

/** Ends a client that breaks the rules: "io server disconnect" (it must not come straight back), then the close code. */
function dropSocket(socket: Socket, code: number): void {
  const conn = socket.conn as unknown as EngineConnectionLike;
  socket.disconnect(false);
  if (conn.transport.name === 'websocket') {
    closeEngineConnection(conn, code);
    // Read none of its frames still in flight (the rest of a flood) while the close handshake completes.
    conn.close(true);
    return;
  }
  // Long-polling: the disconnect packet leaves with the client's next poll; closing the session at once would fail
  // its pending POST first and look like a transport error (which socket.io-client reconnects after).
  setTimeout(() => conn.close(true), POLLING_DROP_GRACE_MS).unref();
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

  const deps = { options, metrics };
  /**
   * Every event a client sends goes through handleClientEvent (as on the lean path), never to per-event listeners:
   * an ack without payload, an unknown event and a client over its message rate are answered the same way on both.
   */
  function onClientEvent(this: Socket, packet: unknown[], _next: (err?: Error) => void): void {
    const last = packet.at(-1);
    const ack = typeof last === 'function' ? (last as Ack) : undefined;
    const [name, ...args] = ack ? packet.slice(0, -1) : packet;
    const budget = this.data.budget as MessageBudget;
    const outcome = handleClientEvent(target(this), budget, String(name), args, ack !== undefined, deps);
    if (outcome.answer && ack) ack(outcome.answer);
    if (outcome.drop) dropSocket(this, CLOSE_POLICY);
  }
  // socket.io reports a frame it cannot decode here, then closes the connection: with the lean path's close code.
  function onInvalidFrame(this: Socket): void {
    metrics.rejections.inc({ reason: 'invalid_frame' });
    closeEngineConnection(this.conn as unknown as EngineConnectionLike, CLOSE_PROTOCOL);
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
    const budget = new MessageBudget(options.clientMessageRate);
    socket.data.budget = budget;
    socket.on('error', onInvalidFrame);
    socket.use(onClientEvent.bind(socket));
    // Frames that are no event (noops, client pings) count against the same budget, as on the lean path; pongs,
    // which answer the relay's own pings, do not.
    socket.conn.on('packet', (packet: { type: string }) => {
      if (packet.type !== 'message' && packet.type !== 'pong' && chargeFrame(budget, deps)) dropSocket(socket, CLOSE_POLICY);
    });
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
    const missed = await readMissed({ broker, metrics, logger }, lastEventId, client.channels, options.maxReplayBytes);
    if (missed.gap) socket.emit(REPLAY_GAP_EVENT_NAME, { lastEventId });
    for (const envelope of missed.events) socket.emit(CLIENT_EVENT_NAME, envelope);
    return new Set(missed.events.map((envelope) => envelope.id));
  }
}

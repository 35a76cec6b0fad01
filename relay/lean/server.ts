/**
 * Lean WebSocket connections: clients that open a WebSocket straight away (`transports: ['websocket']`, what the Live
 * Notifications block and most socket.io clients in production do) are served here, with `ws` and a small record per
 * connection, speaking the engine.io v4 / socket.io v5 subset of ./packets.ts. Everything else under /socket.io/
 * (long-polling, and polling clients upgrading to WebSocket) stays with socket.io. Both kinds share the rules:
 * handshake checks, channel access, subscribe/unsubscribe/refresh_token, replay, limits, slow-consumer drop, metrics.
 *
 * Why: a socket.io Socket costs about 10 KiB of heap per connection before the relay adds anything; a raw WebSocket
 * about 2.5 KiB (docs/benchmarks.md). Broadcasts reach these clients through the fast path's `alsoDeliver` hook, so
 * the in-memory and the Redis adapter deliver to them exactly as to socket.io's clients.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CLIENT_EVENT_NAME, REPLAY_GAP_EVENT_NAME } from '../../protocol/index.js';
import type { Broker } from '../broker.js';
import type { AddressOf } from '../client-address.js';
import type { BroadcastTarget, EncodedBroadcast } from '../fast-path.js';
import type { FrameWriter } from '../frame-writer.js';
import { checkHandshake } from '../handshake.js';
import { EVENT_ID_FLAG } from '../live-gate.js';
import type { HandshakeRefusal } from '../limits.js';
import type { Logger } from '../logger.js';
import type { RelayMetrics } from '../metrics.js';
import type { RelayOptions } from '../options.js';
import { readMissed, ReplayedFilter } from '../replay.js';
import { chargeFrame, handleClientEvent } from '../client-messages.js';
import { CLOSE_POLICY, CLOSE_PROTOCOL, CLOSE_RESTART } from '../closing.js';
import type { SubscriptionTarget } from '../subscriptions.js';
import { LeanChannels } from './channels.js';
import { LeanClient } from './client.js';
import { ackPacket, connectErrorPacket, connectPacket, decodeIncoming, openPacket } from './packets.js';
import { startLeanSweeps } from './sweeps.js';

/** A replaying client that falls further behind than this is dropped rather than buffered without bound. */
const MAX_HELD_PER_CLIENT = 10_000;
const SOCKET_IO_PATH = '/socket.io/';

type AllowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void;

export interface LeanDeps {
  options: RelayOptions;
  metrics: RelayMetrics;
  logger: Logger;
  broker: Broker;
  writer: FrameWriter;
  allowRequest: AllowRequest;
  addressOf: AddressOf;
  openByIp: Map<string, number>;
  limitHandshake: (address: string) => Promise<HandshakeRefusal | null>;
}

export interface LeanStats {
  /** Broadcast copies written to lean clients since start. */
  frames: number;
}

/** Whether an upgrade request is a fresh engine.io v4 WebSocket (not a polling session upgrading). */
export function isFreshWebSocket(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  if (query === -1 || url.slice(0, query) !== SOCKET_IO_PATH) return false;
  const params = new URLSearchParams(url.slice(query + 1));
  return params.get('EIO') === '4' && params.get('transport') === 'websocket' && !params.has('sid');
}

export class LeanConnections {
  readonly stats: LeanStats = { frames: 0 };
  private readonly clients = new Set<LeanClient>();
  private readonly channels = new LeanChannels();
  private readonly wss: WebSocketServer;
  private stopSweeps = (): void => {};

  constructor(private readonly deps: LeanDeps) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: deps.options.maxClientMessageBytes,
    });
  }

  get size(): number {
    return this.clients.size;
  }

  audience(channel: string): number {
    return this.channels.count(channel);
  }

  start(): void {
    this.stopSweeps = startLeanSweeps(this.clients, this.deps.options, {
      onSlow: (client) => this.drop(client, 'slow_consumer'),
      onExpired: (client) => {
        client.emit('token_expired', { message: 'token expired; reconnect with a fresh token' });
        client.disconnect();
      },
    });
  }

  stop(): void {
    this.stopSweeps();
  }

  /** Ends every session like socket.io's disconnectSockets(true), then waits briefly for the close handshakes. */
  async disconnectAll(): Promise<void> {
    const leaving = [...this.clients];
    for (const client of leaving) client.disconnect();
    const deadline = Date.now() + 1_000;
    const waiting = (): boolean => leaving.some((client) => this.clients.has(client));
    while (waiting() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const client of leaving) if (this.clients.has(client)) client.ws.terminate();
  }

  /**
   * For a restart: closes every WebSocket with 1012 (service restart) and no disconnect packet, so that clients
   * treat it as a transport loss and reconnect by themselves; waits briefly for the close handshakes.
   */
  async closeAllForRestart(): Promise<void> {
    const leaving = [...this.clients];
    for (const client of leaving) client.ws.close(CLOSE_RESTART, 'service restart');
    const deadline = Date.now() + 1_000;
    const waiting = (): boolean => leaving.some((client) => this.clients.has(client));
    while (waiting() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const client of leaving) if (this.clients.has(client)) client.ws.terminate();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node's HTTP server stops handling errors of a socket it hands over for an upgrade: a peer that resets now must
    // not take the process down.
    socket.on('error', () => socket.destroy());
    this.deps.allowRequest(req, (reason, allowed) => {
      if (!allowed) return refuseUpgrade(socket, reason ?? 'connection refused');
      this.wss.handleUpgrade(req, socket, head, (ws) => this.opened(ws, this.deps.addressOf(req)));
    });
  }

  /** The fast path's hook: one broadcast, encoded once, to every lean client of its rooms. */
  deliver(target: BroadcastTarget, broadcast: EncodedBroadcast): void {
    if (this.clients.size === 0) return;
    const flagged = target.flags?.[EVENT_ID_FLAG];
    const eventId = typeof flagged === 'string' ? flagged : undefined;
    let copies = 0;
    this.channels.forEachRecipient(target, this.clients, (client) => {
      // Dropped earlier in this turn: its close event has not run yet.
      if (!client.open) return;
      if (eventId !== undefined && client.held !== null) {
        if (client.held.length >= MAX_HELD_PER_CLIENT) return this.drop(client, 'slow_consumer');
        client.held.push({ id: eventId, broadcast });
        return;
      }
      if (eventId !== undefined && client.replayed !== null) {
        if (client.replayed.repeats(eventId)) return;
        client.replayed = null;
      }
      if (this.write(client, broadcast)) copies++;
    });
    this.stats.frames += copies;
    // The in-memory broker counts its deliveries itself; flagged (Redis) broadcasts are counted per copy, as the gate does.
    if (eventId !== undefined && copies > 0) this.deps.metrics.deliveries.inc(copies);
  }

  private write(client: LeanClient, broadcast: EncodedBroadcast): boolean {
    const outcome = client.write(broadcast, this.deps.writer);
    if (outcome === 'slow') this.drop(client, 'slow_consumer');
    return outcome === 'written';
  }

  private drop(client: LeanClient, reason: 'slow_consumer'): void {
    this.deps.metrics.rejections.inc({ reason });
    this.deps.logger.warn({ id: client.id, pendingBytes: client.unsentBytes }, 'slow consumer disconnected');
    // A polite close frame would wait behind the backlog; the backlog is the problem.
    client.ws.terminate();
  }

  private opened(ws: WebSocket, address: string): void {
    const { options, openByIp, metrics } = this.deps;
    const client = new LeanClient(randomBytes(12).toString('base64url'), ws, address, options.clientMessageRate);
    this.clients.add(client);
    openByIp.set(address, (openByIp.get(address) ?? 0) + 1);
    ws.on('message', (data, isBinary) => this.received(client, data, isBinary));
    ws.on('error', (error: Error & { code?: string }) => {
      const tooLarge = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      metrics.rejections.inc({ reason: tooLarge ? 'message_too_large' : 'invalid_frame' });
    });
    ws.once('close', () => this.closed(client));
    client.sendText(openPacket(client.id, options.pingIntervalMs, options.pingTimeoutMs, options.maxClientMessageBytes));
  }

  private closed(client: LeanClient): void {
    this.clients.delete(client);
    if (client.session) this.channels.leaveAll(client, client.session.channels);
    client.held = null;
    const { openByIp } = this.deps;
    const left = (openByIp.get(client.address) ?? 1) - 1;
    if (left <= 0) openByIp.delete(client.address);
    else openByIp.set(client.address, left);
  }

  private received(client: LeanClient, data: RawData, isBinary: boolean): void {
    // Closing (dropped, or told to restart): what it still sends, such as the rest of a flood, is not read.
    if (!client.open) return;
    const packet = isBinary ? { kind: 'invalid' as const, reason: 'binary frames are not accepted' } : decodeIncoming(data.toString());
    // Events are charged in handleClientEvent; every other frame here, against the same per-client budget, except
    // pongs: they answer the relay's own pings, at the rate the relay chose.
    const charged = packet.kind !== 'event' && packet.kind !== 'invalid' && packet.kind !== 'pong';
    if (charged && chargeFrame(client.budget, this.deps)) return client.disconnect(CLOSE_POLICY);
    switch (packet.kind) {
      case 'pong':
        client.pongDue = false;
        return;
      case 'ignored':
        return;
      case 'close':
        client.ws.close(1000);
        return;
      case 'invalid':
        // As socket.io does with a frame it cannot decode: count it and close the connection.
        this.deps.metrics.rejections.inc({ reason: 'invalid_frame' });
        this.deps.logger.debug({ id: client.id, reason: packet.reason }, 'invalid frame: closing');
        client.ws.close(CLOSE_PROTOCOL);
        return;
      case 'connect':
        this.connect(client, packet.nsp, packet.auth).catch((error: unknown) => {
          // Nothing a client or a stored event brings may become an unhandled rejection: end this client only.
          this.deps.logger.error({ err: error, id: client.id }, 'connect handler failed: closing the connection');
          client.ws.terminate();
        });
        return;
      case 'disconnect':
        // The client left the only namespace there is: nothing stays to read.
        if (packet.nsp === '/') client.ws.close(1000);
        return;
      case 'event':
        // Packets for a namespace the client has not joined are ignored, as socket.io does.
        if (packet.nsp === '/' && client.session !== null) this.request(client, packet.name, packet.args, packet.ackId);
        return;
    }
  }

  private async connect(client: LeanClient, nsp: string, auth: unknown): Promise<void> {
    if (nsp !== '/') return client.sendText(connectErrorPacket(nsp, 'Invalid namespace'));
    if (client.session !== null) return;
    const { options, metrics } = this.deps;
    const refusal = await this.deps.limitHandshake(client.address);
    if (!client.open || client.session !== null) return;
    if (refusal) return client.sendText(connectErrorPacket('/', refusal.message, refusal));
    const result = checkHandshake(auth, options.secret, options.publicChannels);
    if (!result.ok) {
      metrics.rejections.inc({ reason: result.reason });
      return client.sendText(connectErrorPacket('/', result.message, { error: result.reason, message: result.message }));
    }
    const session = result.session;
    client.session = session;
    client.sendText(connectPacket(client.id));
    if (session.lastEventId === undefined) {
      this.channels.join(client, session.channels);
      return;
    }
    // Join first and hold live events while history is read: nothing is missed between the read and the join,
    // and nothing live reaches the client before what it missed.
    client.held = [];
    this.channels.join(client, session.channels);
    const lastEventId = session.lastEventId;
    const missed = await readMissed(this.deps, lastEventId, session.channels, options.maxReplayBytes);
    if (!client.open) return;
    if (missed.gap) client.emit(REPLAY_GAP_EVENT_NAME, { lastEventId });
    for (const envelope of missed.events) client.emit(CLIENT_EVENT_NAME, envelope);
    const filter = new ReplayedFilter(new Set(missed.events.map((envelope) => envelope.id)));
    const held = client.held ?? [];
    client.held = null;
    for (const entry of held) if (!filter.repeats(entry.id) && this.write(client, entry.broadcast)) this.deps.metrics.deliveries.inc();
    client.replayed = filter.active ? filter : null;
  }

  private request(client: LeanClient, name: string, args: unknown[], ackId: number | undefined): void {
    const outcome = handleClientEvent(this.subscriptionTarget(client), client.budget, name, args, ackId !== undefined, this.deps);
    if (outcome.answer && ackId !== undefined) client.sendText(ackPacket(ackId, outcome.answer));
    if (outcome.drop) client.disconnect(CLOSE_POLICY);
  }

  private subscriptionTarget(client: LeanClient): SubscriptionTarget {
    return {
      session: client.session as NonNullable<LeanClient['session']>,
      join: (channels) => this.channels.join(client, channels),
      leave: (channel) => this.channels.leave(client, channel),
    };
  }
}

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Sends fresh WebSockets to the lean connections and every other upgrade to the listeners already there (engine.io's). */
export function routeFreshWebSockets(httpServer: Server, lean: LeanConnections): void {
  const others = httpServer.listeners('upgrade') as UpgradeListener[];
  httpServer.removeAllListeners('upgrade');
  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (isFreshWebSocket(req)) lean.handleUpgrade(req, socket, head);
    else for (const listener of others) listener.call(httpServer, req, socket, head);
  });
}

/**
 * Answers a refused upgrade over HTTP, as engine.io does, with the relay's JSON error body, then closes the socket:
 * the HTTP server no longer tracks it, so a client that keeps its side open must not keep it alive.
 */
function refuseUpgrade(socket: Duplex, reason: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: 'forbidden', message: reason });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

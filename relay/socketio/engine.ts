/**
 * The engine.io front-end: socket.io's long-polling and polling-then-upgrade transport (what `io(url)` does by
 * default), through engine.io's public API: `new Server()`, `handleRequest`/`handleUpgrade`, and per connection
 * `send`, `'message'`, `'packet'`, `'flush'` and `'close'`. The socket.io layer above it is the shared session's.
 * With `--no-lean-websocket` it serves WebSocket-first clients too.
 *
 * What a client has not read yet is counted here: the bytes handed to `send` since engine.io last reported a flush
 * (a flush hands the whole write buffer to the transport, and the next one waits until the transport wrote it).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Server as EngineServer, type Socket as EngineSocket } from 'engine.io';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLIENT_EVENT_NAME } from '../../protocol/index.js';
import type { AddressOf } from '../client-address.js';
import { CLOSE_RESTART } from '../closing.js';
import type { WireFormat } from '../core/subscriber.js';
import type { AllowRequest } from '../limits.js';
import type { RelayMetrics } from '../metrics.js';
import type { RelayOptions } from '../options.js';
import { decodeSocketPacket, eventPacket } from './packets.js';
import type { SocketIoProtocol } from './protocol.js';
import type { SocketIoTransport } from './transport.js';

/** A live event as the socket.io packet engine.io sends as one message. */
const ENGINE_FORMAT: WireFormat<string> = { name: 'engine.io', encode: (envelope) => eventPacket(CLIENT_EVENT_NAME, envelope) };

/**
 * On long-polling a disconnect packet leaves with the client's next poll; closing the session at once would fail its
 * pending request first and look like a transport error (which socket.io-client reconnects after).
 */
const POLLING_DROP_GRACE_MS = 1_000;

/**
 * Each engine.io WebSocket by the request that opened it (a fresh one) or the session it upgrades: closing one with
 * a chosen code (1002, 1008, 1012) needs the WebSocket, which engine.io's API does not expose. engine.io takes the
 * WebSocket server to use as its documented `wsEngine` option; this one is `ws`'s, noting what it opens. Session ids
 * are the relay's own, through engine.io's documented `generateId` override.
 */
class WebSockets {
  readonly byRequest = new WeakMap<IncomingMessage, WebSocket>();
  readonly bySession = new Map<string, WebSocket>();
  readonly sessionIds = new WeakMap<IncomingMessage, string>();

  generateId = (req: IncomingMessage): string => {
    const id = randomBytes(15).toString('base64url');
    this.sessionIds.set(req, id);
    return id;
  };

  engine(): unknown {
    const { byRequest, bySession } = this;
    return class TrackingWebSocketServer extends WebSocketServer {
      override handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, done: (ws: WebSocket, req: IncomingMessage) => void): void {
        super.handleUpgrade(req, socket, head, (ws: WebSocket, request: IncomingMessage) => {
          const sid = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('sid');
          if (sid === null) byRequest.set(req, ws);
          else {
            bySession.set(sid, ws);
            ws.once('close', () => bySession.get(sid) === ws && bySession.delete(sid));
          }
          done(ws, request);
        });
      }
    };
  }

  of(socket: EngineSocket): WebSocket | undefined {
    if (socket.transport.name !== 'websocket') return undefined;
    const id = this.sessionIds.get(socket.request);
    return (id === undefined ? undefined : this.bySession.get(id)) ?? this.byRequest.get(socket.request);
  }
}

/** engine.io's documented way to choose session ids: overriding generateId. */
class RelayEngineServer extends EngineServer {
  constructor(
    private readonly relaySockets: WebSockets,
    options: ConstructorParameters<typeof EngineServer>[0],
  ) {
    super(options);
  }

  override generateId(req: IncomingMessage): string {
    return this.relaySockets.generateId(req);
  }
}

class EngineTransport implements SocketIoTransport {
  readonly format = ENGINE_FORMAT;
  private queuedBytes = 0;
  private queuedPackets = 0;

  constructor(
    readonly socket: EngineSocket,
    readonly address: string,
    private readonly sockets: WebSockets,
  ) {
    socket.on('flush', () => {
      this.queuedBytes = 0;
      this.queuedPackets = 0;
    });
  }

  get open(): boolean {
    return this.socket.readyState === 'open';
  }

  send(packet: string): void {
    if (!this.open) return;
    this.socket.send(packet);
    this.queuedBytes += packet.length;
    this.queuedPackets++;
  }

  write(frames: readonly unknown[]): void {
    for (const frame of frames) this.send(frame as string);
  }

  pendingBytes(): number {
    return this.queuedBytes;
  }

  pendingPackets(): number {
    return this.queuedPackets;
  }

  close(code: number): void {
    const ws = this.sockets.of(this.socket);
    ws?.close(code, code === CLOSE_RESTART ? 'service restart' : undefined);
    // Read none of its frames still in flight (the rest of a flood) while the close handshake completes.
    this.socket.close(ws !== undefined);
  }

  closeAfterDisconnect(code: number): void {
    const ws = this.sockets.of(this.socket);
    if (ws) {
      ws.close(code);
      this.socket.close(true);
      return;
    }
    const socket = this.socket;
    setTimeout(() => socket.close(true), POLLING_DROP_GRACE_MS).unref();
  }

  terminate(): void {
    const ws = this.sockets.of(this.socket);
    this.socket.close(true);
    ws?.terminate();
  }
}

export interface EngineFrontEndDeps {
  options: RelayOptions;
  metrics: RelayMetrics;
  protocol: SocketIoProtocol;
  allowRequest: AllowRequest;
  addressOf: AddressOf;
  openByIp: Map<string, number>;
}

export class EngineFrontEnd {
  private readonly engine: EngineServer;
  private readonly sockets = new WebSockets();

  constructor(private readonly deps: EngineFrontEndDeps) {
    const { options } = deps;
    this.engine = new RelayEngineServer(this.sockets, {
      // Clients only send small control messages; events flow the other way.
      maxHttpBufferSize: options.maxClientMessageBytes,
      pingInterval: options.pingIntervalMs,
      pingTimeout: options.pingTimeoutMs,
      cors: { origin: options.corsOrigins.length > 0 ? options.corsOrigins : true, methods: ['GET', 'POST'] },
      allowRequest: deps.allowRequest,
      perMessageDeflate: false,
      wsEngine: this.sockets.engine(),
    });
    this.engine.on('connection', (socket: EngineSocket) => this.opened(socket));
  }

  get size(): number {
    return this.engine.clientsCount;
  }

  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    this.engine.handleRequest(req, res);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.engine.handleUpgrade(req, socket, head);
  }

  close(): void {
    this.engine.close();
  }

  private opened(socket: EngineSocket): void {
    const { openByIp, metrics, protocol, addressOf } = this.deps;
    const address = addressOf(socket.request);
    const session = protocol.opened(new EngineTransport(socket, address, this.sockets), this.sockets.sessionIds.get(socket.request));
    openByIp.set(address, (openByIp.get(address) ?? 0) + 1);
    socket.on('message', (data: unknown) => {
      session.receive(typeof data === 'string' ? decodeSocketPacket(data) : { kind: 'invalid', reason: 'binary packets are not accepted' });
    });
    // Frames that are no event (noops, client pings) count against the message rate; pongs, which answer the
    // relay's own pings, do not.
    socket.on('packet', (packet: { type: string }) => {
      if (packet.type !== 'message' && packet.type !== 'pong') session.charge();
    });
    socket.once('close', (reason: string, description?: { message?: string }) => {
      // ws says "max payload size exceeded" (WebSocket); engine.io's polling transport "payload too large" (a 413).
      if (reason === 'transport error' && /max payload size exceeded|payload too large/i.test(description?.message ?? '')) {
        metrics.rejections.inc({ reason: 'message_too_large' });
      }
      protocol.closed(session);
      const left = (openByIp.get(address) ?? 1) - 1;
      if (left <= 0) openByIp.delete(address);
      else openByIp.set(address, left);
    });
  }
}

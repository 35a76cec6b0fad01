/**
 * The WebSocket front-end: clients that open a WebSocket straight away (`transports: ['websocket']`, what the Live
 * Notifications block does) get `ws` and a small record, speaking engine.io v4 over WebSocket themselves (open packet,
 * heartbeat), the socket.io layer being the shared session's. Everything else under /socket.io/ goes to engine.io.
 *
 * Why: a socket.io or engine.io socket costs several KiB of heap per connection; this record and `ws` about 2.5 KiB
 * (docs/benchmarks.md). Frames to the client are written by ws-frames.ts to the TCP socket the HTTP server handed
 * over for the upgrade (ours, not a `ws` internal); its writableLength is what the client has not read yet.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket as TcpSocket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CLIENT_EVENT_NAME } from '../../protocol/index.js';
import type { AddressOf } from '../client-address.js';
import { CLOSE_NORMAL, CLOSE_RESTART } from '../closing.js';
import type { WireFormat } from '../core/subscriber.js';
import type { AllowRequest } from '../limits.js';
import type { RelayMetrics } from '../metrics.js';
import type { RelayOptions } from '../options.js';
import { decodeIncoming, eventPacket, MESSAGE, openPacket, PING } from './packets.js';
import type { SocketIoProtocol } from './protocol.js';
import type { SocketIoSession } from './session.js';
import type { SocketIoTransport } from './transport.js';
import { gateUpgrade } from '../upgrades.js';
import { textFrame } from './ws-frames.js';

const SOCKET_IO_PATH = '/socket.io/';
const WS_OPEN = 1;
const MAX_TICK_MS = 250;
const MIN_TICK_MS = 10;

/** A live event as a WebSocket frame; a turn's frames are joined into one buffer, one write. */
const WEBSOCKET_FORMAT: WireFormat<Buffer> = {
  name: 'websocket',
  encode: (envelope) => textFrame(MESSAGE + eventPacket(CLIENT_EVENT_NAME, envelope)),
  join: (frames) => Buffer.concat(frames),
};

/** Whether an upgrade request is a fresh engine.io v4 WebSocket (not a polling session upgrading). */
export function isFreshWebSocket(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  if (query === -1 || url.slice(0, query) !== SOCKET_IO_PATH) return false;
  const params = new URLSearchParams(url.slice(query + 1));
  return params.get('EIO') === '4' && params.get('transport') === 'websocket' && !params.has('sid');
}

class WebSocketTransport implements SocketIoTransport {
  readonly format = WEBSOCKET_FORMAT;
  session!: SocketIoSession;
  /** A ping went out and no pong has come back yet. */
  pongDue = false;
  /** When the last ping went out (ms); the first one is due a ping interval after opening. */
  pingedAt = Date.now();

  constructor(
    readonly ws: WebSocket,
    private readonly tcp: TcpSocket,
    readonly address: string,
  ) {}

  get open(): boolean {
    return this.ws.readyState === WS_OPEN;
  }

  sendText(text: string): void {
    if (this.open) this.tcp.write(textFrame(text));
  }

  send(packet: string): void {
    this.sendText(MESSAGE + packet);
  }

  write(_frames: readonly unknown[], joined: unknown): void {
    if (this.open) this.tcp.write(joined as Buffer);
  }

  pendingBytes(): number {
    return this.tcp.writableLength;
  }

  pendingPackets(): number {
    return 0;
  }

  close(code: number): void {
    this.ws.close(code, code === CLOSE_RESTART ? 'service restart' : undefined);
  }

  closeAfterDisconnect(code: number): void {
    this.ws.close(code);
  }

  terminate(): void {
    this.ws.terminate();
  }
}

export interface WebSocketFrontEndDeps {
  options: RelayOptions;
  metrics: RelayMetrics;
  protocol: SocketIoProtocol;
  allowRequest: AllowRequest;
  addressOf: AddressOf;
  openByIp: Map<string, number>;
}

export class WebSocketFrontEnd {
  /** Each open connection's record, found from the `ws` socket an event came from. */
  private readonly transports = new Map<WebSocket, WebSocketTransport>();
  private readonly wss: WebSocketServer;
  private timer: NodeJS.Timeout | undefined;
  /**
   * The listeners every connection shares (`this` is the emitting `ws` socket): three closures per connection and
   * their context cost about 0.4 KiB each, a tenth of a connection's heap at 1k subscribers (docs/benchmarks.md).
   */
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  private readonly onError: (error: Error & { code?: string }) => void;
  private readonly onClose: (this: WebSocket) => void;

  constructor(private readonly deps: WebSocketFrontEndDeps) {
    this.wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: deps.options.maxClientMessageBytes });
    const { transports } = this;
    const received = (transport: WebSocketTransport, data: RawData, isBinary: boolean): void => this.received(transport, data, isBinary);
    this.onMessage = function (data, isBinary) {
      const transport = transports.get(this);
      if (transport) received(transport, data, isBinary);
    };
    this.onError = (error) => {
      const tooLarge = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      deps.metrics.rejections.inc({ reason: tooLarge ? 'message_too_large' : 'invalid_frame' });
    };
    this.onClose = function () {
      const transport = transports.get(this);
      if (!transport) return;
      transports.delete(this);
      deps.protocol.closed(transport.session);
      const left = (deps.openByIp.get(transport.address) ?? 1) - 1;
      if (left <= 0) deps.openByIp.delete(transport.address);
      else deps.openByIp.set(transport.address, left);
    };
  }

  /** The engine.io heartbeat for every connection in one sweep (as engine.io: a ping pingInterval after the last pong). */
  start(): void {
    const { pingIntervalMs, pingTimeoutMs } = this.deps.options;
    const tick = Math.max(MIN_TICK_MS, Math.min(MAX_TICK_MS, pingIntervalMs / 4, pingTimeoutMs / 4));
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const transport of this.transports.values()) {
        if (transport.pongDue && now - transport.pingedAt >= pingTimeoutMs) transport.terminate();
        else if (!transport.pongDue && now - transport.pingedAt >= pingIntervalMs) {
          transport.pongDue = true;
          transport.pingedAt = now;
          transport.sendText(PING);
        }
      }
    }, tick);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const address = this.deps.addressOf(req);
    gateUpgrade(this.deps.allowRequest, req, socket, () => this.wss.handleUpgrade(req, socket, head, (ws) => this.opened(ws, socket as TcpSocket, address)));
  }

  private opened(ws: WebSocket, tcp: TcpSocket, address: string): void {
    const { options, openByIp, protocol } = this.deps;
    const transport = new WebSocketTransport(ws, tcp, address);
    const session = protocol.opened(transport);
    transport.session = session;
    this.transports.set(ws, transport);
    openByIp.set(address, (openByIp.get(address) ?? 0) + 1);
    ws.on('message', this.onMessage);
    ws.on('error', this.onError);
    ws.once('close', this.onClose);
    transport.sendText(openPacket(session.id, options.pingIntervalMs, options.pingTimeoutMs, options.maxClientMessageBytes));
  }

  /** The engine.io layer; socket.io packets go on to the session. */
  private received(transport: WebSocketTransport, data: RawData, isBinary: boolean): void {
    if (!transport.open) return;
    const session = transport.session;
    const packet = isBinary ? { kind: 'invalid' as const, reason: 'binary frames are not accepted' } : decodeIncoming(data.toString());
    if (packet.kind === 'pong') {
      // Pongs answer the relay's own pings, at the rate the relay chose: not charged.
      transport.pongDue = false;
      return;
    }
    if (packet.kind === 'close') return transport.close(CLOSE_NORMAL);
    // Events are charged by the session's message handling; every other frame here.
    if (packet.kind !== 'event' && packet.kind !== 'invalid') session.charge();
    session.receive(packet);
  }
}

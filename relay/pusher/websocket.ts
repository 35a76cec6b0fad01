/**
 * The Pusher protocol front-end: WebSocket connections at `/app/<key>` (pusher-js, Laravel Echo), on the relay's own
 * port, speaking Pusher Channels protocol 7 over `ws`. Each connection is a PusherConnection, a Subscriber of the one
 * delivery core: the same channels, history-backed events, limits and metrics as socket.io clients.
 */
import { randomInt } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket as TcpSocket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Broker } from '../broker.js';
import type { AddressOf } from '../client-address.js';
import type { DeliveryCore, UserTermination } from '../core/delivery.js';
import type { AllowRequest, HandshakeRefusal } from '../limits.js';
import type { RelayMetrics } from '../metrics.js';
import type { RelayOptions } from '../options.js';
import { gateUpgrade, refuseUpgrade } from '../upgrades.js';
import type { PusherApps } from './apps.js';
import { PusherConnection, type PusherConnectionDeps } from './connection.js';
import { ACTIVITY_TIMEOUT_SECONDS, connectionEstablished, decodeClientMessage, errorMessage, PUSHER_CODES, PUSHER_PROTOCOL_VERSION } from './messages.js';

const APP_PATH = /^\/app\/([^/?]+)\/?(?:\?(.*))?$/;
const SWEEP_MS = 5_000;
/** How long a ping of the relay's may stay unanswered. */
const PONG_TIMEOUT_MS = 30_000;
const CLOSE_WAIT_MS = 1_000;

export function isPusherPath(url: string | undefined): boolean {
  return url !== undefined && url.startsWith('/app/');
}

export interface PusherFrontEndDeps {
  apps: PusherApps;
  core: DeliveryCore;
  broker: Pick<Broker, 'publishClientEvent'>;
  options: RelayOptions;
  metrics: RelayMetrics;
  clientEventChannels: RegExp | null;
  allowRequest: AllowRequest;
  addressOf: AddressOf;
  openByIp: Map<string, number>;
  limitHandshake: (address: string) => Promise<HandshakeRefusal | null>;
}

export class PusherFrontEnd {
  private readonly connections = new Map<WebSocket, PusherConnection>();
  /** Signed-in connections by app id and user id (`<app>\n<user>`): what a termination closes. */
  private readonly byUser = new Map<string, Set<PusherConnection>>();
  private readonly wss: WebSocketServer;
  private timer: NodeJS.Timeout | undefined;
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  private readonly onClose: (this: WebSocket) => void;
  private readonly onError: (error: Error & { code?: string }) => void;
  /** What every connection is given: the front-end's deps, and where it reports that it signed in. */
  private readonly connectionDeps: PusherConnectionDeps;

  constructor(private readonly deps: PusherFrontEndDeps) {
    this.wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: deps.options.maxClientMessageBytes });
    const { connections, byUser } = this;
    this.connectionDeps = {
      ...deps,
      signedIn: (signed) => {
        const key = userKey(signed.app.id, signed.user as string);
        let set = byUser.get(key);
        if (!set) byUser.set(key, (set = new Set()));
        set.add(signed);
      },
    };
    this.onMessage = function (data, isBinary) {
      const connection = connections.get(this);
      if (!connection || !connection.open) return;
      if (isBinary) return connection.receive({ kind: 'invalid', reason: 'binary frames are not accepted' });
      connection.receive(decodeClientMessage(data.toString()));
    };
    this.onClose = function () {
      const connection = connections.get(this);
      if (!connection) return;
      connections.delete(this);
      deps.core.remove(connection, [...connection.channels]);
      if (connection.user !== null) {
        const key = userKey(connection.app.id, connection.user);
        const signedIn = byUser.get(key);
        signedIn?.delete(connection);
        if (signedIn?.size === 0) byUser.delete(key);
      }
      const left = (deps.openByIp.get(connection.address) ?? 1) - 1;
      if (left <= 0) deps.openByIp.delete(connection.address);
      else deps.openByIp.set(connection.address, left);
    };
    this.onError = (error) => {
      deps.metrics.rejections.inc({ reason: error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'message_too_large' : 'invalid_frame' });
    };
  }

  get size(): number {
    return this.connections.size;
  }

  start(): void {
    this.deps.core.onTermination((termination) => this.terminate(termination));
    this.timer = setInterval(() => this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const address = this.deps.addressOf(req);
    gateUpgrade(this.deps.allowRequest, req, socket, () =>
      this.deps.limitHandshake(address).then(
        (refusal) => {
          if (refusal) return refuseUpgrade(socket, refusal.message, 429);
          this.wss.handleUpgrade(req, socket, head, (ws) => this.opened(ws, socket as TcpSocket, req.url ?? '', address));
        },
        () => socket.destroy(),
      ),
    );
  }

  /** For a restart: 4200 tells pusher-js to reconnect at once (a transport loss, not "go away"). */
  async closeAllForRestart(): Promise<void> {
    const leaving = [...this.connections.values()];
    for (const connection of leaving) connection.close(PUSHER_CODES.reconnect, 'service restart');
    const deadline = Date.now() + CLOSE_WAIT_MS;
    while (leaving.some((connection) => this.connections.has(connection.ws)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const connection of leaving) if (this.connections.has(connection.ws)) connection.cut();
  }

  /**
   * Closes this relay's connections signed in as the user (every relay gets the termination through the broker):
   * pusher:error 4009 then close 4009, which pusher-js does not retry.
   */
  private terminate({ app, user }: UserTermination): void {
    const signedIn = this.byUser.get(userKey(app, user));
    if (!signedIn) return;
    for (const connection of [...signedIn]) connection.fail(PUSHER_CODES.unauthorized, `the server terminated the connections of user ${user}`);
  }

  private opened(ws: WebSocket, tcp: TcpSocket, url: string, address: string): void {
    const match = APP_PATH.exec(url);
    const key = decodeURIComponent(match?.[1] ?? '');
    const query = new URLSearchParams(match?.[2] ?? '');
    const app = this.deps.apps.withKey(key);
    // Pusher answers these on the open WebSocket (pusher:error, then the close code), so pusher-js can tell why.
    if (!app) {
      this.deps.metrics.rejections.inc({ reason: 'unknown_app' });
      return closeWith(ws, PUSHER_CODES.appNotFound, `App key ${key} not in this relay's apps`);
    }
    const protocol = Number(query.get('protocol') ?? PUSHER_PROTOCOL_VERSION);
    if (!Number.isInteger(protocol) || protocol < 5 || protocol > PUSHER_PROTOCOL_VERSION) {
      this.deps.metrics.rejections.inc({ reason: 'invalid_handshake' });
      return closeWith(ws, PUSHER_CODES.protocolUnsupported, `Unsupported protocol version ${query.get('protocol')}; this relay speaks 5 to ${PUSHER_PROTOCOL_VERSION}`);
    }
    const socketId = `${randomInt(1, 2 ** 31)}.${randomInt(1, 2 ** 31)}`;
    const connection = new PusherConnection(ws, tcp, app, socketId, address, this.connectionDeps);
    this.connections.set(ws, connection);
    this.deps.openByIp.set(address, (this.deps.openByIp.get(address) ?? 0) + 1);
    ws.on('message', this.onMessage);
    ws.on('error', this.onError);
    ws.once('close', this.onClose);
    connection.send(connectionEstablished(socketId));
  }

  /** Pusher's activity check, for every connection in one pass: ping the silent, close the ones that never answer. */
  private sweep(): void {
    const now = Date.now();
    for (const connection of this.connections.values()) {
      if (connection.pingedAt !== null) {
        if (now - connection.pingedAt > PONG_TIMEOUT_MS) connection.close(PUSHER_CODES.pongNotReceived, 'Pong reply not received');
      } else if (now - connection.lastSeen > ACTIVITY_TIMEOUT_SECONDS * 1000) {
        connection.pingedAt = now;
        connection.send(JSON.stringify({ event: 'pusher:ping', data: {} }));
      }
    }
  }
}

function userKey(app: string, user: string): string {
  return `${app}\n${user}`;
}

function closeWith(ws: WebSocket, code: number, message: string): void {
  ws.send(errorMessage(code, message));
  ws.close(code, message.slice(0, 120));
}

/**
 * createRelay(options) → { start, stop }: ingest → broker/log → delivery core → front-ends, on one port (see
 * docs/architecture.md). A plain handler for ingest, express for the rest of HTTP (health, metrics), and browsers
 * through two front-ends sharing one socket.io session layer: the WebSocket front-end for clients that open a
 * WebSocket straight away, engine.io for polling and upgrading ones. Each concern lives in its own module; this file
 * only wires them.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import { type Broker, LocalBroker } from './broker.js';
import { addressResolver } from './client-address.js';
import { DeliveryCore } from './core/delivery.js';
import { EventHistory } from './history.js';
import { sendError } from './http-errors.js';
import { CONNECTIONS_CHECKING_INTERVAL_MS, guardHttpConnections } from './http-connections.js';
import { type ChannelDirectory, createChannelsApiHandler, isChannelsApiPath } from './channels-api.js';
import { clientEventChannels as clientEventChannelsOf } from './client-events.js';
import { createIngestHandler, isIngestPath } from './ingest.js';
import { connectionGate, handshakeLimiter } from './limits.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type RelayMetrics } from './metrics.js';
import { type RelayOptions, withDefaults } from './options.js';
import { redactRedisUrl } from './redis/connection.js';
import { RedisBroker } from './redis/broker.js';
import { EngineFrontEnd } from './socketio/engine.js';
import { SocketIoProtocol } from './socketio/protocol.js';
import { isFreshWebSocket, WebSocketFrontEnd } from './socketio/websocket.js';
import { PusherApps } from './pusher/apps.js';
import { createPusherApi, isPusherApiPath } from './pusher/http-api.js';
import { isPusherPath, PusherFrontEnd } from './pusher/websocket.js';
import { reportDecisions, reportingClientEvents } from './webhook-reports.js';
import { createWebhooks } from './webhooks.js';

export { RELAY_DEFAULTS, type RelayOptions } from './options.js';

export interface Relay {
  /** Listens and resolves with the base URL once connections are accepted. */
  start(): Promise<string>;
  /**
   * Stops accepting, lets in-flight requests finish (bounded by drainTimeoutMs: a request still unfinished then is
   * cut), then closes every client's transport as a restart (WebSocket 1012, engine.io's close packet when polling,
   * never a disconnect packet), so that socket.io clients reconnect by themselves and resume with lastEventId.
   * Resolves within drainTimeoutMs plus a few seconds whatever the clients do.
   */
  stop(): Promise<void>;
  /**
   * Ends every client's session ("io server disconnect"), lean and socket.io alike; the relay keeps running.
   * socket.io-client does not reconnect after it: this is "go away", not a restart (stop() is the restart).
   */
  disconnectClients(): Promise<void>;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
}

export function createRelay(input: Partial<RelayOptions> & { secret: string; logger?: Logger }): Relay {
  const options = withDefaults(input);
  const logger = input.logger ?? createLogger(options.logLevel);
  const app = express();
  let draining = false;
  let inFlight = 0;
  const httpServer: HttpServer = createServer({ connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS }, handleRequest);
  const openByIp = new Map<string, number>();
  const history = new EventHistory(options.history, options.historyChannels);

  const metrics = createMetrics({
    connections: () => protocol.size + (pusher?.size ?? 0),
    historyEvents: () => history.size,
  });
  const core = new DeliveryCore(options, metrics, logger);
  metrics.registerFrames(core.framesByFormat);
  const addressOf = addressResolver(options.trustProxy);
  guardHttpConnections(httpServer, options, metrics, logger);
  const allowRequest = connectionGate(options, metrics, openByIp, addressOf);
  const limitHandshake = handshakeLimiter(options, metrics);
  const redisUrl = options.redisUrl;
  const redisBroker = redisUrl === undefined ? undefined : new RedisBroker({ core, options: { ...options, redisUrl }, metrics, logger });
  // Created before the front-ends: the core reports what it decides from the first client on.
  const webhooks = createWebhooks({ options, isReady: () => !draining && broker.isReady(), metrics, logger });
  reportDecisions(core, webhooks, redisBroker?.occupancy);
  const broker: Broker = reportingClientEvents(redisBroker ?? new LocalBroker(history, metrics, core), webhooks);
  const clientEventChannels = clientEventChannelsOf(options.clientEvents);
  const protocol = new SocketIoProtocol({ core, broker, options, metrics, logger, limitHandshake, clientEventChannels });
  const frontEndDeps = { options, metrics, protocol, allowRequest, addressOf, openByIp };
  const engine = new EngineFrontEnd(frontEndDeps);
  const websockets = options.leanWebSocket ? new WebSocketFrontEnd(frontEndDeps) : undefined;
  const pusherApps = new PusherApps(options.pusherApps);
  const directory: ChannelDirectory = redisBroker?.directory ?? {
    occupied: async () => core.occupied(),
    members: (channel) => core.presence.members(channel),
  };
  const pusher =
    pusherApps.size === 0
      ? undefined
      : new PusherFrontEnd({ apps: pusherApps, core, broker, options, metrics, clientEventChannels, allowRequest, addressOf, openByIp, limitHandshake });
  const pusherApi =
    pusherApps.size === 0 ? undefined : createPusherApi({ apps: pusherApps, broker, directory, options, metrics, logger, addressOf, isDraining: () => draining });
  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pusher && isPusherPath(req.url)) pusher.handleUpgrade(req, socket, head);
    else if (!isEnginePath(req.url)) socket.destroy();
    else if (websockets && isFreshWebSocket(req)) websockets.handleUpgrade(req, socket, head);
    else engine.handleUpgrade(req, socket, head);
  });
  const channelsApi = createChannelsApiHandler({ secret: options.secret, directory, metrics, logger });
  const ingest = createIngestHandler({ options, broker, metrics, logger, isDraining: () => draining, addressOf });

  /** Ingest, the hot path, skips express; engine.io answers its own path. */
  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    if (isEnginePath(req.url)) return engine.handleRequest(req, res);
    // In flight until the response closes, so that stop() lets accepted events go out first.
    inFlight++;
    res.once('close', () => inFlight--);
    if (isIngestPath(req.url)) ingest(req, res);
    else if (pusherApi && isPusherApiPath(req.url)) pusherApi(req, res);
    else if (isChannelsApiPath(req.url)) channelsApi(req, res);
    else app(req, res);
  }

  app.disable('x-powered-by');
  // API responses are never revalidated: hashing every body for an ETag is pure cost.
  app.disable('etag');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    if (draining) return sendError(res, 503, 'draining', 'the relay is shutting down');
    if (!broker.isReady()) return sendError(res, 503, 'unavailable', 'the shared store is unreachable');
    res.json({ status: 'ready' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use((req, res) => sendError(res, 404, 'not_found', `no route for ${req.method} ${req.path}`));
  app.use((error: Error & { status?: number }, req: Request, res: Response, _next: NextFunction) => {
    if (error.status !== undefined && error.status >= 400 && error.status < 500) {
      return sendError(res, error.status, 'invalid_event', error.message);
    }
    logger.error({ err: error, path: req.path }, 'unhandled error');
    sendError(res, 500, 'internal_error', 'the relay failed to handle this request');
  });

  async function start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
    protocol.start();
    websockets?.start();
    pusher?.start();
    if (redisBroker && redisUrl !== undefined) {
      logger.info({ redis: redactRedisUrl(redisUrl) }, 'connecting to redis; /readyz answers 503 until this relay shares its broadcasts');
      redisBroker.start();
    }
    // Ready means listening (and, with Redis, sharing broadcasts): the sites are told then, and after every outage.
    webhooks.start();
    const { port } = httpServer.address() as AddressInfo;
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    return `http://${host}:${port}`;
  }

  async function disconnectClients(): Promise<void> {
    core.flush();
    await protocol.disconnectAll();
  }

  async function stop(): Promise<void> {
    if (draining) return;
    draining = true;
    protocol.stop();
    websockets?.stop();
    pusher?.stop();
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    const deadline = Date.now() + options.drainTimeoutMs;
    // In-flight ingest requests finish first: an event the relay accepted is broadcast before clients are let go.
    while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    if (inFlight > 0) logger.warn({ requests: inFlight }, 'drain timeout: cutting requests still in flight');
    // What the last requests accepted goes out now, then the restart as clients see it: the transport closes
    // (1012 / engine.io close), no "io server disconnect".
    core.flush();
    await Promise.all([protocol.closeAllForRestart(), pusher?.closeAllForRestart()]);
    // What is still open now (a stuck request, a client that ignored its close) is cut, so the steps below cannot wait on it.
    httpServer.closeAllConnections();
    engine.close();
    httpServer.closeAllConnections();
    await bounded(closed, 'HTTP server close');
    await bounded(broker.close(), 'broker close');
    // The channels this relay vacated (and, with Redis, the members it let go) are reported within a second.
    await webhooks.stop(1_000);
    logger.info('relay stopped');
  }

  /** Each late shutdown step gets at most a second: stop() must end within the drain timeout plus a few seconds. */
  async function bounded(step: Promise<unknown>, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 1_000)));
    const outcome = await Promise.race([step.then(() => 'done' as const, () => 'done' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') logger.warn({ step: what }, 'shutdown step took over 1 s; going on');
  }

  return { start, stop, disconnectClients, metrics, logger };
}

const ENGINE_PATH = '/socket.io/';

function isEnginePath(url: string | undefined): boolean {
  return url !== undefined && url.startsWith(ENGINE_PATH);
}

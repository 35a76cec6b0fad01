/**
 * createRelay(options) → { start, stop }: a plain handler for ingest, express for the rest of HTTP (health, metrics)
 * and browsers on one port: lean WebSocket connections (relay/lean/) for clients that open a WebSocket straight away,
 * socket.io for the rest. Each concern lives in its own module; this file only wires them.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Server } from 'socket.io';
import { type Broker, LocalBroker } from './broker.js';
import { addressResolver } from './client-address.js';
import { startExpirySweep } from './expiry.js';
import { installFastPath } from './fast-path.js';
import { FrameWriter } from './frame-writer.js';
import { EventHistory } from './history.js';
import { sendError } from './http-errors.js';
import { createIngestHandler, isIngestPath } from './ingest.js';
import { LeanConnections, routeFreshWebSockets } from './lean/server.js';
import { connectionGate, handshakeLimiter, startSlowConsumerGuard, trackConnectionsPerIp } from './limits.js';
import { createLogger, type Logger } from './logger.js';
import { installLiveGate } from './live-gate.js';
import { createMetrics, type RelayMetrics } from './metrics.js';
import { type RelayOptions, withDefaults } from './options.js';
import { redactRedisUrl } from './redis/connection.js';
import { RedisBroker } from './redis/broker.js';
import { attachSockets } from './sockets.js';
import { type ReadyWebhooks, startReadyWebhooks } from './webhooks.js';

export { RELAY_DEFAULTS, type RelayOptions } from './options.js';

export interface Relay {
  /** Listens and resolves with the base URL once connections are accepted. */
  start(): Promise<string>;
  /** Stops accepting, lets in-flight requests finish (bounded by drainTimeoutMs), disconnects clients. */
  stop(): Promise<void>;
  /** Ends every client's session ("io server disconnect"), lean and socket.io alike; the relay keeps running. */
  disconnectClients(): Promise<void>;
  /** socket.io's server: polling clients, and WebSocket clients too under `leanWebSocket: false`. */
  readonly io: Server;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
}

export function createRelay(input: Partial<RelayOptions> & { secret: string; logger?: Logger }): Relay {
  const options = withDefaults(input);
  const logger = input.logger ?? createLogger(options.logLevel);
  const app = express();
  let draining = false;
  let inFlight = 0;
  const httpServer: HttpServer = createServer(handleRequest);
  const openByIp = new Map<string, number>();
  const history = new EventHistory(options.history, options.historyChannels);

  const io = new Server(httpServer, {
    serveClient: false,
    // Clients only send small control messages; events flow the other way.
    maxHttpBufferSize: options.maxClientMessageBytes,
    pingInterval: options.pingIntervalMs,
    pingTimeout: options.pingTimeoutMs,
    cors: { origin: options.corsOrigins.length > 0 ? options.corsOrigins : true, methods: ['GET', 'POST'] },
    allowRequest: undefined,
  });
  let lean: LeanConnections | undefined;
  const metrics = createMetrics({
    connections: () => io.engine.clientsCount + (lean?.size ?? 0),
    historyEvents: () => history.size,
  });
  const addressOf = addressResolver(options.trustProxy);
  const allowRequest = connectionGate(options, metrics, openByIp, addressOf);
  io.engine.opts.allowRequest = allowRequest;
  trackConnectionsPerIp(io, openByIp, metrics, addressOf);
  const limitHandshake = handshakeLimiter(options, metrics);
  const writer = new FrameWriter(options.maxClientBufferBytes);
  const redisUrl = options.redisUrl;
  // The Redis broker installs the socket.io Redis Streams adapter, so it exists before the gate wraps that adapter.
  const redisBroker = redisUrl === undefined ? undefined : new RedisBroker({ io, options: { ...options, redisUrl }, metrics, logger });
  const broker: Broker = redisBroker ?? new LocalBroker(io, history, metrics, (channel) => lean?.audience(channel) ?? 0, logger);
  if (options.leanWebSocket) {
    lean = new LeanConnections({ options, metrics, logger, broker, writer, allowRequest, addressOf, openByIp, limitHandshake });
    routeFreshWebSockets(httpServer, lean);
  }
  const gate = installLiveGate(io.of('/'), {
    onDelivery: () => metrics.deliveries.inc(),
    onProbe: (token) => redisBroker?.onProbe(token),
  });
  // Installed after the gate so that it wraps it: a held delivery takes the fast path when it is released.
  const fastPath = installFastPath(io.of('/'), {
    writer,
    onSlowConsumer: (socket, unsentBytes) => {
      metrics.rejections.inc({ reason: 'slow_consumer' });
      logger.warn({ id: socket.id, pendingBytes: unsentBytes }, 'slow consumer disconnected');
    },
    alsoDeliver: lean ? lean.deliver.bind(lean) : undefined,
  });
  metrics.registerFastPath(fastPath, lean?.stats);
  attachSockets({ io, options, broker, metrics, logger, gate, limitHandshake, addressOf });
  const ingest = createIngestHandler({ options, broker, metrics, logger, isDraining: () => draining, addressOf });
  let stopGuard = (): void => {};
  let stopExpirySweep = (): void => {};
  let webhooks: ReadyWebhooks | undefined;

  /** socket.io answers its own path before this; ingest, the hot path, skips express. */
  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    // In flight until the response closes, so that stop() lets accepted events go out first.
    inFlight++;
    res.once('close', () => inFlight--);
    if (isIngestPath(req.url)) ingest(req, res);
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
    stopGuard = startSlowConsumerGuard(io, options, metrics, logger);
    stopExpirySweep = startExpirySweep(io, logger);
    lean?.start();
    if (redisBroker && redisUrl !== undefined) {
      logger.info({ redis: redactRedisUrl(redisUrl) }, 'connecting to redis; /readyz answers 503 until this relay shares its broadcasts');
      redisBroker.start();
    }
    // Ready means listening (and, with Redis, sharing broadcasts): the sites are told then, and after every outage.
    webhooks = startReadyWebhooks({ options, isReady: () => !draining && broker.isReady(), metrics, logger });
    const { port } = httpServer.address() as AddressInfo;
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    return `http://${host}:${port}`;
  }

  async function disconnectClients(): Promise<void> {
    io.disconnectSockets(true);
    await lean?.disconnectAll();
  }

  async function stop(): Promise<void> {
    if (draining) return;
    draining = true;
    webhooks?.stop();
    stopGuard();
    stopExpirySweep();
    lean?.stop();
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    const deadline = Date.now() + options.drainTimeoutMs;
    // In-flight ingest requests finish first: an event the relay accepted is broadcast before clients are let go.
    while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await disconnectClients();
    await new Promise<void>((resolve) => io.close(() => resolve()));
    httpServer.closeAllConnections();
    await closed;
    await broker.close();
    logger.info('relay stopped');
  }

  return { start, stop, disconnectClients, io, metrics, logger };
}

/**
 * Limits that keep one client from hurting the others: connections per IP, handshake rate, allowed origins, and the slow-consumer
 * guard that drops a client whose unsent output keeps growing instead of letting it exhaust memory.
 */
import type { IncomingMessage } from 'node:http';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Server } from 'socket.io';
import type { AddressOf } from './client-address.js';
import type { Logger } from './logger.js';
import type { RelayMetrics } from './metrics.js';
import type { RelayOptions } from './options.js';

const SWEEP_INTERVAL_MS = 250;

type AllowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void;

/** engine.io's allowRequest hook: refuses disallowed browser origins and IPs over their connection quota. */
export function connectionGate(options: RelayOptions, metrics: RelayMetrics, openByIp: Map<string, number>, addressOf: AddressOf): AllowRequest {
  const origins = new Set(options.corsOrigins);
  return (req, callback) => {
    const origin = req.headers.origin;
    // Non-browser clients send no Origin; browsers always do, and only listed ones may connect when a list is set.
    if (origins.size > 0 && origin !== undefined && !origins.has(origin)) {
      metrics.rejections.inc({ reason: 'origin_not_allowed' });
      return callback(`origin ${origin} is not allowed`, false);
    }
    if ((openByIp.get(addressOf(req)) ?? 0) >= options.maxConnectionsPerIp) {
      metrics.rejections.inc({ reason: 'too_many_connections' });
      return callback('too many connections from this address', false);
    }
    callback(null, true);
  };
}

/**
 * Counts open engine.io connections per IP for connectionGate, and the connections closed for sending a frame over
 * the client message limit (the WebSocket layer reports those as a transport error).
 */
export function trackConnectionsPerIp(io: Server, openByIp: Map<string, number>, metrics: RelayMetrics, addressOf: AddressOf): void {
  type CloseListener = (reason: string, description?: { message?: string }) => void;
  io.engine.on('connection', (raw: { request: IncomingMessage; once: (event: string, fn: CloseListener) => void }) => {
    const ip = addressOf(raw.request);
    openByIp.set(ip, (openByIp.get(ip) ?? 0) + 1);
    raw.once('close', (reason, description) => {
      // ws says "max payload size exceeded" (WebSocket); engine.io's polling transport "payload too large" (a 413).
      if (reason === 'transport error' && /max payload size exceeded|payload too large/i.test(description?.message ?? '')) {
        metrics.rejections.inc({ reason: 'message_too_large' });
      }
      const left = (openByIp.get(ip) ?? 1) - 1;
      if (left <= 0) openByIp.delete(ip);
      else openByIp.set(ip, left);
    });
  });
}

interface EngineConnection {
  writeBuffer: { data?: unknown }[];
  transport: { name: string; socket?: { bufferedAmount?: number; terminate?: () => void } };
  close(discard?: boolean): void;
}

/** The bytes of engine.io packets waiting to be sent (strings are counted as one byte per character). */
function queuedBytes(packets: readonly { data?: unknown }[]): number {
  let bytes = 0;
  for (const packet of packets) {
    const data = packet.data;
    if (typeof data === 'string') bytes += data.length;
    else if (data instanceof Uint8Array || data instanceof ArrayBuffer) bytes += data.byteLength;
  }
  return bytes;
}

/** Periodically drops clients whose pending output passes the configured bounds; returns a stop function. */
export function startSlowConsumerGuard(io: Server, options: RelayOptions, metrics: RelayMetrics, logger: Logger): () => void {
  const timer = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) {
      const conn = socket.conn as unknown as EngineConnection;
      const pendingPackets = conn.writeBuffer.length;
      // A WebSocket's unsent bytes, plus what engine.io queues (all a long-polling client's output until it polls).
      const pendingBytes = (conn.transport.socket?.bufferedAmount ?? 0) + queuedBytes(conn.writeBuffer);
      if (pendingPackets <= options.maxClientBufferPackets && pendingBytes <= options.maxClientBufferBytes) continue;
      metrics.rejections.inc({ reason: 'slow_consumer' });
      logger.warn({ id: socket.id, pendingPackets, pendingBytes }, 'slow consumer disconnected');
      conn.close(true);
      // Closing politely would queue a close frame behind the backlog; the backlog is the problem, so cut it.
      conn.transport.socket?.terminate?.();
    }
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export interface HandshakeRefusal {
  error: 'handshake_rate_limited';
  message: string;
}

/**
 * Refuses an IP's handshakes past `handshakeRate` per second, before any token is verified, so a reconnect storm or a
 * flood costs the relay little. Resolves null when the handshake may go on.
 */
export function handshakeLimiter(options: RelayOptions, metrics: RelayMetrics): (address: string) => Promise<HandshakeRefusal | null> {
  const limiter = new RateLimiterMemory({ points: options.handshakeRate, duration: 1 });
  const message = `more than ${options.handshakeRate} connections per second from this address; retry in a second`;
  return (address) =>
    limiter.consume(address || 'unknown').then(
      () => null,
      () => {
        metrics.rejections.inc({ reason: 'handshake_rate_limited' });
        return { error: 'handshake_rate_limited', message };
      },
    );
}

/** The socket.io middleware form of handshakeLimiter: the client gets a connect_error naming the reason. */
export function handshakeRateLimit(
  limit: (address: string) => Promise<HandshakeRefusal | null>,
  addressOf: AddressOf,
): Parameters<Server['use']>[0] {
  return (socket, next) => {
    void limit(addressOf(socket.request)).then((refusal) =>
      refusal ? next(Object.assign(new Error(refusal.message), { data: refusal })) : next(),
    );
  };
}

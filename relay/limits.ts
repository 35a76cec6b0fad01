/**
 * Limits that keep one client from hurting the others: connections per IP, handshake rate, allowed origins (the
 * slow-consumer bound is the delivery core's, relay/core/delivery.ts).
 */
import type { IncomingMessage } from 'node:http';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { AddressOf } from './client-address.js';
import type { RelayMetrics } from './metrics.js';
import type { RelayOptions } from './options.js';

export type AllowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void;

/** Both front-ends' gate before a transport opens (engine.io's allowRequest hook): refuses disallowed browser origins and IPs over their connection quota. */
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

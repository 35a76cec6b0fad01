/**
 * Disconnects clients whose token has expired (plus the protocol's clock-skew leeway) unless they refreshed it.
 * One sweep over the connected sockets each second instead of a timer per socket: no per-connection Timeout, and a
 * refresh only rewrites the session's expiry.
 */
import type { Server } from 'socket.io';
import { nowSeconds, TOKEN_LEEWAY_SECONDS } from '../protocol/index.js';
import type { ClientSession } from './handshake.js';
import type { Logger } from './logger.js';

const SWEEP_INTERVAL_MS = 1_000;

/** Starts the sweep; returns a stop function. */
export function startExpirySweep(io: Server, logger: Logger): () => void {
  const timer = setInterval(() => {
    const cutoff = nowSeconds() - TOKEN_LEEWAY_SECONDS;
    for (const socket of io.of('/').sockets.values()) {
      const session = socket.data.session as ClientSession | undefined;
      if (session?.expiresAt == null || session.expiresAt >= cutoff) continue;
      logger.debug({ user: session.user }, 'token expired: disconnecting');
      socket.emit('token_expired', { message: 'token expired; reconnect with a fresh token' });
      socket.disconnect(true);
    }
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The lean connections' timers, as one sweep over all of them (every 250 ms at the default heartbeat) instead of
 * timers per connection: slow consumers (unsent output past --max-client-buffer), expired tokens (each second), the
 * engine.io heartbeat (as engine.io: a ping pingInterval after the last pong; no pong within pingTimeout closes the
 * connection) and the connect timeout (a WebSocket that never sends its connect packet).
 */
import { nowSeconds, TOKEN_LEEWAY_SECONDS } from '../../protocol/index.js';
import type { RelayOptions } from '../options.js';
import type { LeanClient } from './client.js';
import { PING } from './packets.js';

const MAX_TICK_MS = 250;
const MIN_TICK_MS = 10;
const EXPIRY_EVERY_MS = 1_000;
/** socket.io's default: how long a WebSocket may stay open without joining the namespace. */
const CONNECT_TIMEOUT_MS = 45_000;

export interface SweepHooks {
  onSlow(client: LeanClient): void;
  onExpired(client: LeanClient): void;
}

type SweepOptions = Pick<RelayOptions, 'maxClientBufferBytes' | 'pingIntervalMs' | 'pingTimeoutMs'>;

export function startLeanSweeps(clients: ReadonlySet<LeanClient>, options: SweepOptions, hooks: SweepHooks): () => void {
  const { pingIntervalMs, pingTimeoutMs } = options;
  // Fine enough that a client's deadline (pingInterval + pingTimeout after its last ping) is never missed.
  const tick = Math.max(MIN_TICK_MS, Math.min(MAX_TICK_MS, pingIntervalMs / 4, pingTimeoutMs / 4));
  let lastExpiry = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const checkExpiry = now - lastExpiry >= EXPIRY_EVERY_MS;
    const cutoff = nowSeconds() - TOKEN_LEEWAY_SECONDS;
    if (checkExpiry) lastExpiry = now;
    for (const client of clients) {
      if (client.unsentBytes > options.maxClientBufferBytes) {
        hooks.onSlow(client);
        continue;
      }
      if (client.pongDue && now - client.pingedAt >= pingTimeoutMs) {
        client.ws.terminate();
        continue;
      }
      if (client.session === null) {
        if (now - client.openedAt > CONNECT_TIMEOUT_MS) client.ws.close(1000);
      } else if (checkExpiry && client.session.expiresAt !== null && client.session.expiresAt < cutoff) {
        hooks.onExpired(client);
        continue;
      }
      if (!client.pongDue && now - client.pingedAt >= pingIntervalMs) {
        client.pongDue = true;
        client.pingedAt = now;
        client.sendText(PING);
      }
    }
  }, tick);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The lean connections' timers, as one sweep every 250 ms over all of them instead of timers per connection:
 * slow consumers (unsent output past --max-client-buffer), expired tokens (each second), the engine.io heartbeat
 * (a ping every pingInterval; no pong by the next one, or by pingTimeout, closes the connection) and the connect
 * timeout (a WebSocket that never sends its connect packet).
 */
import { nowSeconds, TOKEN_LEEWAY_SECONDS } from '../../protocol/index.js';
import type { RelayOptions } from '../options.js';
import type { LeanClient } from './client.js';
import { PING } from './packets.js';

const TICK_MS = 250;
const EXPIRY_EVERY_MS = 1_000;
/** socket.io's default: how long a WebSocket may stay open without joining the namespace. */
const CONNECT_TIMEOUT_MS = 45_000;

export interface SweepHooks {
  onSlow(client: LeanClient): void;
  onExpired(client: LeanClient): void;
}

type SweepOptions = Pick<RelayOptions, 'maxClientBufferBytes' | 'pingIntervalMs' | 'pingTimeoutMs'>;

export function startLeanSweeps(clients: ReadonlySet<LeanClient>, options: SweepOptions, hooks: SweepHooks): () => void {
  let lastExpiry = Date.now();
  let lastPing = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const checkExpiry = now - lastExpiry >= EXPIRY_EVERY_MS;
    const cutoff = nowSeconds() - TOKEN_LEEWAY_SECONDS;
    const ping = now - lastPing >= options.pingIntervalMs;
    // A pong is overdue once pingTimeout has passed since the ping.
    const pongOverdue = now - lastPing >= options.pingTimeoutMs;
    if (checkExpiry) lastExpiry = now;
    for (const client of clients) {
      if (client.unsentBytes > options.maxClientBufferBytes) {
        hooks.onSlow(client);
        continue;
      }
      if (client.pongDue && pongOverdue) {
        client.ws.terminate();
        continue;
      }
      if (client.session === null) {
        if (now - client.openedAt > CONNECT_TIMEOUT_MS) client.ws.close(1000);
      } else if (checkExpiry && client.session.expiresAt !== null && client.session.expiresAt < cutoff) {
        hooks.onExpired(client);
        continue;
      }
      if (ping) {
        client.pongDue = true;
        client.sendText(PING);
      }
    }
    if (ping) lastPing = now;
  }, TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

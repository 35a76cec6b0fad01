/**
 * Waits for an event to reach a socket.io client. Under Playground it runs WP-Cron while waiting: the plugin sends in
 * the request that queued the event there, but its retries after a failure are cron events, and the site runs
 * wp-cron.php only when something requests it (DISABLE_WP_CRON, the harness's pump). On the real stacks it only
 * waits: WP-Cron is as WordPress ships it, and whatever the plugin does must deliver by itself.
 */
import type { RelayEnvelope, RelayListener } from './relay-listener.js';
import { e2eStack } from './stack-env.js';
import { runCron, type WpClient } from './wp-client.js';

export async function awaitDelivery(
  admin: WpClient,
  listener: RelayListener,
  predicate: (event: RelayEnvelope) => boolean,
  { timeoutMs = 60_000, what = 'expected event' }: { timeoutMs?: number; what?: string } = {},
): Promise<RelayEnvelope> {
  if (!e2eStack().pumpsCron) return listener.waitFor(predicate, timeoutMs, what);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    try {
      return await listener.waitFor(predicate, Math.max(0, Math.min(2_000, remaining)), what);
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await runCron(admin);
  }
}

export function withMarker(marker: string): (event: RelayEnvelope) => boolean {
  return (event) => event.data?.['marker'] === marker;
}

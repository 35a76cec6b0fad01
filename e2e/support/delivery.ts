/**
 * Waits for an event to reach a socket.io client, running WP-Cron while waiting: under Playground the plugin's
 * after-response delivery is a cron event that only runs when the harness requests wp-cron.php.
 */
import type { RelayEnvelope, RelayListener } from './relay-listener.js';
import { runCron, type WpClient } from './wp-client.js';

export async function awaitDelivery(
  admin: WpClient,
  listener: RelayListener,
  predicate: (event: RelayEnvelope) => boolean,
  { timeoutMs = 60_000, what = 'expected event' }: { timeoutMs?: number; what?: string } = {},
): Promise<RelayEnvelope> {
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

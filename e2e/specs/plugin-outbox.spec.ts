/** Nothing is lost while the relay is down: events wait in the outbox and are delivered exactly once later. */
import { expect, test } from '../support/fixtures.js';
import { awaitDelivery, withMarker } from '../support/delivery.js';
import { outboxDepth, pluginStatus } from '../support/plugin-status.js';
import { listenOnRelay } from '../support/relay-listener.js';
import { eventBody, signedTrigger, uniqueMarker } from '../support/trigger.js';
import { runCron } from '../support/wp-client.js';

test('events triggered while the relay is down stay queued, then arrive exactly once', async ({ anonymous, admin, relay, stack }) => {
  // A failed attempt backs off 30 s before the next, so this test waits for a real retry.
  test.setTimeout(240_000);
  await runCron(admin);
  const depthBefore = await outboxDepth(admin, stack.pluginSlug);

  await relay.stop();
  const markers = [uniqueMarker('outage-1'), uniqueMarker('outage-2'), uniqueMarker('outage-3')];
  const ids: string[] = [];
  try {
    for (const marker of markers) {
      const response = await signedTrigger(anonymous, stack.pluginSlug, stack.secret, { body: eventBody('outage.test', marker) });
      expect(response.status, response.text).toBe(202);
      ids.push(String(response.json<{ id: unknown }>().id));
    }
    // Delivery is attempted (and fails) while the relay is down; the events must survive it.
    await runCron(admin);
    expect(await outboxDepth(admin, stack.pluginSlug)).toBe(depthBefore + 3);
    const status = await pluginStatus(admin, stack.pluginSlug);
    expect(status.relay.reachable).toBe(false);
  } finally {
    await relay.start();
  }

  const listener = await listenOnRelay(relay.url);
  try {
    for (const marker of markers) {
      await awaitDelivery(admin, listener, withMarker(marker), { timeoutMs: 150_000, what: `outage.test ${marker}` });
    }
    // More cron runs must not send anything twice.
    await runCron(admin);
    await new Promise((r) => setTimeout(r, 2_000));
    for (const marker of markers) {
      expect(listener.events.filter(withMarker(marker)), `deliveries of ${marker}`).toHaveLength(1);
    }
    expect.soft(listener.events.filter((e) => markers.includes(String(e.data['marker']))).map((e) => e.id).sort()).toEqual([...ids].sort());
    await expect.poll(() => outboxDepth(admin, stack.pluginSlug)).toBe(depthBefore);
  } finally {
    listener.close();
  }
});

/**
 * Recovery without traffic: the relay is stopped, 5 events are queued (and their first delivery fails), the relay
 * starts again with --webhook-url and nobody visits the site: all 5 reach a socket client exactly once within 15 s.
 * The relay's relay_ready webhook goes through a gate that the spec opens once its socket client is connected.
 */
import { expect, test } from '../support/fixtures.js';
import { withMarker } from '../support/delivery.js';
import { pluginStatus } from '../support/plugin-status.js';
import { listenOnRelay } from '../support/relay-listener.js';
import { eventBody, signedTrigger, uniqueMarker } from '../support/trigger.js';
import { duringRelayOutage } from '../support/relay-outage.js';

const RECOVERY_MS = 15_000;

test('after an outage, 5 queued events are delivered exactly once within 15 s with no page view', async ({ anonymous, admin, relay, stack }) => {
  test.setTimeout(180_000);
  const markers = [1, 2, 3, 4, 5].map((n) => uniqueMarker(`recovery-${n}`));
  await duringRelayOutage(relay, stack, async ({ revived, gate }) => {
    for (const marker of markers) {
      const response = await signedTrigger(anonymous, stack.pluginSlug, stack.secret, { body: eventBody('delivery.recovery', marker) });
      expect(response.status, response.text).toBe(202);
    }
    // The after-response delivery tried and failed: the events now wait out a backoff of 30 s or more.
    await expect.poll(async () => (await pluginStatus(admin, stack.pluginSlug)).lastError, { timeout: 30_000 }).not.toBeNull();

    await revived.start();
    const listener = await listenOnRelay(revived.url);
    try {
      const back = Date.now();
      gate.open();
      for (const marker of markers) await listener.waitFor(withMarker(marker), Math.max(0, back + RECOVERY_MS - Date.now()), `delivery.recovery ${marker}`);
      test.info().annotations.push({ type: 'relay back → last of 5 on the socket (ms)', description: String(Math.max(...listener.events.map((e) => listener.arrivedAt(e))) - back) });
      // WordPress delivers inside the webhook request, so its answer comes after the events.
      await expect.poll(() => gate.forwarded.length, { message: 'the relay told WordPress it was ready', timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      expect(gate.forwarded[0]!.status, gate.forwarded[0]!.body).toBe(200);
      // At least the 5 (events an earlier spec left queued may go out with them).
      const answer = JSON.parse(gate.forwarded[0]!.body) as { handled: string[]; delivery: { sent: number } };
      expect(answer.handled).toEqual(['relay_ready']);
      expect(answer.delivery.sent).toBeGreaterThanOrEqual(5);
      // Nothing comes twice, even after more time.
      await new Promise((r) => setTimeout(r, 3_000));
      for (const marker of markers) expect(listener.events.filter(withMarker(marker)), marker).toHaveLength(1);
      // And in the order they were queued: the outbox is first in, first out (docs/delivery.md).
      const positions = markers.map((marker) => listener.events.findIndex(withMarker(marker)));
      expect(positions, 'arrival positions of the 5, in queueing order').toEqual([...positions].sort((x, y) => x - y));
    } finally {
      listener.close();
    }
  });
});

test('the webhook route refuses unsigned, mis-signed and malformed requests with a clear error', async ({ anonymous, stack }) => {
  const { signatureHeader } = await import('../../protocol/signature.js');
  const path = `/wp-json/${stack.pluginSlug}/v1/webhook`;
  const body = JSON.stringify({ time_ms: Date.now(), events: [{ name: 'relay_ready' }] });
  const unsigned = await anonymous.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(unsigned.status).toBe(401);
  expect(unsigned.json<{ code: string }>().code).toBe('invalid_signature');
  const forged = await anonymous.request(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-wp-realtime-signature': signatureHeader('x'.repeat(43), body) }, body });
  expect(forged.status).toBe(401);
  const stale = await anonymous.request(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-wp-realtime-signature': signatureHeader(stack.secret, body, Math.floor(Date.now() / 1000) - 301) }, body });
  expect(stale.status).toBe(401);
  const bad = JSON.stringify({ time_ms: Date.now(), events: [{ nom: 'relay_ready' }] });
  const malformed = await anonymous.request(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-wp-realtime-signature': signatureHeader(stack.secret, bad) }, body: bad });
  expect(malformed.status).toBe(400);
  expect(malformed.json<{ message: string }>().message).toContain('events[0].name');
  const ok = await anonymous.request(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-wp-realtime-signature': signatureHeader(stack.secret, body) }, body });
  expect(ok.status, ok.text).toBe(200);
  expect(ok.json<{ received: number; handled: string[] }>()).toMatchObject({ received: 1, handled: ['relay_ready'] });
});

test('eight relay_ready webhooks at once still deliver each of 10 queued events exactly once', async ({ anonymous, admin, relay, stack }) => {
  test.setTimeout(180_000);
  const { signatureHeader } = await import('../../protocol/signature.js');
  const markers = Array.from({ length: 10 }, (_, n) => uniqueMarker(`contended-${n}`));
  await relay.stop();
  try {
    for (const marker of markers) {
      const response = await signedTrigger(anonymous, stack.pluginSlug, stack.secret, { body: eventBody('delivery.contended', marker) });
      expect(response.status, response.text).toBe(202);
    }
    await expect.poll(async () => (await pluginStatus(admin, stack.pluginSlug)).lastError, { timeout: 30_000 }).not.toBeNull();
  } finally {
    // This relay has the fixture's --webhook-url, so it adds a ninth relay_ready of its own.
    await relay.start();
  }
  const listener = await listenOnRelay(relay.url);
  // The relay drops a repeated id before clients see it, so a double send shows only in its duplicate counter.
  const duplicates = async (): Promise<number> => Number(/^wp_realtime_events_duplicate_total (\d+)/m.exec(await (await fetch(`${relay.url}/metrics`)).text())?.[1] ?? Number.NaN);
  const duplicatesBefore = await duplicates();
  try {
    const body = JSON.stringify({ time_ms: Date.now(), events: [{ name: 'relay_ready' }] });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        anonymous.request(`/wp-json/${stack.pluginSlug}/v1/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-wp-realtime-signature': signatureHeader(stack.secret, body) },
          body,
        }),
      ),
    );
    for (const answer of answers) expect(answer.status, answer.text).toBe(200);
    for (const marker of markers) await listener.waitFor(withMarker(marker), 30_000, `delivery.contended ${marker}`);
    await new Promise((r) => setTimeout(r, 3_000));
    for (const marker of markers) expect(listener.events.filter(withMarker(marker)), marker).toHaveLength(1);
    expect(await duplicates(), 'events the plugin sent twice').toBe(duplicatesBefore);
  } finally {
    listener.close();
  }
});

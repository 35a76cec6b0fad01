/**
 * Delivery never waits for another request: on an idle site a signed trigger and a published post each reach a
 * socket client within 2 s of their response, and the spec makes no other request meanwhile (no page view, no
 * wp-cron.php). Under Playground the harness's cron pump is the one exception (docs/delivery.md).
 */
import { expect, test } from '../support/fixtures.js';
import { withMarker } from '../support/delivery.js';
import { listenOnRelay } from '../support/relay-listener.js';
import { eventBody, signedTrigger, uniqueMarker } from '../support/trigger.js';

const IDLE_DELIVERY_MS = 2_000;

test('a signed trigger on an idle site reaches a socket client within 2 s, with no other request', async ({ anonymous, relay, stack }) => {
  const listener = await listenOnRelay(relay.url);
  try {
    // Let whatever earlier specs left behind settle, so that the site is idle.
    await new Promise((r) => setTimeout(r, 3_000));
    for (const n of [1, 2, 3]) {
      const marker = uniqueMarker(`idle-${n}`);
      const response = await signedTrigger(anonymous, stack.pluginSlug, stack.secret, { body: eventBody('delivery.idle', marker) });
      const answered = Date.now();
      expect(response.status, response.text).toBe(202);
      const event = await listener.waitFor(withMarker(marker), 10_000, `delivery.idle ${marker}`);
      const latency = listener.arrivedAt(event) - answered;
      test.info().annotations.push({ type: 'trigger → socket after the response (ms)', description: String(latency) });
      expect(latency, `trigger ${n} reached the socket ${latency} ms after its response`).toBeLessThan(IDLE_DELIVERY_MS);
      await new Promise((r) => setTimeout(r, 1_500));
    }
  } finally {
    listener.close();
  }
});

test('a post published on an idle site reaches a socket client within 2 s, with no other request', async ({ admin, relay }) => {
  const listener = await listenOnRelay(relay.url);
  try {
    const nonce = await admin.restNonce();
    await new Promise((r) => setTimeout(r, 3_000));
    const title = `Idle publish ${uniqueMarker('post')}`;
    const created = await admin.request('/wp-json/wp/v2/posts', {
      method: 'POST',
      headers: { 'x-wp-nonce': nonce },
      json: { title, content: 'x', status: 'publish' },
    });
    const answered = Date.now();
    expect(created.status, created.text).toBe(201);
    const id = created.json<{ id: number }>().id;
    const event = await listener.waitFor((e) => e.type === 'post.published' && e.data['id'] === id, 10_000, `post.published ${id}`);
    const latency = listener.arrivedAt(event) - answered;
    test.info().annotations.push({ type: 'publish → socket after the response (ms)', description: String(latency) });
    expect(latency, `post.published reached the socket ${latency} ms after the response`).toBeLessThan(IDLE_DELIVERY_MS);
  } finally {
    listener.close();
  }
});

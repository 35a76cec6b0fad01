/**
 * Delivery under traffic: with a page view every 300 ms (which makes WordPress spawn WP-Cron, and on 6.9+ leave its
 * doing_cron lock held), 20 signed triggers in a row each reach a socket client within 3 s of their response.
 */
import { expect, test } from '../support/fixtures.js';
import { withMarker } from '../support/delivery.js';
import { listenOnRelay } from '../support/relay-listener.js';
import { eventBody, signedTrigger, uniqueMarker } from '../support/trigger.js';
import { WpClient } from '../support/wp-client.js';

const PAGE_VIEW_EVERY_MS = 300;
const TRIGGERS = 20;
const BUSY_DELIVERY_MS = 3_000;

test('with a page view every 300 ms, 20 triggers in a row each arrive within 3 s', async ({ anonymous, relay, stack }) => {
  test.setTimeout(240_000);
  const listener = await listenOnRelay(relay.url);
  const visitor = new WpClient(stack.wpUrl);
  let browsing = true;
  let pageViews = 0;
  const traffic = (async () => {
    while (browsing) {
      const started = Date.now();
      const page = await visitor.request('/');
      if (page.status === 200) pageViews++;
      await new Promise((r) => setTimeout(r, Math.max(0, PAGE_VIEW_EVERY_MS - (Date.now() - started))));
    }
  })();
  const latencies: number[] = [];
  try {
    for (let n = 0; n < TRIGGERS; n++) {
      const marker = uniqueMarker(`busy-${n}`);
      const response = await signedTrigger(anonymous, stack.pluginSlug, stack.secret, { body: eventBody('delivery.busy', marker) });
      const answered = Date.now();
      expect(response.status, response.text).toBe(202);
      const event = await listener.waitFor(withMarker(marker), 15_000, `delivery.busy ${marker}`);
      latencies.push(listener.arrivedAt(event) - answered);
      // One trigger per page-view period: on a fast stack (php-fpm delivers in milliseconds) the 20 triggers would
      // otherwise be over before the traffic has made more than a few page views.
      await new Promise((r) => setTimeout(r, PAGE_VIEW_EVERY_MS));
    }
  } finally {
    browsing = false;
    await traffic;
    listener.close();
  }
  test.info().annotations.push({ type: 'trigger → socket under traffic (ms)', description: `${latencies.join(', ')}; ${pageViews} page views` });
  expect(pageViews, 'the page views really happened').toBeGreaterThan(TRIGGERS / 2);
  for (const [n, latency] of latencies.entries()) expect(latency, `trigger ${n}`).toBeLessThan(BUSY_DELIVERY_MS);
});

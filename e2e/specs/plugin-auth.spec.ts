/** Triggering as a logged-in user: cookie + X-WP-Nonce and the publish_posts capability. */
import { expect, test } from '../support/fixtures.js';
import { awaitDelivery, withMarker } from '../support/delivery.js';
import { outboxTotal } from '../support/plugin-status.js';
import { listenOnRelay } from '../support/relay-listener.js';
import { eventBody, triggerPath, uniqueMarker } from '../support/trigger.js';
import { createUserSession } from '../support/users.js';

test('an administrator with a REST nonce may trigger (202) and the event is delivered', async ({ admin, relay, stack }) => {
  const listener = await listenOnRelay(relay.url);
  try {
    const marker = uniqueMarker('admin');
    const response = await admin.request(triggerPath(stack.pluginSlug), {
      method: 'POST',
      withNonce: true,
      headers: { 'content-type': 'application/json' },
      body: eventBody('admin.ping', marker),
    });
    expect(response.status, response.text).toBe(202);
    expect(response.json()).toMatchObject({ status: 'queued' });
    await awaitDelivery(admin, listener, withMarker(marker), { what: `admin.ping ${marker}` });
  } finally {
    listener.close();
  }
});

// Core REST answers 401 for a cookie without a nonce; a 403 naming the missing nonce is as good: refused, nothing queued.
test('a logged-in administrator without the nonce is refused (401/403) and nothing is queued', async ({ admin, stack }) => {
  const totalBefore = await outboxTotal(admin, stack.pluginSlug);
  const response = await admin.request(triggerPath(stack.pluginSlug), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: eventBody('admin.ping', uniqueMarker('no-nonce')),
  });
  expect([401, 403], `HTTP ${response.status} ${response.text}`).toContain(response.status);
  expect(await outboxTotal(admin, stack.pluginSlug)).toBe(totalBefore);
});

test('a subscriber (no publish_posts) is refused with 403 and nothing is queued', async ({ admin, stack }) => {
  const subscriber = await createUserSession(admin, 'subscriber');
  const totalBefore = await outboxTotal(admin, stack.pluginSlug);
  const response = await subscriber.client.request(triggerPath(stack.pluginSlug), {
    method: 'POST',
    withNonce: true,
    headers: { 'content-type': 'application/json' },
    body: eventBody('subscriber.ping', uniqueMarker('subscriber')),
  });
  expect(response.status, response.text).toBe(403);
  expect(() => response.json()).not.toThrow();
  expect(await outboxTotal(admin, stack.pluginSlug)).toBe(totalBefore);
});

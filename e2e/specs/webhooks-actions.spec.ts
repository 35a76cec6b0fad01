/**
 * Webhooks back to WordPress, end to end: a logged-in user opens the Live Notifications block in Chromium, the relay
 * (started with --webhook-url, as every e2e relay is) sees the first subscriber of that user's private channel and
 * reports channel_occupied to the plugin's signed webhook route, and the plugin fires
 * `acme_live_channel_occupied` exactly once — not again for a second tab, not again later. Closing both tabs fires
 * `acme_live_channel_vacated` once. The e2e probe records every call of those actions.
 */
import { expect, test } from '../support/fixtures.js';
import { loggedInContext, openLiveBlock, publishBlockPage } from '../support/live-block.js';
import { createUserSession } from '../support/users.js';
import type { WpClient } from '../support/wp-client.js';

interface Call {
  hook: string;
  channel: string;
  id: string | null;
}

async function callsFor(admin: WpClient, channel: string): Promise<Call[]> {
  const response = await admin.request(`/wp-json/e2e-probe/v1/channel-calls?channel=${encodeURIComponent(channel)}`, { withNonce: true });
  expect(response.status, response.text).toBe(200);
  return response.json<{ calls: Call[] }>().calls;
}

test('a channel_occupied webhook fires the WordPress action once; channel_vacated once when the last tab closes', async ({ browser, admin, relay, stack }) => {
  test.setTimeout(120_000);
  expect(relay).toBeTruthy();
  // A new user: their private channel has never been occupied, so every call recorded for it is this test's.
  const user = await createUserSession(admin, 'subscriber');
  const channel = `private-user-${user.id}`;
  const { link } = await publishBlockPage(admin, stack.pluginSlug, `Webhooks ${Date.now()}`);
  const context = await loggedInContext(browser, stack.wpUrl, user.username, user.password);
  try {
    const first = await openLiveBlock(context, link, stack.pluginSlug);
    await expect.poll(async () => (await callsFor(admin, channel)).map((c) => c.hook), { message: 'the occupied action fired', timeout: 15_000 }).toEqual(['channel_occupied']);
    // A second tab of the same user: the channel was occupied already, nothing to report.
    const second = await openLiveBlock(context, link, stack.pluginSlug);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const calls = await callsFor(admin, channel);
    expect(calls.map((c) => c.hook)).toEqual(['channel_occupied']);
    expect(calls[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.problems.errors).toEqual([]);

    await first.page.close();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await callsFor(admin, channel)).map((c) => c.hook)).toEqual(['channel_occupied']);
    await second.page.close();
    await expect.poll(async () => (await callsFor(admin, channel)).map((c) => c.hook), { message: 'the vacated action fired', timeout: 15_000 }).toEqual(['channel_occupied', 'channel_vacated']);
    // Nothing comes twice, even after more time.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await callsFor(admin, channel)).map((c) => c.hook)).toEqual(['channel_occupied', 'channel_vacated']);
  } finally {
    await context.close();
  }
});

/**
 * Flow 4: the relay is down while WordPress publishes three posts; once the relay is back, the visitor's block shows
 * all three, once each (WordPress's outbox keeps them and its retry sends them; the block reconnects on its own).
 */
import { expect, test } from '../support/fixtures.js';
import { anonymousContext, itemTitles, openLiveBlock, publishBlockPage } from '../support/live-block.js';
import { duringRelayOutage } from '../support/relay-outage.js';
import { outboxDepth } from '../support/plugin-status.js';
import { uniqueMarker } from '../support/trigger.js';

test('posts published while the relay is down all reach the visitor once it is back, once each', async ({ browser, admin, relay, stack }) => {
  test.setTimeout(300_000);
  const slug = stack.pluginSlug;
  const blockPage = await publishBlockPage(admin, slug, `Flow 4 ${uniqueMarker('page')}`, { eventTypes: ['post.published'], maxItems: 10 });
  const visitor = await anonymousContext(browser, stack.wpUrl);
  try {
    const view = await openLiveBlock(visitor, blockPage.link, slug);
    const marker = uniqueMarker('outage');
    const titles = [1, 2, 3].map((n) => `Published during the outage ${n} ${marker}`);
    const links: string[] = [];

    // The revived relay's relay_ready waits at the gate until the block is live again (support/relay-outage.ts).
    await duringRelayOutage(relay, stack, async ({ revived, gate }) => {
      try {
        await view.waitForState('offline', 20_000);
        const depthBefore = await outboxDepth(admin, slug);
        for (const title of titles) {
          const response = await admin.request('/wp-json/wp/v2/posts', { method: 'POST', withNonce: true, json: { title, content: 'x', status: 'publish' } });
          expect(response.status, response.text).toBe(201);
          links.push(response.json<{ link: string }>().link);
        }
        // Queued in the outbox while the relay cannot be reached (attempts may already have failed; none was lost).
        expect(await outboxDepth(admin, slug)).toBeGreaterThanOrEqual(depthBefore + 3);
      } finally {
        await revived.start();
      }

      await view.waitForState('live', 60_000);
      gate.open();
      for (const [i, title] of titles.entries()) {
        await expect(view.item(title)).toHaveCount(1, { timeout: 200_000 });
        await expect(view.item(title).locator('a')).toHaveAttribute('href', links[i]!);
      }
      // A later post arrives after any repeat of the three would have: still one of each, in publishing order.
      const later = `Published after the outage ${marker}`;
      const response = await admin.request('/wp-json/wp/v2/posts', { method: 'POST', withNonce: true, json: { title: later, content: 'x', status: 'publish' } });
      expect(response.status).toBe(201);
      await expect(view.item(later)).toHaveCount(1, { timeout: 30_000 });
      expect(await itemTitles(view, slug)).toEqual([later, ...[...titles].reverse()]);
      expect(view.problems).toEqual({ errors: [], dialogs: [] });
    });
  } finally {
    await visitor.close();
  }
});

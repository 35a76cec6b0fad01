/**
 * Issue 4, relay outage: the page stays usable and the block shows "offline"; when the relay returns the block
 * reconnects and shows the events triggered meanwhile (held in WordPress's outbox, sent on its retry), each once.
 */
import { expect, test } from '../support/fixtures.js';
import { duringRelayOutage } from '../support/relay-outage.js';
import { anonymousContext, itemTitles, openLiveBlock, publishBlockPage } from '../support/live-block.js';
import { sendNotice } from '../support/notice.js';
import { uniqueMarker } from '../support/trigger.js';

test('with the relay down the block is quietly offline; back up, it shows what it missed exactly once', async ({ browser, admin, anonymous, relay, stack }) => {
  // The outbox retries a failed delivery after a 30 s backoff, on its one-minute cron schedule.
  test.setTimeout(300_000);
  const slug = stack.pluginSlug;
  const blockPage = await publishBlockPage(admin, slug, `Offline ${uniqueMarker('page')}`, { maxItems: 10 });
  const visitor = await anonymousContext(browser, stack.wpUrl);
  try {
    const view = await openLiveBlock(visitor, blockPage.link, slug);
    const marker = uniqueMarker('missed');
    const before = `before the outage ${marker}`;
    await sendNotice(anonymous, stack, { title: before });
    await expect(view.item(before)).toHaveCount(1, { timeout: 20_000 });

    const missed = [1, 2, 3].map((n) => `missed ${n} ${marker}`);
    // The revived relay's relay_ready waits at the gate until the block is live again (support/relay-outage.ts).
    await duringRelayOutage(relay, stack, async ({ revived, gate }) => {
      try {
        await view.waitForState('offline', 20_000);
        // The page stays usable: its scripts still run (and pageerror stays empty, checked at the end).
        expect(await view.page.evaluate(() => document.title.length > 0)).toBe(true);
        for (const title of missed) await sendNotice(anonymous, stack, { title });
        // Give the cron pump time to try (and fail) the delivery while the relay is down.
        await expect.poll(async () => (await admin.request(`/wp-json/${slug}/v1/status`, { withNonce: true })).json<{ relay: { reachable: boolean } }>().relay.reachable, { timeout: 30_000 }).toBe(false);
        await expect(view.root).toHaveAttribute('data-live-notifications-state', 'offline');
      } finally {
        await revived.start();
      }

      await view.waitForState('live', 60_000);
      gate.open();
      for (const title of missed) await expect(view.item(title)).toHaveCount(1, { timeout: 200_000 });
      // One more event after the retry: if any missed one were sent again it would have arrived before this one.
      const after = `after the outage ${marker}`;
      await sendNotice(anonymous, stack, { title: after });
      await expect(view.item(after)).toHaveCount(1, { timeout: 20_000 });
      // Each once and in the order they happened (newest first): the outbox is strictly first in, first out, so the
      // one whose send failed goes before those queued after it (docs/delivery.md).
      expect(await itemTitles(view, slug)).toEqual([after, ...[...missed].reverse(), before]);
      expect(view.problems).toEqual({ errors: [], dialogs: [] });
    });
  } finally {
    await visitor.close();
  }
});

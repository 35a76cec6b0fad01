/**
 * Issue 4, relay outage: the page stays usable and the block shows "offline"; when the relay returns the block
 * reconnects and shows the events triggered meanwhile (held in WordPress's outbox, sent on its retry), each once.
 */
import { expect, test, webhookArgs, webhookUrl } from '../support/fixtures.js';
import { relayProcess } from '../../stack/relay-process.js';
import { startWebhookGate } from '../support/webhook-gate.js';
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

    // The relay comes back as a new (in-memory) process whose relay_ready webhook waits at a gate until the block is
    // live again: on a real stack WordPress sends the backlog within milliseconds of that webhook, and a block still
    // reconnecting to a relay that lost its history on restart would only get replay_gap for it.
    const gate = await startWebhookGate(webhookUrl(stack));
    const revived = relayProcess({ port: stack.relayPort, host: stack.relayListenHost, secret: stack.secret, extraArgs: ['--log-level', 'warn', ...webhookArgs(stack, gate.url)] });
    await relay.stop();
    const missed = [1, 2, 3].map((n) => `missed ${n} ${marker}`);
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

    try {
      await view.waitForState('live', 60_000);
      gate.open();
      for (const title of missed) await expect(view.item(title)).toHaveCount(1, { timeout: 200_000 });
      // One more event after the retry: if any missed one were sent again it would have arrived before this one.
      const after = `after the outage ${marker}`;
      await sendNotice(anonymous, stack, { title: after });
      await expect(view.item(after)).toHaveCount(1, { timeout: 20_000 });
      // Each once, the later event newest. The missed ones' order among themselves is not asserted: an event queued
      // during the post-failure pause is due at once, while one whose send failed waits out a backoff, so a WP-Cron run
      // on a real stack can send the later one first (known; a strictly FIFO outbox is the fix, see docs/delivery.md).
      const shown = await itemTitles(view, slug);
      expect(shown[0]).toBe(after);
      expect(shown.at(-1)).toBe(before);
      expect([...shown.slice(1, -1)].sort()).toEqual([...missed].sort());
      expect(view.problems).toEqual({ errors: [], dialogs: [] });
    } finally {
      await revived.stop();
      await gate.close();
      await relay.start();
    }
  } finally {
    await visitor.close();
  }
});

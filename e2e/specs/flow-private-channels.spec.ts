/**
 * Flow 2: an event on `private-user-<id>` reaches that logged-in user's block and nobody else's — not another
 * logged-in user's, not an anonymous visitor's.
 */
import { expect, test } from '../support/fixtures.js';
import { itemTitles, openLiveBlock, publishBlockPage } from '../support/live-block.js';
import { sendNotice, sendToUser } from '../support/notice.js';
import { uniqueMarker } from '../support/trigger.js';
import { aliceBobAndVisitor } from '../support/users.js';

test('a private-user event is shown only to that user', async ({ browser, admin, anonymous, relay, stack }) => {
  test.setTimeout(150_000);
  expect(relay.running).toBe(true);
  const slug = stack.pluginSlug;
  const blockPage = await publishBlockPage(admin, slug, `Flow 2 ${uniqueMarker('page')}`, { maxItems: 10 });
  const { alice, contexts } = await aliceBobAndVisitor(browser, admin, stack.wpUrl);
  try {
    const [aliceView, bobView, visitorView] = await Promise.all(contexts.map((c) => openLiveBlock(c, blockPage.link, slug)));
    const marker = uniqueMarker('private');
    const secretTitle = `for alice only ${marker}`;
    const publicTitle = `for everyone ${marker}`;
    await sendNotice(anonymous, stack, { title: secretTitle, channel: `private-user-${alice.id}` });
    // Sent after the private one: once every page shows it, the private event has had its chance everywhere.
    await sendNotice(anonymous, stack, { title: publicTitle, channel: 'public' });

    for (const view of [aliceView!, bobView!, visitorView!]) await expect(view.item(publicTitle)).toHaveCount(1, { timeout: 20_000 });
    await expect(aliceView!.item(secretTitle)).toHaveCount(1);
    expect(await itemTitles(bobView!, slug)).toEqual([publicTitle]);
    expect(await itemTitles(visitorView!, slug)).toEqual([publicTitle]);
    for (const view of [aliceView!, bobView!, visitorView!]) expect(view.problems).toEqual({ errors: [], dialogs: [] });
  } finally {
    for (const context of contexts) await context.close();
  }
});

test("<prefix>_send_to_user() reaches every open tab of that user and nobody else's", async ({ browser, admin, anonymous, relay, stack }) => {
  test.setTimeout(150_000);
  expect(relay.running).toBe(true);
  const slug = stack.pluginSlug;
  const blockPage = await publishBlockPage(admin, slug, `Send to user ${uniqueMarker('page')}`, { maxItems: 10 });
  const { alice, contexts } = await aliceBobAndVisitor(browser, admin, stack.wpUrl);
  const [aliceContext] = contexts;
  try {
    // Alice has two tabs open in one browser; Bob and an anonymous visitor one each.
    const [aliceTab1, aliceTab2, bobView, visitorView] = await Promise.all(
      [aliceContext, ...contexts].map((c) => openLiveBlock(c, blockPage.link, slug)),
    );
    const marker = uniqueMarker('send-to-user');
    const secretTitle = `from PHP for alice ${marker}`;
    const publicTitle = `for everyone ${marker}`;
    // The site's own PHP calls the API (through the e2e probe's admin-only route), as a plugin or theme would.
    expect(await sendToUser(admin, slug, alice.id, secretTitle)).toMatch(/^[0-9a-f-]{36}$/);
    await sendNotice(anonymous, stack, { title: publicTitle, channel: 'public' });

    const views = [aliceTab1!, aliceTab2!, bobView!, visitorView!];
    for (const view of views) await expect(view.item(publicTitle)).toHaveCount(1, { timeout: 20_000 });
    for (const view of [aliceTab1!, aliceTab2!]) await expect(view.item(secretTitle)).toHaveCount(1);
    expect(await itemTitles(bobView!, slug)).toEqual([publicTitle]);
    expect(await itemTitles(visitorView!, slug)).toEqual([publicTitle]);
    for (const view of views) expect(view.problems).toEqual({ errors: [], dialogs: [] });
  } finally {
    for (const context of contexts) await context.close();
  }
});

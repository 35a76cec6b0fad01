/**
 * Flow 2: an event on `private-user-<id>` reaches that logged-in user's block and nobody else's — not another
 * logged-in user's, not an anonymous visitor's.
 */
import { expect, test } from '../support/fixtures.js';
import { anonymousContext, itemTitles, loggedInContext, openLiveBlock, publishBlockPage } from '../support/live-block.js';
import { sendNotice } from '../support/notice.js';
import { uniqueMarker } from '../support/trigger.js';
import { createUserSession } from '../support/users.js';

test('a private-user event is shown only to that user', async ({ browser, admin, anonymous, relay, stack }) => {
  test.setTimeout(150_000);
  expect(relay.running).toBe(true);
  const slug = stack.pluginSlug;
  const blockPage = await publishBlockPage(admin, slug, `Flow 2 ${uniqueMarker('page')}`, { maxItems: 10 });
  const alice = await createUserSession(admin, 'subscriber');
  const bob = await createUserSession(admin, 'subscriber');

  const contexts = [
    await loggedInContext(browser, stack.wpUrl, alice.username, alice.password),
    await loggedInContext(browser, stack.wpUrl, bob.username, bob.password),
    await anonymousContext(browser, stack.wpUrl),
  ];
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

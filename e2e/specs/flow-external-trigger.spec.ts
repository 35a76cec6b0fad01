/**
 * Flow 3: an external service calls the rewrite endpoint with a signature and the visitor sees the event; unsigned
 * or wrongly signed calls are refused and show nothing.
 */
import { expect, test } from '../support/fixtures.js';
import { anonymousContext, itemTitles, openLiveBlock, publishBlockPage } from '../support/live-block.js';
import { sendNotice } from '../support/notice.js';
import { signedTrigger, triggerPath, uniqueMarker } from '../support/trigger.js';

test('a signed call to /<slug>/v1/event-trigger reaches the visitor; unsigned calls are refused and show nothing', async ({ browser, admin, anonymous, relay, stack }) => {
  test.setTimeout(120_000);
  expect(relay.running).toBe(true);
  const slug = stack.pluginSlug;
  const blockPage = await publishBlockPage(admin, slug, `Flow 3 ${uniqueMarker('page')}`, { maxItems: 10 });
  const visitor = await anonymousContext(browser, stack.wpUrl);
  try {
    const view = await openLiveBlock(visitor, blockPage.link, slug);
    const marker = uniqueMarker('external');
    const refused = (title: string): string => JSON.stringify({ type: 'notice.test', data: { title } });

    const unsigned = await signedTrigger(anonymous, slug, stack.secret, { body: refused(`unsigned ${marker}`), signature: false });
    expect(unsigned.status, unsigned.text).toBe(401);
    const forged = await signedTrigger(anonymous, slug, 'not-the-shared-secret', { body: refused(`forged ${marker}`) });
    expect(forged.status, forged.text).toBe(401);
    expect(forged.json<{ message?: unknown }>()).toHaveProperty('message');

    const accepted = `signed ${marker}`;
    await sendNotice(anonymous, stack, { title: accepted, path: triggerPath(slug), url: blockPage.link });
    await expect(view.item(accepted)).toHaveCount(1, { timeout: 20_000 });
    // The refused calls were made before the accepted one, so they would have arrived first.
    expect(await itemTitles(view, slug)).toEqual([accepted]);
    expect(view.problems).toEqual({ errors: [], dialogs: [] });
  } finally {
    await visitor.close();
  }
});

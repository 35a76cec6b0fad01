/**
 * Flow 5: with permalinks switched to "Plain" in Settings → Permalinks (in the browser), the query-var endpoint
 * `/?<prefix>_event=1` still carries a signed event to the visitor; the original structure is restored afterwards
 * the same way.
 */
import type { Page } from '@playwright/test';
import { expect, test } from '../support/fixtures.js';
import { anonymousContext, openLiveBlock, publishBlockPage } from '../support/live-block.js';
import { sendNotice } from '../support/notice.js';
import { queryVarPath, signedTrigger, triggerPath, uniqueMarker } from '../support/trigger.js';

const PERMALINKS = '/wp-admin/options-permalink.php';

async function currentStructure(page: Page): Promise<string> {
  await page.goto(PERMALINKS);
  return page.locator('#permalink_structure').inputValue();
}

async function saveStructure(page: Page, structure: string): Promise<void> {
  await page.goto(PERMALINKS);
  if (structure === '') {
    await page.locator('input[name="selection"][value=""]').check();
  } else {
    await page.locator('#custom_selection').check();
    await page.locator('#permalink_structure').fill(structure);
  }
  await page.locator('#submit').click();
  await expect(page.locator('#setting-error-settings_updated, .notice-success').first()).toBeVisible();
  expect(await currentStructure(page)).toBe(structure);
}

test('with plain permalinks the query-var endpoint still reaches the visitor', async ({ page, browser, admin, anonymous, relay, stack }) => {
  test.setTimeout(150_000);
  expect(relay.running).toBe(true);
  const slug = stack.pluginSlug;
  const blockPage = await publishBlockPage(admin, slug, `Flow 5 ${uniqueMarker('page')}`, { maxItems: 10 });
  const original = await currentStructure(page);
  expect(original, 'the suite starts with pretty permalinks').not.toBe('');

  await saveStructure(page, '');
  const visitor = await anonymousContext(browser, stack.wpUrl);
  try {
    // Under plain permalinks the page lives at ?page_id=, and the block's token comes through ?rest_route=.
    const view = await openLiveBlock(visitor, `${stack.wpUrl}/?page_id=${blockPage.id}`, slug);
    const title = `through the query var ${uniqueMarker('plain')}`;
    await sendNotice(anonymous, stack, { title, path: queryVarPath(slug) });
    await expect(view.item(title)).toHaveCount(1, { timeout: 20_000 });
    expect(view.problems).toEqual({ errors: [], dialogs: [] });
  } finally {
    await visitor.close();
    await saveStructure(page, original);
  }
  // Pretty URLs are back: the rewrite endpoint answers again.
  const pretty = await signedTrigger(anonymous, slug, stack.secret, { path: triggerPath(slug), body: JSON.stringify({ type: 'notice.test', data: { title: 'pretty again' } }) });
  expect(pretty.status, pretty.text).toBe(202);
});

/**
 * Issue 4 in a real browser: an author finds the Live Notifications block in the inserter, configures it in the
 * inspector and publishes it; an anonymous visitor then sees signed events arrive without a reload, safely as text.
 */
import type { Page } from '@playwright/test';
import { Admin, Editor, PageUtils } from '@wordpress/e2e-test-utils-playwright';
import { expect, test } from '../support/fixtures.js';
import { editorCanvas, waitForEditorReady } from '../support/editor.js';
import { anonymousContext, blockClass, blockName, itemTitles, openLiveBlock } from '../support/live-block.js';
import { signedTrigger, uniqueMarker } from '../support/trigger.js';

const HEADING = 'Happening now';
const MAX_ITEMS = 3;
const EVENT_TYPE = 'post.published';

interface SavedBlock {
  name: string;
  attributes: Record<string, unknown>;
}

async function insertFromInserter(page: Page, title: string, block: string): Promise<void> {
  // The editor keeps loading scripts after it shows (slowly, under Playground) and may re-render the inserter
  // meanwhile; so wait until it knows the block, and open the inserter again if it closed.
  await waitForEditorReady(page, block);
  const search = page.locator('.block-editor-inserter__menu').getByRole('searchbox').first();
  // createNewPost turns the welcome guide off, but on a slow first start the editor may still open it afterwards.
  const welcomeGuide = page.getByRole('dialog', { name: /welcome to the block editor/i });
  await expect(async () => {
    if (await welcomeGuide.isVisible()) await welcomeGuide.getByRole('button', { name: /close/i }).first().click();
    if (!(await search.isVisible())) await page.getByRole('button', { name: /block inserter/i }).first().click();
    await search.fill(title, { timeout: 5_000 });
    // Last, so a retry never inserts a second block.
    await page.locator('.block-editor-block-types-list__item').filter({ hasText: title }).first().click({ timeout: 10_000 });
  }).toPass({ timeout: 120_000 });
}

async function openSettingsSidebar(page: Page): Promise<void> {
  const toggle = page.locator('.interface-pinned-items button[aria-label="Settings"]').first();
  if ((await toggle.getAttribute('aria-expanded')) !== 'true' && (await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
}

async function configureInInspector(page: Page): Promise<void> {
  await openSettingsSidebar(page);
  const inspector = page.locator('.block-editor-block-inspector');
  await expect(inspector).toBeVisible();
  const heading = inspector.getByRole('textbox', { name: 'Heading' });
  await heading.fill(HEADING);
  const maxItems = inspector.getByRole('spinbutton', { name: 'Number of notifications' });
  await maxItems.fill(String(MAX_ITEMS));
  await maxItems.press('Tab');
  const eventTypes = inspector.getByRole('combobox', { name: 'Event types' });
  await eventTypes.fill(EVENT_TYPE);
  await eventTypes.press('Enter');
  await inspector.getByRole('checkbox', { name: 'Show time' }).uncheck();
}

async function publish(page: Page): Promise<void> {
  await page.locator('.editor-post-publish-panel__toggle').click();
  await page.locator('.editor-post-publish-panel .editor-post-publish-button').click();
  // Saving takes one WordPress request, several seconds on a busy machine under Playground.
  await expect(page.locator('.post-publish-panel__postpublish')).toBeVisible({ timeout: 90_000 });
}

test('the block is inserted, configured and published in the editor, and shows live events to a visitor as text', async ({ page, browser, anonymous, relay, stack }) => {
  test.setTimeout(420_000);
  expect(relay.running).toBe(true);
  const slug = stack.pluginSlug;
  const editor = new Editor({ page });
  const admin = new Admin({ page, editor, pageUtils: new PageUtils({ page, browserName: 'chromium' }) });
  await admin.createNewPost({ postType: 'page', title: `Live block ${uniqueMarker('editor')}` });

  await insertFromInserter(page, 'Live Notifications', blockName(slug));
  await configureInInspector(page);
  // The editor's own static preview follows the settings (inside the iframed canvas on newer WordPress).
  await expect((await editorCanvas(page)).locator(`.${blockClass(slug)}__heading`, { hasText: HEADING })).toBeVisible();

  const blocks = await page.evaluate(() => {
    const wp = (window as unknown as { wp: { data: { select(store: string): { getBlocks(): SavedBlock[] } } } }).wp;
    return wp.data.select('core/block-editor').getBlocks().map((b) => ({ name: b.name, attributes: b.attributes }));
  });
  expect(blocks).toEqual([
    { name: blockName(slug), attributes: { heading: HEADING, maxItems: MAX_ITEMS, eventTypes: [EVENT_TYPE], showTime: false } },
  ]);

  await publish(page);
  const link = await page.evaluate(() => {
    const wp = (window as unknown as { wp: { data: { select(store: string): { getPermalink(): string } } } }).wp;
    return wp.data.select('core/editor').getPermalink();
  });

  const visitor = await anonymousContext(browser, stack.wpUrl);
  try {
    const view = await openLiveBlock(visitor, link, slug);
    await expect(view.root.locator(`.${blockClass(slug)}__heading`)).toHaveText(HEADING);
    // The visitor really is anonymous: no admin bar, no auth cookie.
    expect((await visitor.cookies()).some((c) => c.name.startsWith('wordpress_logged_in_'))).toBe(false);

    const marker = uniqueMarker('visible');
    const send = async (type: string, title: string): Promise<void> => {
      const response = await signedTrigger(anonymous, slug, stack.secret, { body: JSON.stringify({ type, data: { marker, title } }) });
      expect(response.status, response.text).toBe(202);
    };
    const hostile = '<img src=x onerror=alert(1)>';
    await view.page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await send(EVENT_TYPE, `first ${marker}`);
    await send(EVENT_TYPE, hostile);
    await send(EVENT_TYPE, `third ${marker}`);
    // Not one of the block's event types: were it shown, it would sit between "fourth" and "third".
    await send('comment.approved', `filtered out ${marker}`);
    await send(EVENT_TYPE, `fourth ${marker}`);

    // Events arrive without a reload: the page that was opened before they were sent shows them.
    await expect(view.item(`fourth ${marker}`)).toHaveCount(1, { timeout: 20_000 });
    expect(await itemTitles(view, slug)).toEqual([`fourth ${marker}`, `third ${marker}`, hostile]);
    await expect(view.items).toHaveCount(MAX_ITEMS);
    // The hostile title is text: no element was created from it, no script ran.
    await expect(view.item(hostile)).toHaveCount(1);
    await expect(view.root.locator('img')).toHaveCount(0);
    // Show time was switched off in the inspector.
    await expect(view.root.locator(`.${blockClass(slug)}__time`)).toHaveCount(0);
    expect(await view.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(view.problems).toEqual({ errors: [], dialogs: [] });
  } finally {
    await visitor.close();
  }
});

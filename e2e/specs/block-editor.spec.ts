/**
 * Issue 4 in a real browser: an author finds the Live Notifications block in the inserter, configures it in the
 * inspector and publishes it; an anonymous visitor then sees signed events arrive without a reload, safely as text.
 * Issue 11 item 4: the block (API version 3) works in the editor whether it is iframed (7.x, 6.3+) or not (6.1), its
 * styles reach the canvas, and the editor console holds no message from it.
 */
import type { Page } from '@playwright/test';
import { Admin, Editor, PageUtils } from '@wordpress/e2e-test-utils-playwright';
import { editorCanvas, entriesFromBlock, waitForEditorReady, watchConsole, type EditorCanvas } from '../support/editor.js';
import { expect, test } from '../support/fixtures.js';
import { anonymousContext, blockClass, blockName, itemTitles, openLiveBlock } from '../support/live-block.js';
import { signedTrigger, uniqueMarker } from '../support/trigger.js';

const HEADING = 'Happening now';
const MAX_ITEMS = 3;
const EVENT_TYPE = 'post.published';

interface SavedBlock {
  name: string;
  attributes: Record<string, unknown>;
}

/**
 * Closes the dialogs a new page may open over the editor, late on a slow start: the welcome guide ("Welcome to the
 * block editor" on 6.x, "Welcome to the editor" on 7.x; createNewPost turns it off, but the editor may open it before
 * that lands) and the starter patterns of 6.x/7.x. While one is open the rest of the editor is inert.
 */
async function closeEditorDialogs(page: Page): Promise<void> {
  for (const name of [/welcome to the (block )?editor/i, /choose a pattern/i]) {
    const dialog = page.getByRole('dialog', { name });
    if (await dialog.isVisible()) await dialog.getByRole('button', { name: /close/i }).first().click();
  }
}

async function insertFromInserter(page: Page, title: string, name: string): Promise<void> {
  // The editor keeps loading scripts after it shows (slowly, under Playground) and may re-render the inserter
  // meanwhile; so wait until the block is registered (not for `networkidle`, which never comes on 6.6+: the editor
  // keeps a request open), and open the inserter again if it closed.
  await waitForEditorReady(page, name);
  const search = page.locator('.block-editor-inserter__menu').getByRole('searchbox').first();
  await expect(async () => {
    await closeEditorDialogs(page);
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
  await expect(async () => {
    await closeEditorDialogs(page);
    await heading.fill(HEADING, { timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
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
  const consoleEntries = watchConsole(page);
  await admin.createNewPost({ postType: 'page', title: `Live block ${uniqueMarker('editor')}` });

  await insertFromInserter(page, 'Live Notifications', blockName(slug));
  const canvas: EditorCanvas = await editorCanvas(page);
  await configureInInspector(page);
  // The editor's own static preview follows the settings, inside the iframed canvas when there is one.
  await expect(canvas.locator(`.${blockClass(slug)}__heading`, { hasText: HEADING })).toBeVisible();
  // The block's stylesheet (block.json `style`) reached the canvas: its status line is dimmed to 0.75.
  await expect.poll(() => canvas.locator(`.${blockClass(slug)}__status`).first().evaluate((el) => getComputedStyle(el).opacity)).toBe('0.75');

  const blocks = await page.evaluate(() => {
    const wp = (window as unknown as { wp: { data: { select(store: string): { getBlocks(): SavedBlock[] } } } }).wp;
    return wp.data.select('core/block-editor').getBlocks().map((b) => ({ name: b.name, attributes: b.attributes }));
  });
  expect(blocks).toEqual([
    { name: blockName(slug), attributes: { heading: HEADING, maxItems: MAX_ITEMS, eventTypes: [EVENT_TYPE], showTime: false } },
  ]);

  await publish(page);
  // Nothing the block did in the editor — registration, inserting, the inspector, saving — logged a message.
  expect(entriesFromBlock(consoleEntries, slug)).toEqual([]);
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

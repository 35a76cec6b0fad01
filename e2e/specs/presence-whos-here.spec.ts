/**
 * The Who's Here block (issue 14 item 6) in Chromium against real WordPress and a real relay: two logged-in users on
 * the same post see each other (names from WordPress, through GET /token?post=<id> and the presence channel), the
 * live region says who joined, and when one closes the tab the other's list drops them. An anonymous visitor gets no
 * block at all (no presence for anonymous users). In the editor the block shows a placeholder and logs nothing.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { Admin, Editor, PageUtils } from '@wordpress/e2e-test-utils-playwright';
import { editorCanvas, waitForEditorReady, watchConsole } from '../support/editor.js';
import { expect, test } from '../support/fixtures.js';
import { anonymousContext, loggedInContext, watchPageProblems } from '../support/live-block.js';
import { uniqueMarker } from '../support/trigger.js';
import { publishWhosHerePost, reader, whosHereClass } from '../support/whos-here.js';

test("two users on the same post see each other in Who's Here; a closed tab disappears", async ({ browser, admin, relay, stack }) => {
  test.setTimeout(150_000);
  expect(relay.running).toBe(true);
  const slug = stack.pluginSlug;
  const marker = uniqueMarker('who');
  const post = await publishWhosHerePost(admin, slug, `Who's here ${marker}`);
  const ana = await reader(admin, `Ana O'Hara ${marker}`);
  const bo = await reader(admin, `Bo ${marker}`);
  const selector = `.${whosHereClass(slug)}`;
  const contexts: BrowserContext[] = [];
  const open = async (user: { username: string; password: string }): Promise<Page> => {
    const context = await loggedInContext(browser, stack.wpUrl, user.username, user.password);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(post.link);
    return page;
  };
  try {
    const anaPage = await open(ana);
    const anaProblems = watchPageProblems(anaPage);
    const anaBlock = anaPage.locator(selector);
    const anaNames = anaBlock.locator(`ul.${whosHereClass(slug)}__list > li .${whosHereClass(slug)}__name`);
    await expect(anaBlock).toHaveAttribute('data-whos-here-state', 'live', { timeout: 30_000 });
    await expect(anaNames).toHaveText([`${ana.name} (you)`]);
    await expect(anaBlock.locator(`.${whosHereClass(slug)}__empty`)).toBeVisible();
    await expect(anaBlock.locator(`.${whosHereClass(slug)}__empty`)).toHaveText('Only you are here.');

    const boPage = await open(bo);
    const boBlock = boPage.locator(selector);
    const boNames = boBlock.locator(`ul.${whosHereClass(slug)}__list > li .${whosHereClass(slug)}__name`);
    // Each sees the other (the viewer listed first), with the avatar WordPress gives the user.
    await expect(boNames).toHaveText([`${bo.name} (you)`, ana.name], { timeout: 20_000 });
    await expect(anaNames).toHaveText([`${ana.name} (you)`, bo.name], { timeout: 20_000 });
    await expect(anaBlock.locator(`li[data-member-id="${bo.id}"] img`)).toHaveAttribute('src', /^https?:\/\/.*gravatar\.com\/avatar\//);
    await expect(anaBlock.locator(`li[data-member-id="${bo.id}"] img`)).toHaveAttribute('alt', '');
    const anaStatus = anaBlock.getByRole('status');
    await expect(anaStatus).toHaveAttribute('aria-live', 'polite');
    await expect(anaStatus).toHaveText(`${bo.name} joined`);
    await expect(anaBlock.locator(`.${whosHereClass(slug)}__empty`)).toBeHidden();

    // Bo closes the tab: gone from Ana's list (at once without Redis; a relay's death would take --presence-timeout).
    await contexts.splice(1, 1)[0]!.close();
    const closedAt = Date.now();
    await expect(anaNames).toHaveText([`${ana.name} (you)`], { timeout: 15_000 });
    test.info().annotations.push({ type: 'member removed after tab close', description: `${Date.now() - closedAt} ms` });
    await expect(anaStatus).toHaveText(`${bo.name} left`);
    await expect(anaBlock.locator(`.${whosHereClass(slug)}__empty`)).toBeVisible();
    expect(anaProblems).toEqual({ errors: [], dialogs: [] });

    // A visitor is never in presence: the block renders nothing for them.
    const visitor = await anonymousContext(browser, stack.wpUrl);
    contexts.push(visitor);
    const visitorPage = await visitor.newPage();
    await visitorPage.goto(post.link);
    await expect(visitorPage.getByText('Reading together.')).toBeVisible();
    await expect(visitorPage.locator(selector)).toHaveCount(0);
  } finally {
    for (const context of contexts) await context.close();
  }
});

test("the Who's Here block is inserted in the editor as a placeholder, and once published lists its author", async ({ page, relay, stack }) => {
  test.setTimeout(300_000);
  expect(relay.running).toBe(true);
  const slug = stack.pluginSlug;
  const name = `${slug}/whos-here`;
  const editor = new Editor({ page });
  const admin = new Admin({ page, editor, pageUtils: new PageUtils({ page, browserName: 'chromium' }) });
  const consoleEntries = watchConsole(page);
  await admin.createNewPost({ postType: 'post', title: `Who's here in the editor ${uniqueMarker('editor')}` });
  await waitForEditorReady(page, name);
  await page.evaluate((blockName) => {
    const wp = (window as unknown as { wp: { blocks: { createBlock(n: string): unknown }; data: { dispatch(s: string): { insertBlocks(b: unknown): void } } } }).wp;
    wp.data.dispatch('core/block-editor').insertBlocks(wp.blocks.createBlock(blockName));
  }, name);
  const canvas = await editorCanvas(page);
  await expect(canvas.locator(`.${whosHereClass(slug)}__heading`)).toHaveText("Who's here");
  await expect(canvas.locator(`.${whosHereClass(slug)}__placeholder`)).toContainText('appear here, live, on the published page');
  const link = await page.evaluate(async () => {
    const wp = (window as unknown as { wp: { data: { dispatch(s: string): { editPost(e: object): void; savePost(): Promise<void> }; select(s: string): { getPermalink(): string } } } }).wp;
    wp.data.dispatch('core/editor').editPost({ status: 'publish' });
    await wp.data.dispatch('core/editor').savePost();
    return wp.data.select('core/editor').getPermalink();
  });
  // Nothing from the block (its name, its files) in the editor's console.
  expect(consoleEntries.filter(({ text, url }) => text.includes(name) || text.includes(`${slug}-whos-here`) || url.includes(`/plugins/${slug}/`))).toEqual([]);

  const problems = watchPageProblems(page);
  await page.goto(link);
  const block = page.locator(`.${whosHereClass(slug)}`);
  await expect(block).toHaveAttribute('data-whos-here-state', 'live', { timeout: 30_000 });
  await expect(block.locator(`.${whosHereClass(slug)}__name`)).toHaveText([/ \(you\)$/]);
  await expect(block.locator(`.${whosHereClass(slug)}__empty`)).toBeVisible();
  expect(problems).toEqual({ errors: [], dialogs: [] });
});

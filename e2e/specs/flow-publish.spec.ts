/**
 * Flow 1: an admin publishes a post (in the editor, then twice through REST); a visitor's page holding the block
 * shows it in under 2 s without a reload, as a working link. The 2 s run from the moment the post is published
 * (WordPress's answer to the publish request); the request itself is WordPress's own work and, in WebAssembly on a
 * busy machine, takes seconds, so it is printed next to a plain request's time rather than held to the budget.
 * Each run prints where the time went: the publish request, WordPress handing the event to the relay (cron pickup
 * and the signed POST; it can end before the publish response does), and the relay to the browser (the envelope's
 * ingest time is the item's datetime).
 */
import type { Page } from '@playwright/test';
import { Admin, Editor, PageUtils } from '@wordpress/e2e-test-utils-playwright';
import { expect, test } from '../support/fixtures.js';
import { waitForEditorReady } from '../support/editor.js';
import { anonymousContext, blockClass, blockName, openLiveBlock, publishBlockPage, type LiveBlockView } from '../support/live-block.js';
import { uniqueMarker } from '../support/trigger.js';
import type { WpClient } from '../support/wp-client.js';

const BUDGET_MS = 2_000;

interface Published {
  title: string;
  link: string;
  /** When the author asked to publish (click, or request start). */
  requestedAt: number;
  /** When WordPress answered the publish request: the post is published. */
  savedAt: number;
}

async function publishInEditor(page: Page, title: string, slug: string): Promise<Published> {
  const editor = new Editor({ page });
  const admin = new Admin({ page, editor, pageUtils: new PageUtils({ page, browserName: 'chromium' }) });
  await admin.createNewPost({ title, content: 'Published from the editor.' });
  // The editor keeps loading scripts (TinyMCE plugins) after it shows; Playground serves them one worker at a time,
  // so a publish clicked now would wait in that queue for tens of seconds and time the file server, not publishing.
  // (Not `networkidle`: on WordPress 7.x a request of the editor stays open for good.)
  await waitForEditorReady(page, blockName(slug));
  await page.locator('.editor-post-publish-panel__toggle').click();
  const saved = page.waitForResponse((r) => r.request().method() === 'POST' && /\/wp\/v2\/posts\/\d+(\?|&|$)/.test(decodeURIComponent(r.url())));
  const requestedAt = Date.now();
  await page.locator('.editor-post-publish-panel .editor-post-publish-button').click();
  const response = await saved;
  const savedAt = Date.now();
  expect(response.status()).toBe(200);
  const { link } = (await response.json()) as { link: string };
  return { title, link, requestedAt, savedAt };
}

async function publishThroughRest(admin: WpClient, title: string): Promise<Published> {
  await admin.restNonce();
  const requestedAt = Date.now();
  const response = await admin.request('/wp-json/wp/v2/posts', { method: 'POST', withNonce: true, json: { title, content: 'Published through REST.', status: 'publish' } });
  const savedAt = Date.now();
  expect(response.status, response.text).toBe(201);
  return { title, link: response.json<{ link: string }>().link, requestedAt, savedAt };
}

/** A plain WordPress request's round trip now, to read the other figures against. */
async function plainRequestMs(admin: WpClient): Promise<number> {
  const started = Date.now();
  const response = await admin.request('/wp-json/');
  expect(response.status).toBe(200);
  return Date.now() - started;
}

async function measure(view: LiveBlockView, slug: string, run: string, published: Published): Promise<number> {
  const onScreen = await view.appearedAt(published.title, 30_000);
  const ingestIso = await view.item(published.title).locator(`.${blockClass(slug)}__time`).getAttribute('datetime');
  const ingestedAt = ingestIso ? Date.parse(ingestIso) : NaN;
  const total = onScreen - published.savedAt;
  console.log(
    `[flow-1] ${run}: publish-to-screen ${total} ms after the publish response, ${onScreen - published.requestedAt} ms after the publish request` +
      ` (publish request ${published.savedAt - published.requestedAt} ms, WordPress to relay ingest ${ingestedAt - published.savedAt} ms,` +
      ` relay to screen ${onScreen - ingestedAt} ms)`,
  );
  return total;
}

test('a published post reaches a visitor\'s block in under 2 s, without a reload, as a working link', async ({ page, browser, admin, relay, stack }) => {
  test.setTimeout(240_000);
  expect(relay.running).toBe(true);
  const slug = stack.pluginSlug;
  const blockPage = await publishBlockPage(admin, slug, `Flow 1 ${uniqueMarker('page')}`, { eventTypes: ['post.published'], maxItems: 10, showTime: true });
  const visitor = await anonymousContext(browser, stack.wpUrl);
  try {
    const view = await openLiveBlock(visitor, blockPage.link, slug);
    await view.page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    const runs: Published[] = [];
    const times: number[] = [];
    const editorRun = await publishInEditor(page, `Editor post ${uniqueMarker('ui')}`, slug);
    runs.push(editorRun);
    times.push(await measure(view, slug, 'run 1 (editor)', editorRun));
    for (const n of [2, 3]) {
      const run = await publishThroughRest(admin, `REST post ${n} ${uniqueMarker('rest')}`);
      runs.push(run);
      times.push(await measure(view, slug, `run ${n} (REST)`, run));
    }
    console.log(`[flow-1] publish-to-screen (ms after the publish response): ${times.join(', ')}; a plain GET /wp-json/ took ${await plainRequestMs(admin)} ms`);
    for (const [i, ms] of times.entries()) expect(ms, `run ${i + 1} publish-to-screen`).toBeLessThan(BUDGET_MS);

    expect(await view.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    for (const run of runs) {
      await expect(view.item(run.title)).toHaveCount(1);
      await expect(view.item(run.title).locator('a')).toHaveAttribute('href', run.link);
    }
    // The link works: it takes the visitor to the post.
    await view.item(editorRun.title).locator('a').click();
    await view.page.waitForURL(editorRun.link);
    await expect(view.page.locator('h1, .wp-block-post-title').filter({ hasText: editorRun.title }).first()).toBeVisible();
    expect(view.problems).toEqual({ errors: [], dialogs: [] });
  } finally {
    await visitor.close();
  }
});

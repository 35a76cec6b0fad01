// The built view script in Debian's Chromium, against a real relay: what a visitor sees. Needs `npm run
// build:block` and /usr/bin/chromium (CHROMIUM_PATH overrides). The WordPress flows are in e2e/.
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from '@playwright/test';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPageServer, type PageServer } from './support/page-server.js';
import { startRelay, type TestRelay } from './support/relay.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BLOCK = '.wp-block-wp-realtime-live-notifications';
const config = { tokenPath: '/demo/v1/token', heading: 'News', maxItems: 3, eventTypes: ['post.*'], showTime: true };

let browser: Browser;
let relay: TestRelay;
let site: PageServer;
let pageErrors: string[];

async function openPage(): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(site.url);
  return page;
}

const titles = (page: Page): Promise<string[]> => page.locator(`${BLOCK}__title`).allTextContents();

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await site?.close();
  await relay?.relay.stop();
});

async function startSite(): Promise<void> {
  relay = await startRelay();
  site = await startPageServer(config, () => relay.tokenFor());
  pageErrors = [];
}

describe('the view script in Chromium', () => {
  it('goes live and shows events newest first, filtered, capped, as text, with safe links only', async () => {
    await startSite();
    const page = await openPage();
    await expect.poll(() => page.getAttribute(BLOCK, 'data-live-notifications-state')).toBe('live');
    expect(await page.textContent(`${BLOCK}__status`)).toBe('Live');

    await relay.emit([
      { id: 'v1', type: 'post.published', data: { title: '<img src=x onerror=alert(1)>', url: 'javascript:alert(1)' } },
      { id: 'v2', type: 'comment.approved', data: { title: 'filtered out' } },
      { id: 'v3', type: 'post.published', data: { title: 'Second', url: 'https://example.com/second' } },
      { id: 'v4', type: 'post.updated' },
      { id: 'v5', type: 'post.published', data: { title: 'Fourth' } },
    ]);
    await expect.poll(() => titles(page)).toEqual(['Fourth', 'post.updated', 'Second']);
    await relay.emit({ id: 'v3', type: 'post.published', data: { title: 'Second' } }); // a duplicate id
    await relay.emit({ id: 'v6', type: 'post.published', data: { title: '<img src=x onerror=alert(1)>' } });
    await expect.poll(() => titles(page)).toEqual(['<img src=x onerror=alert(1)>', 'Fourth', 'post.updated']);
    expect(await page.locator(`${BLOCK}__list img`).count()).toBe(0);
    expect(await page.locator(`${BLOCK}__list a`).count()).toBe(0);
    expect(await page.locator(`${BLOCK}__list time`).count()).toBe(3);
    expect(await page.getAttribute(`${BLOCK}__list`, 'aria-live')).toBe('polite');

    await relay.emit({ id: 'v7', type: 'post.published', data: { title: 'Linked', url: 'https://example.com/linked' } });
    await expect.poll(() => page.locator(`${BLOCK}__list a`).getAttribute('href')).toBe('https://example.com/linked');
    expect(pageErrors).toEqual([]);
  });

  it('after a reload shows what it missed meanwhile, from the id kept in sessionStorage', async () => {
    await startSite();
    const page = await openPage();
    await expect.poll(() => page.getAttribute(BLOCK, 'data-live-notifications-state')).toBe('live');
    await relay.emit({ id: 'm1', type: 'post.published', data: { title: 'Seen' } });
    await expect.poll(() => titles(page)).toEqual(['Seen']);

    await page.goto('about:blank');
    await relay.emit([
      { id: 'm2', type: 'post.published', data: { title: 'Missed one' } },
      { id: 'm3', type: 'post.published', data: { title: 'Missed two' } },
    ]);
    await page.goto(site.url);
    await expect.poll(() => titles(page)).toEqual(['Missed two', 'Missed one']);
    expect(pageErrors).toEqual([]);
  });

  it('stays quietly offline when the relay is unreachable, without breaking the page', async () => {
    await startSite();
    await relay.relay.stop();
    const page = await openPage();
    await expect.poll(() => page.getAttribute(BLOCK, 'data-live-notifications-state')).toBe('offline');
    expect(await page.textContent(`${BLOCK}__status`)).toBe('Offline');
    expect(await page.textContent(`${BLOCK}__heading`)).toBe('News');
    expect(pageErrors).toEqual([]);
  });
});

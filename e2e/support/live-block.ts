/**
 * The Live Notifications block as specs meet it: pages holding it (created through the REST API), browser contexts
 * for anonymous visitors and logged-in users, and locators/probes on the block's front-end markup (block/README.md).
 */
import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';
import type { WpClient } from './wp-client.js';

export interface LiveBlockAttributes {
  heading?: string;
  maxItems?: number;
  eventTypes?: string[];
  showTime?: boolean;
}

export type BlockState = 'connecting' | 'live' | 'offline';

export function blockName(slug: string): string {
  return `${slug}/live-notifications`;
}

export function blockClass(slug: string): string {
  return `wp-block-${slug}-live-notifications`;
}

/** Publishes a page whose content is the block with these attributes; returns its id and public link. */
export async function publishBlockPage(
  admin: WpClient,
  slug: string,
  title: string,
  attributes: LiveBlockAttributes = {},
): Promise<{ id: number; link: string }> {
  const content = `<!-- wp:${blockName(slug)} ${JSON.stringify(attributes)} /-->`;
  const response = await admin.request('/wp-json/wp/v2/pages', { method: 'POST', withNonce: true, json: { title, content, status: 'publish' } });
  if (response.status !== 201) throw new Error(`creating the block page failed: HTTP ${response.status} ${response.text.slice(0, 300)}`);
  return response.json<{ id: number; link: string }>();
}

/** A browser context without WordPress auth cookies: the Playground runtime's auto-login is switched off by its cookie. */
export async function anonymousContext(browser: Browser, siteUrl: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addCookies([{ name: 'playground_auto_login_already_happened', value: '1', url: siteUrl }]);
  return context;
}

/** A browser context logged in as this user through wp-login.php (never auto-logged in as admin). */
export async function loggedInContext(browser: Browser, siteUrl: string, user: string, password: string): Promise<BrowserContext> {
  const context = await anonymousContext(browser, siteUrl);
  const page = await context.newPage();
  await page.goto(new URL('/wp-login.php', siteUrl).href);
  await page.fill('#user_login', user);
  await page.fill('#user_pass', password);
  await Promise.all([page.waitForURL(/\/wp-admin\//), page.click('#wp-submit')]);
  await page.close();
  return context;
}

/** What went wrong on a page that the specs assert never happens: uncaught errors and alert/confirm dialogs. */
export interface PageProblems {
  errors: string[];
  dialogs: string[];
}

export function watchPageProblems(page: Page): PageProblems {
  const problems: PageProblems = { errors: [], dialogs: [] };
  page.on('pageerror', (error) => problems.errors.push(error.message));
  page.on('dialog', (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return problems;
}

export interface LiveBlockView {
  page: Page;
  root: Locator;
  items: Locator;
  problems: PageProblems;
  /** The item whose title is exactly this text. */
  item(title: string): Locator;
  waitForState(state: BlockState, timeoutMs?: number): Promise<void>;
  /** Date.now() in the page when an item with this title first appeared (recorded by a MutationObserver). */
  appearedAt(title: string, timeoutMs?: number): Promise<number>;
}

/**
 * Opens a page holding the block in this context and waits until the block is live. Every item's arrival time is
 * recorded in the page, so timing does not depend on how often a spec polls.
 */
export async function openLiveBlock(context: BrowserContext, url: string, slug: string): Promise<LiveBlockView> {
  const page = await context.newPage();
  const problems = watchPageProblems(page);
  const selector = `.${blockClass(slug)}`;
  await page.addInitScript((rootSelector: string) => {
    const seen: Record<string, number> = {};
    (window as unknown as { __liveItemsSeenAt: Record<string, number> }).__liveItemsSeenAt = seen;
    const record = (): void => {
      document.querySelectorAll(`${rootSelector} li`).forEach((li) => {
        const title = li.querySelector('[class$="__title"]')?.textContent ?? '';
        if (!(title in seen)) seen[title] = Date.now();
      });
    };
    new MutationObserver(record).observe(document, { childList: true, subtree: true });
  }, selector);
  await page.goto(url);
  const root = page.locator(selector).first();
  const view: LiveBlockView = {
    page,
    root,
    items: root.locator(`.${blockClass(slug)}__item`),
    problems,
    item: (title) => root.locator(`.${blockClass(slug)}__item`).filter({ has: page.locator(`.${blockClass(slug)}__title`, { hasText: exactText(title) }) }),
    async waitForState(state, timeoutMs = 30_000) {
      await page.waitForFunction(
        ([sel, want]) => document.querySelector(sel!)?.getAttribute('data-live-notifications-state') === want,
        [selector, state],
        { timeout: timeoutMs },
      );
    },
    async appearedAt(title, timeoutMs = 15_000) {
      const handle = await page.waitForFunction(
        (want) => (window as unknown as { __liveItemsSeenAt: Record<string, number> }).__liveItemsSeenAt[want] ?? false,
        title,
        { timeout: timeoutMs, polling: 50 },
      );
      return (await handle.jsonValue()) as number;
    },
  };
  await view.waitForState('live');
  return view;
}

function exactText(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** Titles of the block's items, top (newest) first. */
export function itemTitles(view: LiveBlockView, slug: string): Promise<string[]> {
  return view.root.locator(`.${blockClass(slug)}__title`).allTextContents();
}

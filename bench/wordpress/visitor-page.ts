/**
 * The visitor's page in Chromium: an anonymous browser context (Playground's auto-login switched off by its cookie)
 * on a page holding the Live Notifications block, with every item's arrival time recorded in the page by a
 * MutationObserver so timing does not depend on how often the benchmark polls. The in-page code is passed as source
 * text because the benchmark compiles without the DOM library (the same probe as e2e/support/live-block.ts).
 */
import type { Browser, Page } from 'playwright-core';

export interface VisitorPage {
  page: Page;
  /** Date.now() in the page when an item with exactly this title first appeared. */
  appearedAt(title: string, timeoutMs: number): Promise<number>;
  /** The item's `<time datetime>`: the envelope's time, set by the relay on ingest. */
  itemTime(title: string): Promise<string | null>;
  errors: string[];
}

export function blockClass(slug: string): string {
  return `wp-block-${slug}-live-notifications`;
}

function arrivalRecorder(rootSelector: string): string {
  return `(() => {
    const seen = {};
    window.__liveItemsSeenAt = seen;
    const record = () => document.querySelectorAll(${JSON.stringify(`${rootSelector} li`)}).forEach((li) => {
      const title = li.querySelector('[class$="__title"]')?.textContent ?? '';
      if (!(title in seen)) seen[title] = Date.now();
    });
    new MutationObserver(record).observe(document, { childList: true, subtree: true });
  })();`;
}

export async function openVisitorPage(browser: Browser, siteUrl: string, pageUrl: string, slug: string): Promise<VisitorPage> {
  const context = await browser.newContext();
  await context.addCookies([{ name: 'playground_auto_login_already_happened', value: '1', url: siteUrl }]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const root = `.${blockClass(slug)}`;
  await page.addInitScript({ content: arrivalRecorder(root) });
  await page.goto(pageUrl);
  await page.waitForFunction(`document.querySelector(${JSON.stringify(root)})?.getAttribute('data-live-notifications-state') === 'live'`, undefined, { timeout: 30_000 });
  return {
    page,
    errors,
    async appearedAt(title, timeoutMs) {
      const handle = await page.waitForFunction(`window.__liveItemsSeenAt[${JSON.stringify(title)}] ?? false`, undefined, { timeout: timeoutMs, polling: 50 });
      return (await handle.jsonValue()) as number;
    },
    itemTime(title) {
      return page.evaluate(
        `(() => {
          for (const li of document.querySelectorAll(${JSON.stringify(`${root} li`)})) {
            if (li.querySelector('[class$="__title"]')?.textContent === ${JSON.stringify(title)}) return li.querySelector(${JSON.stringify(`.${blockClass(slug)}__time`)})?.getAttribute('datetime') ?? null;
          }
          return null;
        })()`,
      ) as Promise<string | null>;
    },
  };
}

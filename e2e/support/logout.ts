/** A real WordPress logout in a browser, and the Live Notifications block's connection states around it. */
import { expect, type Page } from '@playwright/test';
import { blockClass } from './live-block.js';

/** When a logout was asked for, and when WordPress answered it (Date.now()). */
export interface Logout {
  sentAt: number;
  answeredAt: number;
}

/**
 * Logs out through WordPress's own logout link (with its nonce), as the toolbar's "Log Out" does. Returns when the
 * logout request was sent (a cut-off is timed from there, so the figure includes WordPress's own request time) and
 * when its answer, the redirect to `?loggedout=true`, arrived.
 *
 * The profile page's own background requests are let finish first. An admin page viewed by a user who may not
 * manage options runs core's compression test every time (`admin-ajax.php?action=wp-compression-test`, three
 * requests one after another: only an administrator's answer stores the result), and Chromium asks for
 * `/favicon.ico` (a WordPress request too). Under Playground, whose one PHP worker serves requests one at a time,
 * those sat in front of the logout and between it and the plugin's loopback (seen in the request log: test=1 and the
 * favicon before the logout, test=2 after it), adding 1–2 s that belonged to neither.
 */
export async function logOut(page: Page, siteUrl: string): Promise<Logout> {
  await page.goto(new URL('/wp-admin/profile.php', siteUrl).href);
  await untilQuiet(page);
  const href = await page.locator('#wp-admin-bar-logout a').getAttribute('href');
  expect(href).toMatch(/action=logout/);
  let answeredAt = 0;
  page.on('response', (response) => {
    if (answeredAt === 0 && response.url().includes('action=logout')) answeredAt = Date.now();
  });
  const sentAt = Date.now();
  await page.goto(href!);
  await expect(page).toHaveURL(/loggedout=true/);
  expect(answeredAt, 'the logout request was answered').toBeGreaterThan(0);
  return { sentAt, answeredAt };
}

/**
 * Records in the page each change of the Live Notifications block's connection state with Date.now(), from now on
 * (read from the page's own log: a background tab's requestAnimationFrame, which waitForState polls with, sleeps).
 */
export async function watchStates(page: Page, slug: string): Promise<() => Promise<{ state: string; at: number }[]>> {
  await page.evaluate((selector) => {
    const root = document.querySelector(selector)!;
    const log: { state: string; at: number }[] = [];
    (window as unknown as { __states: typeof log }).__states = log;
    new MutationObserver(() => log.push({ state: root.getAttribute('data-live-notifications-state') ?? '', at: Date.now() })).observe(root, {
      attributes: true,
      attributeFilter: ['data-live-notifications-state'],
    });
  }, `.${blockClass(slug)}`);
  return () => page.evaluate(() => (window as unknown as { __states: { state: string; at: number }[] }).__states);
}

/**
 * Waits until the page has had no request in flight for 500 ms (Playwright's `networkidle`), at most `maxMs`: a page
 * that never goes quiet (an editor holding a request open) is taken as it is.
 */
async function untilQuiet(page: Page, maxMs = 15_000): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout: maxMs }).catch((error: unknown) => {
    if (!(error instanceof Error && error.name === 'TimeoutError')) throw error;
  });
}

/** A real WordPress logout in a browser, and the Live Notifications block's connection states around it. */
import { expect, type Page } from '@playwright/test';
import { blockClass } from './live-block.js';

/**
 * Logs out through WordPress's own logout link (with its nonce), as the toolbar's "Log Out" does. Returns when the
 * logout request was sent: a cut is timed from there (so the figure includes WordPress's own request time).
 */
export async function logOut(page: Page, siteUrl: string): Promise<number> {
  await page.goto(new URL('/wp-admin/profile.php', siteUrl).href);
  const href = await page.locator('#wp-admin-bar-logout a').getAttribute('href');
  expect(href).toMatch(/action=logout/);
  const sentAt = Date.now();
  await page.goto(href!);
  await expect(page).toHaveURL(/loggedout=true/);
  return sentAt;
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

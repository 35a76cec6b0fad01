/** The Who's Here block as specs meet it: posts holding it, readers with display names, and its front-end markup. */
import type { Locator, Page } from '@playwright/test';
import type { WpClient } from './wp-client.js';
import { createUserSession } from './users.js';

export function whosHereClass(slug: string): string {
  return `wp-block-${slug}-whos-here`;
}

/** The names listed in the block on this page, viewer first. */
export function whosHereNames(page: Page, slug: string): Locator {
  return page.locator(`.${whosHereClass(slug)} ul.${whosHereClass(slug)}__list > li .${whosHereClass(slug)}__name`);
}

/** Publishes a post holding a paragraph, the Who's Here block and then `extraBlocks` (block markup); returns its id and link. */
export async function publishWhosHerePost(admin: WpClient, slug: string, title: string, extraBlocks = ''): Promise<{ id: number; link: string }> {
  const content = `<!-- wp:paragraph --><p>Reading together.</p><!-- /wp:paragraph --><!-- wp:${slug}/whos-here /-->${extraBlocks}`;
  const response = await admin.request('/wp-json/wp/v2/posts', { method: 'POST', withNonce: true, json: { title, content, status: 'publish' } });
  if (response.status !== 201) throw new Error(`creating the post failed: HTTP ${response.status} ${response.text.slice(0, 300)}`);
  return response.json<{ id: number; link: string }>();
}

async function setDisplayName(admin: WpClient, id: number, name: string): Promise<void> {
  const response = await admin.request(`/wp-json/wp/v2/users/${id}`, { method: 'POST', withNonce: true, json: { name } });
  if (response.status !== 200) throw new Error(`renaming user ${id} failed: HTTP ${response.status} ${response.text.slice(0, 300)}`);
}

/** A subscriber with a display name of its own (an apostrophe too: WordPress stores it escaped, the block shows text). */
export async function reader(admin: WpClient, name: string): Promise<{ id: number; username: string; password: string; name: string }> {
  const user = await createUserSession(admin, 'subscriber');
  await setDisplayName(admin, user.id, name);
  return { ...user, name };
}

/**
 * Records in the page Date.now() when the member with this id first leaves the block's list, from now on (a
 * MutationObserver: a background tab's requestAnimationFrame, which Playwright's polling uses, may sleep). The
 * returned probe reads it: null while the member is still listed.
 */
export async function watchMemberRemoval(page: Page, slug: string, memberId: number): Promise<() => Promise<number | null>> {
  await page.evaluate(
    ([selector, id]) => {
      const root = document.querySelector(selector!)!;
      const state = window as unknown as { __memberRemovedAt: Record<string, number> };
      state.__memberRemovedAt ??= {};
      const check = (): void => {
        if (!(id! in state.__memberRemovedAt) && root.querySelector(`li[data-member-id="${id}"]`) === null) state.__memberRemovedAt[id!] = Date.now();
      };
      new MutationObserver(check).observe(root, { childList: true, subtree: true });
      check();
    },
    [`.${whosHereClass(slug)}`, String(memberId)],
  );
  return () => page.evaluate((id) => (window as unknown as { __memberRemovedAt: Record<string, number> }).__memberRemovedAt[id] ?? null, String(memberId));
}

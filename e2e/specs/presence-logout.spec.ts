/**
 * Logging out of WordPress cuts a user off presence too (issue 14): two users on the same post see each other in
 * Who's Here; one logs out through WordPress's own logout link in their browser, and within 2 s the other's list no
 * longer shows them AND their private channel (`private-user-<id>`) stops delivering in the logged-out browser. The
 * logged-out tab reconnects by itself as a visitor; it must not rejoin the presence channel.
 */
import { expect, test } from '../support/fixtures.js';
import { blockName, itemTitles, openLiveBlock } from '../support/live-block.js';
import { logOut, watchStates } from '../support/logout.js';
import { sendNotice, sendToUser } from '../support/notice.js';
import { uniqueMarker } from '../support/trigger.js';
import { loggedInContexts } from '../support/users.js';
import { publishWhosHerePost, reader, watchMemberRemoval, whosHereClass, whosHereNames } from '../support/whos-here.js';

const WITHIN_MS = 2_000;

test("a user who logs out leaves the other's Who's Here and loses their private channel within 2 s", async ({ browser, admin, anonymous, relay, stack }) => {
  test.setTimeout(150_000);
  expect(relay.running).toBe(true);
  const slug = stack.pluginSlug;
  const marker = uniqueMarker('logout');
  // Who's Here and Live Notifications on the same post: the second shows what the viewer's private channel delivers.
  const post = await publishWhosHerePost(admin, slug, `Logout ${marker}`, `<!-- wp:${blockName(slug)} {"maxItems":10} /-->`);
  const ana = await reader(admin, `Ana ${marker}`);
  const bo = await reader(admin, `Bo ${marker}`);
  const contexts = await loggedInContexts(browser, stack.wpUrl, [ana, bo]);
  const [anaContext, boContext] = contexts;
  try {
    const anaTab = await openLiveBlock(anaContext, post.link, slug);
    const boTab = await openLiveBlock(boContext, post.link, slug);
    const anaNames = whosHereNames(anaTab.page, slug);
    await expect(anaNames).toHaveText([`${ana.name} (you)`, bo.name], { timeout: 20_000 });
    await expect(whosHereNames(boTab.page, slug)).toHaveText([`${bo.name} (you)`, ana.name], { timeout: 20_000 });
    const before = `for bo before ${marker}`;
    await sendToUser(admin, slug, bo.id, before);
    await expect(boTab.item(before)).toHaveCount(1, { timeout: 20_000 });

    const boRemovedAt = await watchMemberRemoval(anaTab.page, slug, bo.id);
    const boStates = await watchStates(boTab.page, slug);
    const logout = await logOut(await boContext.newPage(), stack.wpUrl);

    // Gone from Ana's list, and Bo's connection (his private channel with it) ended, both within 2 s of the logout.
    await expect.poll(boRemovedAt, { timeout: WITHIN_MS + 3_000 }).not.toBeNull();
    await expect.poll(async () => (await boStates()).some((entry) => entry.state === 'offline'), { timeout: WITHIN_MS + 3_000 }).toBe(true);
    const removedMs = (await boRemovedAt())! - logout.sentAt;
    const cutMs = (await boStates()).find((entry) => entry.state === 'offline')!.at - logout.sentAt;
    const logoutMs = logout.answeredAt - logout.sentAt;
    test.info().annotations.push({ type: 'removed from Who’s Here after logout', description: `${removedMs} ms` });
    test.info().annotations.push({ type: 'private channel cut after logout', description: `${cutMs} ms (the logout request itself: ${logoutMs} ms)` });
    console.log(`presence-logout: Bo left Ana's Who's Here ${removedMs} ms and his tab went offline ${cutMs} ms after the logout request was sent (answered after ${logoutMs} ms)`);
    expect(removedMs).toBeLessThan(WITHIN_MS);
    expect(cutMs).toBeLessThan(WITHIN_MS);
    await expect(anaNames).toHaveText([`${ana.name} (you)`]);
    await expect(anaTab.page.locator(`.${whosHereClass(slug)}`).getByRole('status')).toHaveText(`${bo.name} left`);

    // Bo's tab comes back by itself as a visitor: public events reach it, his own no longer do, and it does not
    // rejoin Ana's list (a visitor's token lists no presence channel).
    await expect.poll(async () => (await boStates()).at(-1)?.state, { timeout: 30_000 }).toBe('live');
    const after = `for bo after ${marker}`;
    const everyone = `for everyone after ${marker}`;
    await sendToUser(admin, slug, bo.id, after);
    await sendNotice(anonymous, stack, { title: everyone, channel: 'public' });
    for (const tab of [anaTab, boTab]) await expect(tab.item(everyone)).toHaveCount(1, { timeout: 20_000 });
    expect(await itemTitles(boTab, slug)).toEqual([everyone, before]);
    expect(await itemTitles(anaTab, slug)).toEqual([everyone]);
    await expect(anaNames).toHaveText([`${ana.name} (you)`]);
    // His own Who's Here stays offline and lists nobody, himself included.
    await expect(boTab.page.locator(`.${whosHereClass(slug)}`)).not.toHaveAttribute('data-whos-here-state', 'live');
    await expect(whosHereNames(boTab.page, slug)).toHaveCount(0);
    for (const tab of [anaTab, boTab]) expect(tab.problems).toEqual({ errors: [], dialogs: [] });
  } finally {
    for (const context of contexts) await context.close();
  }
});

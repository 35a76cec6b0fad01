/**
 * Cutting users off (issue 14 item 4), in Chromium against real WordPress and the relay: a user who logs out loses
 * their private channel within 2 s (every tab of theirs is cut; a tab in another browser where they are still signed
 * in comes back by itself with a new token), and an Author demoted to Subscriber stops receiving `role-author` events
 * within 2 s while the tab stays live. `<prefix>_send_to_user()` reaching exactly that user's open tabs is
 * flow-private-channels.spec.ts's second test.
 */
import { expect, test } from '../support/fixtures.js';
import { anonymousContext, itemTitles, openLiveBlock, publishBlockPage } from '../support/live-block.js';
import { logOut, watchStates } from '../support/logout.js';
import { sendNotice } from '../support/notice.js';
import { uniqueMarker } from '../support/trigger.js';
import { createUserSession, loggedInContexts } from '../support/users.js';

const WITHIN_MS = 2_000;

test('a user who logs out loses their private channel within 2 s', async ({ browser, admin, anonymous, relay, stack }) => {
  test.setTimeout(150_000);
  expect(relay.running).toBe(true);
  const slug = stack.pluginSlug;
  const blockPage = await publishBlockPage(admin, slug, `Cut-off ${uniqueMarker('page')}`, { maxItems: 10 });
  const alice = await createUserSession(admin, 'subscriber');
  // Alice in two browsers (two sessions): she logs out of the first only.
  const [leaving, staying] = await loggedInContexts(browser, stack.wpUrl, [alice, alice]);
  const visitor = await anonymousContext(browser, stack.wpUrl);
  try {
    const [leavingTab, stayingTab, visitorTab] = await Promise.all([leaving, staying, visitor].map((c) => openLiveBlock(c, blockPage.link, slug)));
    const marker = uniqueMarker('cutoff');
    const before = `for alice before ${marker}`;
    await sendNotice(anonymous, stack, { title: before, channel: `private-user-${alice.id}` });
    for (const tab of [leavingTab!, stayingTab!]) await expect(tab.item(before)).toHaveCount(1, { timeout: 20_000 });
    const states = await watchStates(leavingTab!.page, slug);

    const logout = await logOut(await leaving.newPage(), stack.wpUrl);
    // The relay ends the tab's connection (the block shows it offline) within 2 s of the logout. Read from the
    // page's own log: the tab is in the background now, where requestAnimationFrame (waitForState's polling) sleeps.
    await expect.poll(async () => (await states()).some((entry) => entry.state === 'offline'), { timeout: WITHIN_MS + 3_000 }).toBe(true);
    const offline = (await states()).find((entry) => entry.state === 'offline');
    const cutMs = offline!.at - logout.sentAt;
    const logoutMs = logout.answeredAt - logout.sentAt;
    test.info().annotations.push({ type: 'cut after logout', description: `${cutMs} ms (the logout request itself: ${logoutMs} ms)` });
    console.log(`users-cutoff: the tab went offline ${cutMs} ms after the logout request was sent (answered after ${logoutMs} ms)`);
    expect(cutMs).toBeLessThan(WITHIN_MS);
    // It reconnects by itself, now as a visitor (WordPress signs no token for Alice in this browser any more).
    await expect.poll(async () => (await states()).at(-1)?.state, { timeout: 30_000 }).toBe('live');
    await stayingTab!.waitForState('live', 30_000);

    const after = `for alice after ${marker}`;
    const everyone = `for everyone after ${marker}`;
    await sendNotice(anonymous, stack, { title: after, channel: `private-user-${alice.id}` });
    await sendNotice(anonymous, stack, { title: everyone, channel: 'public' });
    for (const tab of [leavingTab!, stayingTab!, visitorTab!]) await expect(tab.item(everyone)).toHaveCount(1, { timeout: 20_000 });
    // Still signed in in the other browser: Alice gets it there, and only there.
    await expect(stayingTab!.item(after)).toHaveCount(1);
    expect(await itemTitles(leavingTab!, slug)).toEqual([everyone, before]);
    expect(await itemTitles(visitorTab!, slug)).toEqual([everyone]);
    for (const tab of [leavingTab!, stayingTab!, visitorTab!]) expect(tab.problems).toEqual({ errors: [], dialogs: [] });
  } finally {
    for (const context of [leaving, staying, visitor]) await context.close();
  }
});

test('an Author demoted to Subscriber stops receiving role-author events within 2 s, and stays connected', async ({ browser, admin, anonymous, relay, stack }) => {
  test.setTimeout(150_000);
  expect(relay.running).toBe(true);
  const slug = stack.pluginSlug;
  const blockPage = await publishBlockPage(admin, slug, `Demotion ${uniqueMarker('page')}`, { maxItems: 10 });
  const ana = await createUserSession(admin, 'author');
  const colleague = await createUserSession(admin, 'author');
  const contexts = await loggedInContexts(browser, stack.wpUrl, [ana, colleague]);
  try {
    const [anaTab, colleagueTab] = await Promise.all(contexts.map((c) => openLiveBlock(c, blockPage.link, slug)));
    const marker = uniqueMarker('demotion');
    const before = `authors before ${marker}`;
    await sendNotice(anonymous, stack, { title: before, channel: 'role-author' });
    for (const tab of [anaTab!, colleagueTab!]) await expect(tab.item(before)).toHaveCount(1, { timeout: 20_000 });
    const states = await watchStates(anaTab!.page, slug);

    const demoted = await admin.request(`/wp-json/wp/v2/users/${ana.id}`, { method: 'POST', withNonce: true, json: { roles: ['subscriber'] } });
    expect(demoted.status, demoted.text.slice(0, 300)).toBe(200);
    const demotedAt = Date.now();
    // 2 s after the demotion, a role-author event must no longer reach her.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, demotedAt + WITHIN_MS - Date.now())));
    const after = `authors after ${marker}`;
    const mine = `for ana after ${marker}`;
    await sendNotice(anonymous, stack, { title: after, channel: 'role-author' });
    await sendNotice(anonymous, stack, { title: mine, channel: `private-user-${ana.id}` });
    await expect(colleagueTab!.item(after)).toHaveCount(1, { timeout: 20_000 });
    // Her own channel still reaches her, on the same connection: narrowed, not cut.
    await expect(anaTab!.item(mine)).toHaveCount(1, { timeout: 20_000 });
    expect(await itemTitles(anaTab!, slug)).toEqual([mine, before]);
    expect(await states()).toEqual([]);
    for (const tab of [anaTab!, colleagueTab!]) expect(tab.problems).toEqual({ errors: [], dialogs: [] });
  } finally {
    for (const context of contexts) await context.close();
  }
});

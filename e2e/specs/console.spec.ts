/**
 * The live console in wp-admin (Tools → <Name> console), as an administrator uses it in Chromium against a real
 * WordPress and a real relay: events arrive live (from WordPress and from `wp-realtime emit`), the publish form
 * reaches a visitor's block, the outbox shows an event waiting while the relay is down and delivers it on Retry,
 * a dead letter is discarded, and nobody but an administrator gets in. Screenshots go to docs/images/console-*.png.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { relayProcess } from '../../stack/relay-process.js';
import { expect, test } from '../support/fixtures.js';
import { anonymousContext, openLiveBlock, publishBlockPage } from '../support/live-block.js';
import { uniqueMarker } from '../support/trigger.js';
import { createUserSession } from '../support/users.js';
import type { WpClient } from '../support/wp-client.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const IMAGES = fileURLToPath(new URL('../../docs/images/', import.meta.url));

// Under Playground one PHP worker serves wp-admin's ~70 scripts and styles, so the console page alone takes a minute
// or more to load on a busy 2-core machine: every test there gets three times the time.
function allow(ms: number, runtime: string): void {
  test.setTimeout(runtime === 'playground' ? ms * 3 : ms);
}

function consolePath(slug: string): string {
  return `/wp-admin/tools.php?page=${slug}-console`;
}

async function openConsole(page: Page, slug: string): Promise<void> {
  // The panels start fetching as soon as the script runs; waiting for every asset's load event adds nothing.
  await page.goto(consolePath(slug), { waitUntil: 'domcontentloaded' });
  await expect(page.locator('.realtime-console__connection')).toHaveAttribute('data-connection', 'live', { timeout: 60_000 });
}

/** The event in the console's live list whose data mentions this marker. */
function streamItem(page: Page, marker: string) {
  return page.locator('.realtime-console__events .realtime-console__event', { hasText: marker });
}

async function publishFromForm(page: Page, event: { channel: string; type: string; data: unknown }): Promise<string> {
  const form = page.locator('.realtime-console__publish');
  await form.getByLabel('Channel', { exact: true }).fill(event.channel);
  await form.getByLabel('Type', { exact: true }).fill(event.type);
  await form.getByLabel('Data (JSON object)').fill(JSON.stringify(event.data));
  const outcome = form.locator('.realtime-console__outcome');
  const before = (await outcome.textContent()) ?? '';
  await form.getByRole('button', { name: 'Publish', exact: true }).click();
  // The outcome of an earlier publish may still be shown: wait for this one's.
  await expect(outcome).not.toHaveText(before);
  await expect(outcome).toContainText('Queued in the outbox as');
  const id = /Queued in the outbox as (\S+?)\.?$/.exec((await outcome.textContent())?.trim() ?? '')?.[1];
  if (!id) throw new Error(`no event id in the publish outcome: ${await outcome.textContent()}`);
  return id;
}

async function showOutbox(page: Page, status: 'pending' | 'sent' | 'dead'): Promise<void> {
  await page.locator(`[data-outbox-status="${status}"]`).click();
  await expect(page.locator(`[data-outbox-status="${status}"]`)).toHaveAttribute('aria-pressed', 'true');
}

function outboxRow(page: Page, id: string) {
  return page.locator(`.realtime-console__outbox tr[data-outbox-id="${id}"]`);
}

async function screenshot(page: Page, name: string, selector?: string): Promise<void> {
  mkdirSync(IMAGES, { recursive: true });
  const path = `${IMAGES}console-${name}.png`;
  if (selector) await page.locator(selector).screenshot({ path });
  else await page.screenshot({ path, fullPage: true });
}

async function consoleRouteStatuses(client: WpClient, slug: string, withNonce = true): Promise<Record<string, number>> {
  const base = `/wp-json/${slug}/v1/console`;
  const calls: Array<[string, string, unknown?]> = [
    ['GET', `${base}/token?channels=public`],
    ['GET', `${base}/outbox`],
    ['POST', `${base}/outbox/retry`, { ids: ['x'] }],
    ['POST', `${base}/outbox/discard`, { ids: ['x'] }],
    ['GET', `${base}/health`],
  ];
  const statuses: Record<string, number> = {};
  for (const [method, path, json] of calls) {
    const response = await client.request(path, { method, withNonce, ...(json === undefined ? {} : { json }) });
    statuses[`${method} ${path}`] = response.status;
  }
  return statuses;
}

test('an administrator watches events live, publishes from the form and sees it on a visitor page', async ({ page, browser, admin, relay, stack }) => {
  allow(150_000, stack.runtime);
  await openConsole(page, stack.pluginSlug);

  // Published by WordPress: a new post's post.published.
  const postTitle = uniqueMarker('console-post');
  const created = await admin.request('/wp-json/wp/v2/posts', { method: 'POST', withNonce: true, json: { title: postTitle, status: 'publish' } });
  expect(created.status, created.text).toBe(201);
  await expect(streamItem(page, postTitle)).toContainText('post.published', { timeout: 30_000 });

  // Sent by an external service with the CLI.
  const emitted = uniqueMarker('console-emit');
  await run(process.execPath, [`${ROOT}bin/wp-realtime.js`, 'emit', '--relay', relay.url, '--secret', stack.secret, '--type', 'console.emit', '--data', JSON.stringify({ title: emitted })]);
  await expect(streamItem(page, emitted)).toContainText('console.emit', { timeout: 15_000 });

  // Filters and pause work on what arrived.
  await page.getByLabel('Filter by type').fill('post.');
  await expect(streamItem(page, emitted)).toHaveCount(0);
  await expect(streamItem(page, postTitle)).toHaveCount(1);
  await page.getByLabel('Filter by type').fill('');

  // Published from the form: it reaches a visitor's Live Notifications block.
  const blockPage = await publishBlockPage(admin, stack.pluginSlug, uniqueMarker('console-block-page'));
  const visitor = await anonymousContext(browser, stack.wpUrl);
  try {
    const view = await openLiveBlock(visitor, blockPage.link, stack.pluginSlug);
    const fromForm = uniqueMarker('console-form');
    await publishFromForm(page, { channel: 'public', type: 'console.form', data: { title: fromForm } });
    await expect(view.item(fromForm)).toBeVisible({ timeout: 30_000 });
    await expect(streamItem(page, fromForm)).toBeVisible({ timeout: 15_000 });
    expect(view.problems.errors).toEqual([]);
  } finally {
    await visitor.close();
  }

  // The form refuses bad JSON before sending anything, naming the field.
  await page.locator('.realtime-console__publish').getByLabel('Data (JSON object)').fill('{"title": ');
  await page.locator('.realtime-console__publish').getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page.locator('.realtime-console__publish')).toContainText('Not valid JSON');

  // The token inspector decodes a real console token.
  const token = await admin.request(`/wp-json/${stack.pluginSlug}/v1/console/token?channels=public,private-ops`, { withNonce: true });
  expect(token.status, token.text).toBe(200);
  expect(token.text).not.toContain(stack.secret);
  await page.getByLabel('Token', { exact: true }).fill(token.json<{ token: string }>().token);
  await expect(page.locator('[data-claim="ch"]')).toContainText('private-ops');
  await expect(page.locator('[data-token-expired]')).toHaveAttribute('data-token-expired', 'false');

  // Relay health, from /metrics through the plugin.
  await expect(page.locator('[data-health="reachable"]')).toContainText('reachable at', { timeout: 15_000 });
  await expect(page.locator('[data-health="connections"]')).toHaveText(/^[1-9]\d*$/);
  await expect(page.locator('[data-health="deliveries"]')).toHaveText(/^[1-9]\d*$/);

  // The chart keeps what this page sampled (every 10 s): two samples draw a line.
  await expect.poll(async () => ((await page.locator('.realtime-console__chart polyline').first().getAttribute('points')) ?? '').split(' ').length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  await page.getByRole('button', { name: 'Pause' }).click();
  await screenshot(page, 'overview');
  await page.getByRole('button', { name: 'Resume' }).click();
  await screenshot(page, 'stream', '.realtime-console__stream');
  await screenshot(page, 'token', '.realtime-console__token');
  await screenshot(page, 'health', '.realtime-console__health');
});

test('with the relay down an event waits in the outbox, Retry delivers it, and a dead letter is discarded', async ({ page, relay, stack }) => {
  allow(180_000, stack.runtime);
  await openConsole(page, stack.pluginSlug);
  await relay.stop();
  // A relay without the webhook, so that only the console's Retry can end the backoff (not a relay_ready call);
  // its --max-data-depth 2 makes it refuse a deeper event, which the plugin then dead-letters at once.
  const strict = relayProcess({ port: stack.relayPort, host: stack.relayListenHost, secret: stack.secret, extraArgs: ['--log-level', 'warn', '--max-data-depth', '2'] });
  try {
    await expect(page.locator('.realtime-console__connection')).toHaveAttribute('data-connection', 'offline', { timeout: 30_000 });
    const waiting = uniqueMarker('console-waiting');
    const waitingId = await publishFromForm(page, { channel: 'public', type: 'console.outage', data: { title: waiting } });
    await showOutbox(page, 'pending');
    await expect(outboxRow(page, waitingId)).toBeVisible({ timeout: 15_000 });
    await expect(outboxRow(page, waitingId).locator('.realtime-console__last-error')).not.toHaveText('—', { timeout: 15_000 });
    await screenshot(page, 'outbox-waiting', '.realtime-console__outbox');

    await strict.start();
    await expect(page.locator('.realtime-console__connection')).toHaveAttribute('data-connection', 'live', { timeout: 45_000 });
    await outboxRow(page, waitingId).getByRole('button', { name: `Retry ${waitingId}` }).click();
    await expect(page.locator('.realtime-console__outbox .realtime-console__outcome')).toContainText(`Event ${waitingId} was delivered to the relay.`, { timeout: 30_000 });
    await expect(streamItem(page, waiting)).toBeVisible({ timeout: 15_000 });
    await expect(outboxRow(page, waitingId)).toHaveCount(0);
    await showOutbox(page, 'sent');
    await expect(outboxRow(page, waitingId)).toBeVisible();

    // Within the plugin's limits (32 levels), beyond this relay's (2): refused with a 400, dead at once.
    const deep = uniqueMarker('console-deep');
    const deadId = await publishFromForm(page, { channel: 'public', type: 'console.deep', data: { title: deep, nested: { deeper: { deepest: 1 } } } });
    await showOutbox(page, 'dead');
    await expect(outboxRow(page, deadId)).toBeVisible({ timeout: 30_000 });
    await expect(outboxRow(page, deadId).locator('.realtime-console__last-error')).toContainText('data_too_deep');
    await screenshot(page, 'outbox-dead', '.realtime-console__outbox');
    await outboxRow(page, deadId).getByRole('button', { name: `Discard ${deadId}` }).click();
    await expect(page.locator('.realtime-console__outbox .realtime-console__outcome')).toContainText(`Event ${deadId} was discarded.`, { timeout: 60_000 });
    await expect(outboxRow(page, deadId)).toHaveCount(0);
    await expect(streamItem(page, deep)).toHaveCount(0);
  } finally {
    await strict.stop();
    await relay.start();
  }
});

test('a non-administrator gets 403 from every console route and cannot open the page; the script stays off other pages', async ({ admin, anonymous, stack }) => {
  allow(90_000, stack.runtime);
  for (const role of ['subscriber', 'author']) {
    const user = await createUserSession(admin, role);
    const statuses = await consoleRouteStatuses(user.client, stack.pluginSlug);
    for (const [route, status] of Object.entries(statuses)) expect(status, `${role}: ${route}`).toBe(403);
    const page = await user.client.request(consolePath(stack.pluginSlug));
    expect(page.status, `${role} opening the console`).toBe(403);
    expect(page.text).not.toContain('build/console/index.js');
  }
  // Without a session (and so without a nonce) every route answers 401.
  for (const [route, status] of Object.entries(await consoleRouteStatuses(anonymous, stack.pluginSlug, false))) expect(status, `anonymous: ${route}`).toBe(401);

  // Bad input gets a 400 that names the parameter.
  const noChannels = await admin.request(`/wp-json/${stack.pluginSlug}/v1/console/token`, { withNonce: true });
  expect(noChannels.status).toBe(400);
  const badChannel = await admin.request(`/wp-json/${stack.pluginSlug}/v1/console/token?channels=${encodeURIComponent('no spaces!')}`, { withNonce: true });
  expect(badChannel.status).toBe(400);
  expect(badChannel.text).toContain('channels');
  const badIds = await admin.request(`/wp-json/${stack.pluginSlug}/v1/console/outbox/retry`, { method: 'POST', withNonce: true, json: { ids: [] } });
  expect(badIds.status).toBe(400);
  const badStatus = await admin.request(`/wp-json/${stack.pluginSlug}/v1/console/outbox?status=lost`, { withNonce: true });
  expect(badStatus.status).toBe(400);

  // The console's script is enqueued on its page only.
  const consolePage = await admin.request(consolePath(stack.pluginSlug));
  expect(consolePage.status).toBe(200);
  expect(consolePage.text).toContain(`/${stack.pluginSlug}/build/console/index.js`);
  for (const other of ['/wp-admin/index.php', `/wp-admin/options-general.php?page=${stack.pluginSlug}`, '/wp-admin/tools.php']) {
    const response = await admin.request(other);
    expect(response.status, other).toBe(200);
    expect(response.text, other).not.toContain('build/console/index.js');
  }
});

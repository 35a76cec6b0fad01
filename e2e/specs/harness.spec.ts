/** The harness itself: rewrite rules, anonymous vs logged-in sessions, WP-Cron on demand, Chromium in wp-admin. */
import { expect, test } from '../support/fixtures.js';
import { runCron, WpClient } from '../support/wp-client.js';

test('a plugin rewrite endpoint answers at its pretty URL', async ({ anonymous }) => {
  const response = await anonymous.request('/e2e-probe/v1/ping', { method: 'POST' });
  expect(response.status).toBe(200);
  expect(response.json()).toEqual({ pong: true, method: 'post' });
});

test('a client with the Playground cookie is anonymous until it logs in', async ({ stack }) => {
  const client = new WpClient(stack.wpUrl);
  expect((await client.request('/wp-json/wp/v2/users/me')).status).toBe(401);
  await client.login(stack.adminUser, stack.adminPassword);
  const me = await client.request('/wp-json/wp/v2/users/me', { withNonce: true });
  expect(me.status).toBe(200);
  expect(me.json<{ slug: string }>().slug).toBe(stack.adminUser);
});

test('GET /wp-cron.php runs due cron events', async ({ admin }) => {
  const ticks = async (): Promise<number> => (await admin.request('/wp-json/e2e-probe/v1/tick', { withNonce: true })).json<{ ticks: number }>().ticks;
  const before = await ticks();
  const scheduled = await admin.request('/wp-json/e2e-probe/v1/tick', { method: 'POST', withNonce: true });
  expect(scheduled.json()).toEqual({ scheduled: true });
  await runCron(admin);
  await expect.poll(ticks, { timeout: 15_000 }).toBe(before + 1);
});

test('Chromium opens the block editor as admin', async ({ page, stack }) => {
  // The page fixture is already logged in on the real stacks, and Playground logs a browser in by itself; log in here
  // only if WordPress still sends this browser to its login form.
  await page.goto('/wp-admin/post-new.php');
  if (page.url().includes('wp-login.php')) {
    await page.fill('#user_login', stack.adminUser);
    await page.fill('#user_pass', stack.adminPassword);
    await page.click('#wp-submit');
    await page.waitForURL(/wp-admin/);
    await page.goto('/wp-admin/post-new.php');
  }
  // 6.1 renders the writing flow in the page; newer versions (always from 7.0) inside the editor-canvas iframe.
  const inPage = page.locator('.block-editor-writing-flow, .editor-styles-wrapper');
  const inCanvas = page.frameLocator('iframe[name="editor-canvas"]').locator('.block-editor-writing-flow, .editor-styles-wrapper');
  // (A frame locator cannot be part of locator.or(), so poll both.)
  await expect(async () => expect((await inPage.first().isVisible()) || (await inCanvas.first().isVisible())).toBe(true)).toPass({ timeout: 30_000 });
});

/**
 * Playwright fixtures: the relay as a real process owned by the (single) worker, so specs may stop and restart
 * it; an admin HTTP session; an anonymous one; the stack's settings; and `page` logged in as admin on every
 * runtime (Playground logs a browser in by itself; the other runtimes log in through wp-login.php, as a person).
 */
import { test as base, type Page } from '@playwright/test';
import { relayProcess, type RelayProcess } from '../../stack/relay-process.js';
import { e2eStack, type E2eStack } from './stack-env.js';
import { WpClient } from './wp-client.js';

/** `--webhook-url` pointing at the generated plugin's webhook route. */
export function webhookArgs(stack: E2eStack, url = webhookUrl(stack)): string[] {
  return ['--webhook-url', url];
}

export function webhookUrl(stack: E2eStack): string {
  return `${stack.wpUrl}/wp-json/${stack.pluginSlug}/v1/webhook`;
}

interface WorkerFixtures {
  stack: E2eStack;
  relay: RelayProcess;
  admin: WpClient;
}

interface TestFixtures {
  anonymous: WpClient;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  // Playwright insists that a fixture's first argument is a destructuring pattern, even an empty one.
  // eslint-disable-next-line no-empty-pattern
  stack: [async ({}, use) => use(e2eStack()), { scope: 'worker' }],
  relay: [
    async ({ stack }, use) => {
      // Like a production relay, it tells the site when it is (again) ready, so an outage's backlog goes out at once.
      const relay = relayProcess({ port: stack.relayPort, host: stack.relayListenHost, secret: stack.secret, extraArgs: ['--log-level', 'warn', ...webhookArgs(stack)] });
      await relay.start();
      await use(relay);
      await relay.stop();
    },
    { scope: 'worker' },
  ],
  admin: [
    async ({ stack }, use) => {
      const admin = new WpClient(stack.wpUrl);
      await admin.login(stack.adminUser, stack.adminPassword);
      await use(admin);
    },
    { scope: 'worker' },
  ],
  anonymous: async ({ stack }, use) => use(new WpClient(stack.wpUrl)),
  page: async ({ page, stack }, use) => {
    if (stack.runtime !== 'playground') await logInAsAdmin(page, stack);
    await use(page);
  },
});

async function logInAsAdmin(page: Page, stack: E2eStack): Promise<void> {
  await page.goto(new URL('/wp-login.php', stack.wpUrl).href);
  await page.fill('#user_login', stack.adminUser);
  await page.fill('#user_pass', stack.adminPassword);
  await Promise.all([page.waitForURL(/\/wp-admin\//), page.click('#wp-submit')]);
}

export { expect } from '@playwright/test';

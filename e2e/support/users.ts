/** Users created through the REST API as admin, with a logged-in session of their own, and browsers logged in as them. */
import type { Browser, BrowserContext } from '@playwright/test';
import { anonymousContext, loggedInContext } from './live-block.js';
import { WpClient } from './wp-client.js';

export interface UserSession {
  id: number;
  client: WpClient;
  username: string;
  password: string;
}

export async function createUserSession(admin: WpClient, role: string): Promise<UserSession> {
  // The random part keeps two users created in the same millisecond apart.
  const username = `e2e-${role}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const password = `pw-${Math.random().toString(36).slice(2)}-X9!`;
  const response = await admin.request('/wp-json/wp/v2/users', {
    method: 'POST',
    withNonce: true,
    json: { username, password, email: `${username}@example.com`, roles: [role] },
  });
  if (response.status !== 201) throw new Error(`creating a ${role} failed: HTTP ${response.status} ${response.text.slice(0, 300)}`);
  const client = new WpClient(admin.baseUrl);
  await client.login(username, password);
  return { id: response.json<{ id: number }>().id, client, username, password };
}

/**
 * One browser context per user, in the same order, each logged in through wp-login.php so that it holds that user's
 * own cookies. The logins run one after the other.
 */
export async function loggedInContexts<const Users extends readonly { username: string; password: string }[]>(
  browser: Browser,
  siteUrl: string,
  users: Users,
): Promise<{ [K in keyof Users]: BrowserContext }> {
  const contexts: BrowserContext[] = [];
  for (const user of users) contexts.push(await loggedInContext(browser, siteUrl, user.username, user.password));
  return contexts as { [K in keyof Users]: BrowserContext };
}

/** Two subscribers and a visitor, each in a browser context of their own; the caller closes `contexts`. */
export interface AliceBobAndVisitor {
  alice: UserSession;
  bob: UserSession;
  contexts: [alice: BrowserContext, bob: BrowserContext, visitor: BrowserContext];
}

/**
 * The cast of the specs that check a private channel reaches its own user and nobody else: Alice, Bob (a subscriber
 * too, so no more privileged than she is) and an anonymous visitor.
 */
export async function aliceBobAndVisitor(browser: Browser, admin: WpClient, siteUrl: string): Promise<AliceBobAndVisitor> {
  const alice = await createUserSession(admin, 'subscriber');
  const bob = await createUserSession(admin, 'subscriber');
  const [aliceContext, bobContext] = await loggedInContexts(browser, siteUrl, [alice, bob]);
  return { alice, bob, contexts: [aliceContext, bobContext, await anonymousContext(browser, siteUrl)] };
}

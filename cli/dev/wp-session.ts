/**
 * An admin session on a WordPress site over HTTP (cookie login, REST nonce), enough to set up the demo. Sends the
 * cookie that stops wp-env Playground's automatic login, so the same login works under Docker and Playground.
 */
import { RuntimeFailure } from '../errors.js';

export interface JsonReply {
  status: number;
  body: unknown;
  text: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export class WpSession {
  private readonly cookies = new Map([['playground_auto_login_already_happened', '1']]);
  private nonce = '';

  private constructor(readonly siteUrl: string) {}

  static async login(siteUrl: string, user: string, password: string): Promise<WpSession> {
    const session = new WpSession(siteUrl);
    session.cookies.set('wordpress_test_cookie', 'WP%20Cookie%20check');
    const form = new URLSearchParams({ log: user, pwd: password, testcookie: '1', redirect_to: '/wp-admin/' });
    const reply = await session.send('/wp-login.php', 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, form.toString());
    if (reply.status !== 302 || ![...session.cookies.keys()].some((name) => name.startsWith('wordpress_logged_in_'))) {
      throw new RuntimeFailure(`dev: could not log in to ${siteUrl} as ${user} (HTTP ${reply.status})`);
    }
    const nonce = await session.send('/wp-admin/admin-ajax.php?action=rest-nonce', 'GET', {});
    if (nonce.status !== 200 || !/^[0-9a-f]{10}$/.test(nonce.text.trim())) {
      throw new RuntimeFailure(`dev: could not get a REST nonce from ${siteUrl} (HTTP ${nonce.status})`);
    }
    session.nonce = nonce.text.trim();
    return session;
  }

  /** A REST call as the logged-in user (`route` like `/wp/v2/pages`). */
  rest(route: string, method = 'GET', json?: unknown): Promise<JsonReply> {
    const headers: Record<string, string> = { 'x-wp-nonce': this.nonce };
    if (json !== undefined) headers['content-type'] = 'application/json';
    return this.send(`/wp-json${route}`, method, headers, json === undefined ? undefined : JSON.stringify(json));
  }

  /** A wp-admin page, as the logged-in user's browser would load it. */
  page(path: string): Promise<JsonReply> {
    return this.send(path, 'GET', {});
  }

  /** Submits a wp-admin form (fields already include its nonce). */
  submitForm(path: string, fields: Record<string, string>): Promise<JsonReply> {
    return this.send(path, 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams(fields).toString());
  }

  private async send(path: string, method: string, headers: Record<string, string>, body?: string): Promise<JsonReply> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(new URL(path, this.siteUrl), {
      method,
      headers: { ...headers, cookie },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(60_000),
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const value = pair.slice(eq + 1).trim();
      if (value === '' || value === 'deleted') this.cookies.delete(pair.slice(0, eq).trim());
      else this.cookies.set(pair.slice(0, eq).trim(), value);
    }
    const text = await response.text();
    return { status: response.status, body: parseJson(text), text };
  }
}

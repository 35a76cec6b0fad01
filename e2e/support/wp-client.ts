/**
 * A tiny cookie-jar HTTP client for a real WordPress. Under wp-env's Playground runtime every client without the
 * cookie `playground_auto_login_already_happened` is logged in as admin automatically; this client always sends
 * that cookie, so it is anonymous until it logs in through wp-login.php (which works under Docker too).
 */
export interface WpResponse {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

export interface WpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Sends JSON with Content-Type application/json. */
  json?: unknown;
  /** Adds the REST nonce of the logged-in session as X-WP-Nonce. */
  withNonce?: boolean;
}

export class WpClient {
  private readonly cookies = new Map<string, string>([['playground_auto_login_already_happened', '1']]);
  private nonce: string | null = null;

  constructor(readonly baseUrl: string) {}

  async request(path: string, options: WpRequest = {}): Promise<WpResponse> {
    const headers: Record<string, string> = { ...options.headers, cookie: this.cookieHeader() };
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    }
    if (options.withNonce) headers['x-wp-nonce'] = await this.restNonce();
    const method = options.method ?? 'GET';
    // fetch refuses a body on GET/HEAD, even an empty one.
    if (method === 'GET' || method === 'HEAD') body = undefined;
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: 'manual' });
    this.remember(response.headers.getSetCookie());
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      text,
      json<T>() {
        try {
          return JSON.parse(text) as T;
        } catch {
          throw new Error(`expected JSON from ${options.method ?? 'GET'} ${path} (HTTP ${response.status}), got: ${text.slice(0, 300)}`);
        }
      },
    };
  }

  async login(user: string, password: string): Promise<void> {
    this.cookies.set('wordpress_test_cookie', 'WP%20Cookie%20check');
    const form = new URLSearchParams({ log: user, pwd: password, testcookie: '1', 'wp-submit': 'Log In', redirect_to: '/wp-admin/' });
    const response = await this.request('/wp-login.php', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    if (response.status !== 302 || ![...this.cookies.keys()].some((name) => name.startsWith('wordpress_logged_in_'))) {
      throw new Error(`login as ${user} failed (HTTP ${response.status}); is the password right?`);
    }
    this.nonce = null;
  }

  /** The `wp_rest` nonce of this session, as the block editor and api-fetch get it. */
  async restNonce(): Promise<string> {
    if (this.nonce) return this.nonce;
    const response = await this.request('/wp-admin/admin-ajax.php?action=rest-nonce');
    if (response.status !== 200 || !/^[0-9a-f]{10}$/.test(response.text.trim())) {
      throw new Error(`could not get a REST nonce (HTTP ${response.status}: ${response.text.slice(0, 100)}); is this client logged in?`);
    }
    this.nonce = response.text.trim();
    return this.nonce;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private remember(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now());
      if (expired || value === '' || value === 'deleted') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** A lock younger than this may belong to a wp-cron.php request that is running now (the suite's cron pump). */
const LIVE_CRON_LOCK_MS = 15_000;

/**
 * Runs WP-Cron now. Under Playground the loopback request that spawn_cron() makes never arrives, yet it holds the
 * cron lock for 60 s; so this plays that missing request: `GET /wp-cron.php?doing_wp_cron=<lock>` with the lock
 * read through the e2e probe plugin, or plain `GET /wp-cron.php` when nobody holds the lock. A fresh lock may be a
 * real run in progress (the suite's cron pump, with DISABLE_WP_CRON): running under its lock would run its jobs a
 * second time, so this waits for that run to end first.
 */
export async function runCron(admin: WpClient): Promise<void> {
  const readLock = async (): Promise<string | null> => {
    const response = await admin.request('/wp-json/e2e-probe/v1/cron-lock', { withNonce: true });
    if (response.status !== 200) throw new Error(`probe cron-lock answered HTTP ${response.status}: ${response.text.slice(0, 200)}`);
    return response.json<{ lock: string | null }>().lock;
  };
  let lock = await readLock();
  const waitUntil = Date.now() + LIVE_CRON_LOCK_MS;
  while (lock && Date.now() - Number(lock) * 1000 < LIVE_CRON_LOCK_MS && Date.now() < waitUntil) {
    await new Promise((r) => setTimeout(r, 200));
    lock = await readLock();
  }
  const response = await admin.request(lock ? `/wp-cron.php?doing_wp_cron=${encodeURIComponent(lock)}` : '/wp-cron.php');
  if (response.status !== 200) throw new Error(`GET /wp-cron.php answered HTTP ${response.status}`);
}

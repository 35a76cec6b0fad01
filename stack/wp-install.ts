/**
 * Installs WordPress on a real stack without WP-CLI, as a person would: a wp-config.php with fresh salts, then the
 * installer's form (`POST wp-admin/install.php?step=2`), then pretty permalinks as wp-env sets them.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError } from './errors.js';
import type { WpConfigValue } from './wp-env-config.js';

/** wp-env's default structure, so specs see the same URLs on every runtime. */
export const PRETTY_PERMALINKS = '/%year%/%monthnum%/%day%/%postname%/';
const SALT_NAMES = ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'];

export interface DbSettings {
  host: string;
  name: string;
  user: string;
  password: string;
}

function phpValue(value: WpConfigValue): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

export function wpConfigSource(db: DbSettings, constants: Record<string, WpConfigValue>): string {
  const define = (name: string, value: WpConfigValue): string => `define( '${name}', ${phpValue(value)} );`;
  const lines = [
    '<?php',
    '// Written by the wp-realtime harness for one run; holds this run\'s secrets.',
    define('DB_NAME', db.name),
    define('DB_USER', db.user),
    define('DB_PASSWORD', db.password),
    define('DB_HOST', db.host),
    define('DB_CHARSET', 'utf8mb4'),
    define('DB_COLLATE', ''),
    ...SALT_NAMES.map((name) => define(name, randomBytes(48).toString('base64'))),
    ...Object.entries(constants).map(([name, value]) => define(name, value)),
    "$table_prefix = 'wp_';",
    "if ( ! defined( 'ABSPATH' ) ) {",
    "\tdefine( 'ABSPATH', __DIR__ . '/' );",
    '}',
    "require_once ABSPATH . 'wp-settings.php';",
    '',
  ];
  return lines.join('\n');
}

export async function writeWpConfig(siteDir: string, db: DbSettings, constants: Record<string, WpConfigValue>): Promise<string> {
  const file = join(siteDir, 'wp-config.php');
  await writeFile(file, wpConfigSource(db, constants), { mode: 0o640 });
  return file;
}

/** The standard WordPress block for Apache; nginx has the same rule in its config (try_files). */
export const HTACCESS = [
  '# BEGIN WordPress',
  '<IfModule mod_rewrite.c>',
  'RewriteEngine On',
  'RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]',
  'RewriteBase /',
  'RewriteRule ^index\\.php$ - [L]',
  'RewriteCond %{REQUEST_FILENAME} !-f',
  'RewriteCond %{REQUEST_FILENAME} !-d',
  'RewriteRule . /index.php [L]',
  '</IfModule>',
  '# END WordPress',
  '',
].join('\n');

export interface InstallOptions {
  url: string;
  adminUser: string;
  adminPassword: string;
  title?: string;
}

async function request(url: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(120_000), ...init });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** Runs WordPress's installer through its form; throws with WordPress's own words when it refuses. */
export async function runInstaller(options: InstallOptions): Promise<void> {
  const form = new URLSearchParams({
    weblog_title: options.title ?? 'wp-realtime',
    user_name: options.adminUser,
    admin_password: options.adminPassword,
    admin_password2: options.adminPassword,
    pw_weak: 'on',
    admin_email: 'admin@example.com',
    blog_public: '0',
    language: '',
    Submit: 'Install WordPress',
  });
  const reply = await request(`${options.url}/wp-admin/install.php?step=2`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  if (reply.status !== 200 || !/wp-login\.php/.test(reply.text)) {
    const message = /<p[^>]*class="message"[^>]*>([\s\S]*?)<\/p>|<div class="wp-die-message">([\s\S]*?)<\/div>/.exec(reply.text);
    throw new StackError(`WordPress's installer answered HTTP ${reply.status}: ${(message?.[1] ?? message?.[2] ?? reply.text).replace(/<[^>]+>/g, ' ').trim().slice(0, 800)}`);
  }
}

/** A cookie session of the admin, enough to save a settings form and call REST. */
export class AdminSession {
  private readonly cookies = new Map<string, string>();
  private constructor(readonly url: string) {}

  static async login(url: string, user: string, password: string): Promise<AdminSession> {
    const session = new AdminSession(url);
    session.cookies.set('wordpress_test_cookie', 'WP%20Cookie%20check');
    const reply = await session.send('/wp-login.php', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ log: user, pwd: password, testcookie: '1', redirect_to: '/wp-admin/' }).toString(),
    });
    if (reply.status !== 302 || ![...session.cookies.keys()].some((name) => name.startsWith('wordpress_logged_in_'))) {
      throw new StackError(`could not log in to the new site as ${user} (HTTP ${reply.status})`);
    }
    return session;
  }

  async send(path: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
    const headers = { ...(init.headers as Record<string, string> | undefined), cookie: [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ') };
    const response = await fetch(new URL(path, this.url), { redirect: 'manual', signal: AbortSignal.timeout(120_000), ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return { status: response.status, text: await response.text() };
  }

  async restNonce(): Promise<string> {
    const reply = await this.send('/wp-admin/admin-ajax.php?action=rest-nonce');
    if (reply.status !== 200 || !/^[0-9a-f]{10}$/.test(reply.text.trim())) throw new StackError(`could not get a REST nonce (HTTP ${reply.status})`);
    return reply.text.trim();
  }

  /** Settings → Permalinks, saved through the admin form (WordPress flushes its rules and writes .htaccess). */
  async setPermalinks(structure: string): Promise<void> {
    const page = await this.send('/wp-admin/options-permalink.php');
    const nonce = /name="_wpnonce" value="([0-9a-f]+)"/.exec(page.text)?.[1];
    if (page.status !== 200 || !nonce) throw new StackError(`Settings → Permalinks did not load (HTTP ${page.status})`);
    const saved = await this.send('/wp-admin/options-permalink.php', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _wpnonce: nonce,
        _wp_http_referer: '/wp-admin/options-permalink.php',
        selection: 'custom',
        permalink_structure: structure,
        category_base: '',
        tag_base: '',
        submit: 'Save Changes',
      }).toString(),
    });
    if (saved.status !== 302) throw new StackError(`saving the permalink structure answered HTTP ${saved.status}`);
    await this.send('/wp-admin/options-permalink.php?settings-updated=true');
  }

  /** Activates a plugin through the REST API (its activation hook runs, as from the Plugins screen). */
  async activatePlugin(pluginId: string): Promise<void> {
    const nonce = await this.restNonce();
    // ?rest_route= works before pretty permalinks are on, and after.
    const reply = await this.send(`/?rest_route=${encodeURIComponent(`/wp/v2/plugins/${pluginId}`)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wp-nonce': nonce },
      body: JSON.stringify({ status: 'active' }),
    });
    if (reply.status !== 200) throw new StackError(`activating ${pluginId} failed: HTTP ${reply.status} ${reply.text.slice(0, 400)}`);
  }
}

/**
 * `wp-realtime doctor` against the suite's real WordPress and relay: all green when both sides share the secret,
 * and the right rows FAIL or WARN when the secret is wrong, the relay is down, or the site uses plain permalinks.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from '../support/fixtures.js';
import type { WpClient } from '../support/wp-client.js';
import { packageRoot } from '../../stack/package-root.js';

const CLI = join(packageRoot(), 'bin', 'wp-realtime.js');

interface DoctorRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** check name → its result column (ok, WARN, FAIL, skip). */
  rows: Map<string, string>;
}

function doctor(args: string[]): DoctorRun {
  // Only the flags under test: no secret or relay URL inherited from the environment.
  const { WP_REALTIME_SECRET: _secret, WP_REALTIME_RELAY_URL: _relay, ...env } = process.env;
  const result = spawnSync(process.execPath, [CLI, 'doctor', ...args], { encoding: 'utf8', env, timeout: 120_000 });
  const rows = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const match = /^(.+?)\s{2,}(ok|WARN|FAIL|skip)\s{2,}/.exec(line);
    if (match?.[1] && match[2]) rows.set(match[1].trim(), match[2]);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, rows };
}

function expectRows(run: DoctorRun, expected: Record<string, string>): void {
  for (const [check, verdict] of Object.entries(expected)) {
    expect(run.rows.get(check), `row "${check}" in:\n${run.stdout}${run.stderr}`).toBe(verdict);
  }
}

/** Saves Settings → Permalinks through the admin form, as an admin would; returns the structure it replaced. */
async function setPermalinkStructure(admin: WpClient, structure: string): Promise<string> {
  // Playground sometimes drops an idle keep-alive connection; reading the form again is harmless.
  const form = await admin.request('/wp-admin/options-permalink.php').catch(() => admin.request('/wp-admin/options-permalink.php'));
  expect(form.status, form.text.slice(0, 300)).toBe(200);
  const nonce = /name="_wpnonce" value="([0-9a-f]+)"/.exec(form.text)?.[1];
  const previous = /id="permalink_structure"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*id="permalink_structure"/.exec(form.text);
  expect(nonce, 'the permalinks form has a nonce').toBeTruthy();
  const body = new URLSearchParams({
    _wpnonce: nonce as string,
    _wp_http_referer: '/wp-admin/options-permalink.php',
    selection: structure === '' ? '' : 'custom',
    permalink_structure: structure,
    category_base: '',
    tag_base: '',
    submit: 'Save Changes',
  });
  const saved = await admin.request('/wp-admin/options-permalink.php', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
  expect(saved.status, `saving permalinks answered HTTP ${saved.status}`).toBe(302);
  // WordPress flushes the rewrite rules on the page it redirects to, as a browser would load it.
  expect((await admin.request('/wp-admin/options-permalink.php?settings-updated=true')).status).toBe(200);
  return (previous?.[1] ?? previous?.[2] ?? '').replaceAll('&#038;', '&');
}

test.describe('wp-realtime doctor', () => {
  test('every check passes when the site and the relay share the secret', ({ stack, relay }) => {
    expect(relay.running).toBe(true);
    const run = doctor(['--site', stack.wpUrl, '--relay', relay.url, '--secret', stack.secret]);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^check\s+result\s+detail$/m);
    expectRows(run, {
      site: 'ok',
      plugin: 'ok',
      'endpoint (query var)': 'ok',
      permalinks: 'ok',
      'site clock': 'ok',
      'site secret': 'ok',
      relay: 'ok',
      'relay clock': 'ok',
      'relay secret': 'ok',
      'site → relay': 'ok',
    });
    expect(run.stdout).toContain('all checks passed');
    expect(run.stdout).not.toContain(stack.secret);
  });

  test('without --relay it checks the relay the site announces', ({ stack, relay }) => {
    expect(relay.running).toBe(true);
    const run = doctor(['--site', stack.wpUrl, '--secret', stack.secret]);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expectRows(run, { relay: 'ok', 'relay secret': 'ok', 'site → relay': 'ok' });
  });

  test('a wrong --secret fails the site secret and the relay secret, exit 1', ({ stack, relay }) => {
    expect(relay.running).toBe(true);
    const wrong = `${stack.secret.slice(0, -4)}XXXX`;
    const run = doctor(['--site', stack.wpUrl, '--relay', relay.url, '--secret', wrong]);
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expectRows(run, { site: 'ok', plugin: 'ok', 'site secret': 'FAIL', relay: 'ok', 'relay secret': 'FAIL' });
    expect(run.stderr).toMatch(/^wp-realtime: doctor: .*failed/m);
  });

  test('a relay that is down fails the relay and site → relay checks, exit 1', async ({ stack, relay }) => {
    await relay.stop();
    try {
      const run = doctor(['--site', stack.wpUrl, '--relay', relay.url, '--secret', stack.secret]);
      expect(run.status, run.stdout + run.stderr).toBe(1);
      expectRows(run, { site: 'ok', 'site secret': 'ok', relay: 'FAIL', 'site → relay': 'FAIL' });
      expect(run.stdout).toMatch(/relay\s+FAIL\s+.*healthz/);
    } finally {
      await relay.start();
    }
  });

  test('plain permalinks: permalinks WARN, the query-var endpoint ok, still exit 0', async ({ stack, relay, admin }) => {
    test.setTimeout(180_000);
    expect(relay.running).toBe(true);
    const previous = await setPermalinkStructure(admin, '');
    expect(previous, 'the suite starts with pretty permalinks').not.toBe('');
    try {
      const run = doctor(['--site', stack.wpUrl, '--relay', relay.url, '--secret', stack.secret]);
      expect(run.status, run.stdout + run.stderr).toBe(0);
      expectRows(run, { site: 'ok', plugin: 'ok', 'endpoint (query var)': 'ok', permalinks: 'WARN', 'site secret': 'ok', 'site → relay': 'ok' });
      expect(run.stdout).toContain('?rest_route=');
      expect(run.stdout).toMatch(/all checks passed \(1 warning\)/);
    } finally {
      await setPermalinkStructure(admin, previous);
    }
    const restored = doctor(['--site', stack.wpUrl, '--relay', relay.url, '--secret', stack.secret]);
    expectRows(restored, { permalinks: 'ok' });
  });
});

/**
 * `wp-realtime dev` as a user runs it: a child process on its own ports (8896/3906, its own wp-env instance
 * dev-8896) that must print its URLs, serve a page holding the block, carry an event sent with `wp-realtime emit`
 * to a socket.io client and onto that page in Chromium, and stop cleanly on SIGINT, also with its output pipe
 * closed. Also its usage errors.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { packageRoot } from '../../stack/package-root.js';
import { listenOnRelay } from '../support/relay-listener.js';

const ROOT = packageRoot();
const CLI = join(ROOT, 'bin', 'wp-realtime.js');
// Other ports for parallel suites (the matrix runner and other checkouts) through the environment.
const WP_PORT = Number(process.env['WP_REALTIME_E2E_DEV_PORT'] ?? 8896);
const RELAY_PORT = Number(process.env['WP_REALTIME_E2E_DEV_RELAY_PORT'] ?? 3906);
// On a real-stack run, `dev --server <that stack>` is what is tested (same core through WP_REALTIME_WP_CORE).
const RUNTIME = process.env['WP_REALTIME_E2E_RUNTIME'] ?? '';
const SERVER_ARGS = RUNTIME === 'apache' || RUNTIME === 'nginx' ? ['--server', RUNTIME] : [];
const START_BUDGET_MS = 240_000;
const STOP_BUDGET_MS = 30_000;

interface DevRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startDev(args: string[]): DevRun {
  // The flags under test, not an inherited WP_REALTIME_PORT, choose the relay's port.
  const { WP_REALTIME_PORT: _ignored, ...env } = process.env;
  // Its own process group, so that a test can press Ctrl-C as a terminal does: SIGINT to the whole group, the
  // wp-env child that is starting WordPress included.
  const child = spawn(process.execPath, [CLI, 'dev', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Ctrl-C in a terminal: SIGINT to the process group. */
function pressCtrlC(run: DevRun): void {
  if (run.child.pid !== undefined) process.kill(-run.child.pid, 'SIGINT');
}

async function waitForOutput(run: DevRun, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void run.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    const match = pattern.exec(run.output());
    if (match) return match;
    if (exitCode !== undefined) throw new Error(`wp-realtime dev exited (${exitCode}) before printing ${pattern}:\n${run.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wp-realtime dev did not print ${pattern} within ${timeoutMs / 1000}s:\n${run.output().slice(-4000)}`);
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function emit(relayUrl: string, secret: string, title: string): { status: number | null; stdout: string; stderr: string } {
  const data = JSON.stringify({ title });
  const result = spawnSync(process.execPath, [CLI, 'emit', '--relay', relayUrl, '--secret', secret, '--type', 'demo.hello', '--data', data], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test.describe('wp-realtime dev', () => {
  test('bad flags exit 2 with a one-line reason, before starting anything', () => {
    const cases: [string[], RegExp][] = [
      [['--port', 'abc'], /--port/],
      [['--relay-port', '70000'], /--relay-port/],
      [['--slug', 'wp-demo'], /wp-/],
      [['--slug', 'Bad_Slug'], /slug/],
      [['--port', '3906', '--relay-port', '3906'], /different ports/],
      [['--no-such-flag'], /unknown option/],
      [['--server', 'iis'], /--server/],
      [['--db-port', '3399'], /--db-port only applies/],
    ];
    for (const [args, reason] of cases) {
      const result = spawnSync(process.execPath, [CLI, 'dev', ...args], { encoding: 'utf8', timeout: 20_000 });
      expect(result.status, `dev ${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(reason);
    }
  });

  test('a port already in use exits 1 and names the port', ({ baseURL }) => {
    // The suite's own WordPress holds this port.
    const taken = new URL(baseURL ?? '').port;
    const result = spawnSync(process.execPath, [CLI, 'dev', '--port', taken, '--relay-port', String(RELAY_PORT)], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain(`port ${taken}`);
    expect(result.stderr).toContain('already in use');
  });

  test('starts the whole stack, delivers an emitted event to a socket.io client and to the page, and stops on SIGINT', async ({ browser }) => {
    test.setTimeout(START_BUDGET_MS + 120_000);
    expect(await portAnswers(WP_PORT), `port ${WP_PORT} must be free for this test`).toBe(false);
    expect(await portAnswers(RELAY_PORT), `port ${RELAY_PORT} must be free for this test`).toBe(false);
    const run = startDev(['--port', String(WP_PORT), '--relay-port', String(RELAY_PORT), ...SERVER_ARGS]);
    let stopped = false;
    try {
      const started = Date.now();
      await waitForOutput(run, /Press Ctrl-C to stop everything/, START_BUDGET_MS);
      console.log(`[dev] ready after ${((Date.now() - started) / 1000).toFixed(1)}s; its progress:\n${run.output().split('\n').filter((l) => /^\[\d+\].*done in/.test(l)).join('\n')}`);
      const text = run.output();
      const siteUrl = /Site:\s+(\S+)/.exec(text)?.[1];
      const pageUrl = /Page:\s+(\S+)/.exec(text)?.[1];
      const relayUrl = /Relay:\s+(\S+)/.exec(text)?.[1];
      const secret = /--secret (\S+) --type demo\.hello/.exec(text)?.[1];
      expect(siteUrl).toBe(`http://localhost:${WP_PORT}/`);
      expect(relayUrl).toBe(`http://127.0.0.1:${RELAY_PORT}`);
      expect(text).toMatch(new RegExp(`Admin:\\s+http://localhost:${WP_PORT}/wp-admin/\\s+\\(login admin / password\\)`));
      expect(pageUrl).toMatch(new RegExp(`^http://localhost:${WP_PORT}/`));
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The secret appears once, in the emit hint; everywhere else it is shortened.
      expect(text.split(secret as string).length - 1).toBe(1);
      expect(text).toMatch(/^\[\d+\] .+: done in \d+\.\ds$/m);

      // The page, as an anonymous visitor's HTTP client sees it, holds the block with its heading.
      const html = await (await fetch(pageUrl as string, { headers: { cookie: 'playground_auto_login_already_happened=1' } })).text();
      expect(html).toContain('wp-block-live-demo-live-notifications');
      expect(html).toContain('Live updates');
      expect(html).not.toContain(secret as string);

      // Browsers are told the printed relay URL (saved as the plugin's browser relay URL), never the secret.
      const tokenReply = await fetch(`${siteUrl}wp-json/live-demo/v1/token`, { headers: { cookie: 'playground_auto_login_already_happened=1' } });
      const tokenText = await tokenReply.text();
      expect(tokenReply.status, tokenText).toBe(200);
      expect((JSON.parse(tokenText) as { relayUrl?: string }).relayUrl).toBe(relayUrl);
      expect(tokenText).not.toContain(secret as string);

      // An event sent as the hint says reaches a real socket.io client.
      const listener = await listenOnRelay(relayUrl as string);
      try {
        const firstTitle = `Hello ${Date.now().toString(36)}`;
        const sent = emit(relayUrl as string, secret as string, firstTitle);
        expect(sent.status, sent.stderr).toBe(0);
        expect(sent.stdout).toContain('"accepted":1');
        const event = await listener.waitFor((e) => e.type === 'demo.hello' && e.data['title'] === firstTitle, 10_000, 'demo.hello');
        expect(event.channel).toBe('public');
      } finally {
        listener.close();
      }

      // And onto the printed page in Chromium, for a visitor who is not logged in.
      const context = await browser.newContext();
      await context.addCookies([{ name: 'playground_auto_login_already_happened', value: '1', url: siteUrl as string }]);
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      try {
        await page.goto(pageUrl as string);
        const block = page.locator('.wp-block-live-demo-live-notifications');
        await expect(block.getByRole('heading', { name: 'Live updates' })).toBeVisible();
        await expect(block).toHaveAttribute('data-live-notifications-state', 'live', { timeout: 30_000 });
        const pageTitle = `Shown on the page ${Date.now().toString(36)}`;
        expect(emit(relayUrl as string, secret as string, pageTitle).status).toBe(0);
        await expect(block.locator('[aria-live="polite"]').getByText(pageTitle, { exact: true })).toBeVisible({ timeout: 10_000 });
        expect(pageErrors).toEqual([]);
      } finally {
        await context.close();
      }

      // Ctrl-C: everything stops, exit 0, both ports free again.
      const signalledAt = Date.now();
      pressCtrlC(run);
      const code = await Promise.race([run.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_BUDGET_MS))]);
      stopped = code !== 'timeout';
      console.log(`[dev] stopped ${((Date.now() - signalledAt) / 1000).toFixed(1)}s after SIGINT`);
      expect(code, run.output().slice(-2000)).toBe(0);
      expect(run.output()).toContain('wp-realtime dev stopped');
      expect(await portAnswers(WP_PORT)).toBe(false);
      expect(await portAnswers(RELAY_PORT)).toBe(false);
    } finally {
      if (!stopped && run.child.exitCode === null) {
        run.child.kill('SIGINT');
        await Promise.race([run.exited, new Promise((r) => setTimeout(r, STOP_BUDGET_MS))]);
        if (run.child.exitCode === null) run.child.kill('SIGKILL');
      }
    }
  });

  test('stops cleanly when its output pipe has lost its reader (`npm start 2>&1 | tee log`, then Ctrl-C)', async () => {
    test.setTimeout(START_BUDGET_MS + STOP_BUDGET_MS + 30_000);
    const run = startDev(['--port', String(WP_PORT), '--relay-port', String(RELAY_PORT), ...SERVER_ARGS]);
    try {
      await waitForOutput(run, /Press Ctrl-C to stop everything/, START_BUDGET_MS);
      expect(await portAnswers(WP_PORT)).toBe(true);
      // The terminal's Ctrl-C kills tee as well: from here on every line dev prints goes into a closed pipe (EPIPE).
      run.child.stdout?.destroy();
      run.child.stderr?.destroy();
      pressCtrlC(run);
      const code = await Promise.race([run.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_BUDGET_MS))]);
      expect(code).toBe(0);
      // WordPress stopped too, not only the relay (the bug left WordPress running).
      expect(await portAnswers(WP_PORT)).toBe(false);
      expect(await portAnswers(RELAY_PORT)).toBe(false);
    } finally {
      if (run.child.exitCode === null) {
        run.child.kill('SIGINT');
        await Promise.race([run.exited, new Promise((r) => setTimeout(r, STOP_BUDGET_MS))]);
        if (run.child.exitCode === null) run.child.kill('SIGKILL');
      }
    }
  });

  test('SIGINT during start-up stops what was started, exits 0 and frees both ports', async () => {
    test.setTimeout(START_BUDGET_MS);
    const run = startDev(['--port', String(WP_PORT), '--relay-port', String(RELAY_PORT), ...SERVER_ARGS]);
    try {
      // The relay already listens and WordPress is starting: the worst moment to be interrupted.
      await waitForOutput(run, /\[\d+\] starting WordPress on port \d+ .* …/, 60_000);
      expect(await portAnswers(RELAY_PORT)).toBe(true);
      pressCtrlC(run);
      const code = await Promise.race([run.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), START_BUDGET_MS - 30_000))]);
      expect(code, run.output().slice(-3000)).toBe(0);
      expect(run.output()).toContain('stopped WordPress');
      expect(run.output()).toContain('stopped the relay');
      expect(run.output()).not.toContain('Press Ctrl-C to stop everything');
      expect(await portAnswers(WP_PORT)).toBe(false);
      expect(await portAnswers(RELAY_PORT)).toBe(false);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  });
});

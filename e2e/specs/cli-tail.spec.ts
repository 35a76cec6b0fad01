/**
 * The CLI against the suite's real WordPress and relay: `wp-realtime tail` shows an event WordPress published and one
 * sent with `wp-realtime emit` on a private channel, in order; `emit` given the WordPress URL instead of the relay's
 * says so at once instead of waiting for a timeout.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { awaitDelivery } from '../support/delivery.js';
import { expect, test } from '../support/fixtures.js';
import { listenOnRelay } from '../support/relay-listener.js';
import { packageRoot } from '../../stack/package-root.js';
import { startTail } from '../../cli/test/tail-process.js';

const CLI = join(packageRoot(), 'bin', 'wp-realtime.js');

test.describe('wp-realtime tail and emit against a real site', () => {
  test('tail --json prints the post.published WordPress sends and a private event sent with emit, in order', async ({ admin, relay, stack }) => {
    expect(relay.running).toBe(true);
    const tail = startTail(['--relay', relay.url, '--secret', stack.secret, '--channel', 'public,private-ops', '--json']);
    const listener = await listenOnRelay(relay.url);
    try {
      await tail.waitForStatus('connected');
      const title = `Tailed post ${Date.now().toString(36)}`;
      const created = await admin.request('/wp-json/wp/v2/posts', { method: 'POST', withNonce: true, json: { title, content: 'Hi', status: 'publish' } });
      expect(created.status, created.text).toBe(201);
      const postId = created.json<{ id: number }>().id;
      await awaitDelivery(admin, listener, (e) => e.type === 'post.published' && e.data?.['id'] === postId, { what: `post.published ${postId}` });

      const sent = spawnSync(process.execPath, [CLI, 'emit', '--relay', relay.url, '--secret', stack.secret, '--channel', 'private-ops', '--type', 'ops.deploy', '--data', '{"ok":true}'], { encoding: 'utf8' });
      expect(sent.status, sent.stderr).toBe(0);
      const lines = await tail.waitForLines(2, 30_000);
      const events = lines.map((line) => JSON.parse(line) as { type: string; channel: string; data: Record<string, unknown> });
      expect(events.map((e) => [e.channel, e.type])).toEqual([
        ['public', 'post.published'],
        ['private-ops', 'ops.deploy'],
      ]);
      expect(events[0]?.data).toMatchObject({ id: postId, title });
      expect(await tail.stop('SIGINT')).toBe(0);
    } finally {
      listener.close();
      await tail.stop('SIGKILL');
    }
  });

  test('emit --relay <the WordPress URL> says within seconds that it is not a relay, exit 2, and sends nothing', ({ stack }) => {
    const started = Date.now();
    const run = spawnSync(process.execPath, [CLI, 'emit', '--relay', stack.wpUrl, '--secret', stack.secret, '--type', 'x'], { encoding: 'utf8', timeout: 30_000 });
    const seconds = (Date.now() - started) / 1000;
    console.log(`[emit to the site] answered in ${seconds.toFixed(1)}s: ${run.stderr.trim()}`);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^wp-realtime: emit: \S+ is not a wp-realtime relay \(GET \/healthz (answered \d+|got no answer)/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
    expect(seconds).toBeLessThan(6);
  });
});

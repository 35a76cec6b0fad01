/**
 * On Apache + mod_php the plugin's `outbox_due` loopback sends the event before core spawns WP-Cron. Publishing a
 * post schedules core's do_pings for "now", so the loopback that follows always finds a cron job due; core's spawn
 * (a non-blocking wp_remote_post() to wp-cron.php, queued on wp_loaded) used to run before the webhook route and took
 * 100–230 ms of the delivery on a loaded machine (docs/benchmarks.md). The e2e probe records, per webhook POST, the
 * order of the HTTP API calls: the send to the relay must come first, and the spawn still happen in that request.
 * Only mod_php delivers through the loopback: php-fpm sends in the visitor's own request, Playground via its pump.
 * Since WordPress 6.9 core itself queues the spawn at shutdown (7.1 does), so the publish request spawns it and the
 * loopback rarely finds the lock free: there the spec checks only that no spawn ever precedes the send.
 */
import { expect, test } from '../support/fixtures.js';
import { listenOnRelay } from '../support/relay-listener.js';
import { uniqueMarker } from '../support/trigger.js';
import { runCron } from '../support/wp-client.js';

test('after a publish, the outbox_due loopback sends to the relay before it spawns WP-Cron', async ({ admin, relay, stack }) => {
  test.skip(stack.runtime !== 'apache', 'only Apache + mod_php delivers through the outbox_due loopback');
  const listener = await listenOnRelay(relay.url);
  try {
    const nonce = await admin.restNonce();
    // The probe keeps the last 20 webhook requests, numbered: new ones are told by their number (a full run fills the log).
    type Entry = { seq: number; calls: string[] };
    type Log = { calls: Entry[]; core_cron_spawn: 'wp_loaded' | 'shutdown' };
    const log = async (): Promise<Log> => (await admin.request('/wp-json/e2e-probe/v1/webhook-calls', { withNonce: true })).json<Log>();
    const entries = async (): Promise<Entry[]> => (await log()).calls;
    const coreSpawnsAtShutdown = (await log()).core_cron_spawn === 'shutdown';
    const lastSeq = async (): Promise<number> => Math.max(0, ...(await entries()).map((e) => e.seq));
    // Core spawns WP-Cron only when nothing holds its lock; a job due at the publish itself would have the publish
    // request spawn it first. So each attempt starts by running what is due, which also releases the lock.
    let delivering: string[] = [];
    let calls: string[][] = [];
    const attempts = coreSpawnsAtShutdown ? 1 : 3;
    for (let attempt = 1; attempt <= attempts && !delivering.includes('wp-cron'); attempt++) {
      await runCron(admin);
      const before = await lastSeq();
      const created = await admin.request('/wp-json/wp/v2/posts', {
        method: 'POST',
        headers: { 'x-wp-nonce': nonce },
        json: { title: `Cron order ${uniqueMarker(`post-${attempt}`)}`, content: 'x', status: 'publish' },
      });
      expect(created.status, created.text).toBe(201);
      const id = created.json<{ id: number }>().id;
      await listener.waitFor((e) => e.type === 'post.published' && e.data['id'] === id, 10_000, `post.published ${id}`);
      // The loopback saves its calls at its very end, after the WP-Cron spawn that now follows the send.
      await expect
        .poll(async () => {
          calls = (await entries()).filter((e) => e.seq > before).map((e) => e.calls);
          return calls.some((c) => c.includes('relay'));
        }, { timeout: 10_000 })
        .toBe(true);
      delivering = calls.find((c) => c.includes('relay')) ?? [];
    }
    const why = `calls in the delivering webhook request: ${JSON.stringify(calls)}`;
    if (coreSpawnsAtShutdown) {
      // Core spawns at shutdown anyway, after any route has run: whatever the loopback spawns comes after its send.
      if (delivering.includes('wp-cron')) expect(delivering.indexOf('relay'), why).toBeLessThan(delivering.indexOf('wp-cron'));
      test.info().annotations.push({ type: 'core spawns WP-Cron at shutdown', description: why });
      return;
    }
    expect(delivering, why).toContain('wp-cron');
    expect(delivering.indexOf('relay'), why).toBeLessThan(delivering.indexOf('wp-cron'));
  } finally {
    listener.close();
  }
});

/**
 * On Apache + mod_php the plugin's `outbox_due` loopback sends the event before core spawns WP-Cron. Publishing a
 * post schedules core's do_pings for "now", so the loopback that follows always finds a cron job due; core's spawn
 * (a non-blocking wp_remote_post() to wp-cron.php, queued on wp_loaded) used to run before the webhook route and took
 * 100–230 ms of the delivery on a loaded machine (docs/benchmarks.md). The e2e probe records, per webhook POST, the
 * order of the HTTP API calls: the send to the relay must come first, and the spawn still happen in that request.
 * Only mod_php delivers through the loopback: php-fpm sends in the visitor's own request, Playground via its pump.
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
    const entries = async (): Promise<Entry[]> => (await admin.request('/wp-json/e2e-probe/v1/webhook-calls', { withNonce: true })).json<{ calls: Entry[] }>().calls;
    const lastSeq = async (): Promise<number> => Math.max(0, ...(await entries()).map((e) => e.seq));
    // Core spawns WP-Cron only when nothing holds its lock; a job due at the publish itself would have the publish
    // request spawn it first. So each attempt starts by running what is due, which also releases the lock.
    let delivering: string[] = [];
    let calls: string[][] = [];
    for (let attempt = 1; attempt <= 3 && !delivering.includes('wp-cron'); attempt++) {
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
    expect(delivering, `calls in the delivering webhook request: ${JSON.stringify(calls)}`).toContain('wp-cron');
    expect(delivering.indexOf('relay'), `calls in the delivering webhook request: ${JSON.stringify(calls)}`).toBeLessThan(delivering.indexOf('wp-cron'));
  } finally {
    listener.close();
  }
});

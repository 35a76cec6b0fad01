/**
 * Issue 12, the plugin's side of the relay's ingest checks: when the real relay refuses one event of a batch with a
 * 400 naming `events[N]`, that event is a dead letter at once (no 8 retries) with the relay's code and message, and
 * the good events of the same batch arrive exactly once.
 */
import { relayProcess } from '../../stack/relay-process.js';
import { expect, test, webhookArgs } from '../support/fixtures.js';
import { awaitDelivery, withMarker } from '../support/delivery.js';
import { outboxTotal, pluginStatus } from '../support/plugin-status.js';
import { listenOnRelay } from '../support/relay-listener.js';
import { eventBody, signedTrigger, uniqueMarker } from '../support/trigger.js';
import { runCron } from '../support/wp-client.js';

test('a batch with one event the relay refuses: that one is dead at once, the others arrive once', async ({ anonymous, admin, relay, stack }) => {
  test.setTimeout(180_000);
  await runCron(admin);
  const deadBefore = (await pluginStatus(admin, stack.pluginSlug)).outbox.dead;

  // Queued while the relay is down, so that the three go out in one batch once it is back.
  await relay.stop();
  const good = [uniqueMarker('refusal-good-1'), uniqueMarker('refusal-good-2')];
  const bad = uniqueMarker('refusal-bad');
  let badId = '';
  const strict = relayProcess({
    port: stack.relayPort,
    host: stack.relayListenHost,
    secret: stack.secret,
    // Depth 3 is within the plugin's own limit (32) but beyond this relay's: only the relay refuses it.
    extraArgs: ['--log-level', 'warn', '--max-data-depth', '2', ...webhookArgs(stack)],
  });
  try {
    for (const [marker, extra] of [[good[0], {}], [bad, { nested: { deeper: { deepest: 1 } } }], [good[1], {}]] as const) {
      const response = await signedTrigger(anonymous, stack.pluginSlug, stack.secret, { body: eventBody('refusal.test', marker!, extra) });
      expect(response.status, response.text).toBe(202);
      if (marker === bad) badId = String(response.json<{ id: unknown }>().id);
    }
    await strict.start();
    const listener = await listenOnRelay(strict.url);
    try {
      await runCron(admin);
      for (const marker of good) {
        await awaitDelivery(admin, listener, withMarker(marker!), { timeoutMs: 120_000, what: `refusal.test ${marker}` });
      }
      // Dead at once: well before a second attempt could even be due (the first backoff is 30 s).
      await expect.poll(async () => (await pluginStatus(admin, stack.pluginSlug)).outbox.dead, { timeout: 20_000 }).toBe(deadBefore + 1);
      const page = await admin.request(`/wp-admin/options-general.php?page=${stack.pluginSlug}`);
      expect(page.status).toBe(200);
      const row = page.text.slice(page.text.indexOf(badId));
      expect(page.text).toContain(badId);
      expect(row.slice(0, 2000)).toContain('data_too_deep');
      expect(row.slice(0, 2000)).toContain('--max-data-depth');
      await runCron(admin);
      await new Promise((r) => setTimeout(r, 2_000));
      for (const marker of good) expect(listener.events.filter(withMarker(marker!)), `deliveries of ${marker}`).toHaveLength(1);
      expect(listener.events.filter(withMarker(bad))).toHaveLength(0);
    } finally {
      listener.close();
    }
  } finally {
    await strict.stop();
    await relay.start();
  }
});

test("the trigger refuses data the relay would refuse, naming the limit and the field, and stores nothing", async ({ anonymous, admin, stack }) => {
  const totalBefore = await outboxTotal(admin, stack.pluginSlug);
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let level = 1; level < 33; level++) deep = { a: deep };
  const cases: { body: string; code: string; mentions: string[] }[] = [
    // data is level 1, so `{ marker, deep }` with 33 nested objects is 34 levels.
    { body: eventBody('shape.test', uniqueMarker('deep'), { deep }), code: 'data_too_deep', mentions: ['event.data.deep', '--max-data-depth'] },
    { body: eventBody('shape.test', uniqueMarker('keys'), { items: Array.from({ length: 10_001 }, () => 0) }), code: 'data_too_many_keys', mentions: ['event.data.items', '--max-data-keys'] },
    { body: `{"type":"shape.test","data":{"x":{"__proto__":{"admin":true}}}}`, code: 'forbidden_key', mentions: ['event.data.x.__proto__'] },
    { body: `{"type":"shape.test","data":{"x":"\\ud800"}}`, code: 'invalid_unicode', mentions: ['Unicode'] },
  ];
  for (const { body, code, mentions } of cases) {
    const response = await signedTrigger(anonymous, stack.pluginSlug, stack.secret, { body });
    expect(response.status, `${code}: ${response.text}`).toBe(400);
    const answer = response.json<{ code?: string; error?: string; message: string }>();
    expect(answer.code ?? answer.error, response.text).toBe(code);
    for (const mention of mentions) expect(answer.message, response.text).toContain(mention);
  }
  // One that passes, to show the limits are not refusing everything: 32 levels in all.
  let ok: Record<string, unknown> = { leaf: 1 };
  for (let level = 1; level < 31; level++) ok = { a: ok };
  const passing = await signedTrigger(anonymous, stack.pluginSlug, stack.secret, { body: eventBody('shape.test', uniqueMarker('ok'), { ok }) });
  expect(passing.status, passing.text).toBe(202);
  expect(await outboxTotal(admin, stack.pluginSlug)).toBe(totalBefore + 1);
});

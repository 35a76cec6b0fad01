/** The generated plugin's trigger endpoint, signed like an external service, in a real WordPress. */
import { expect, test } from '../support/fixtures.js';
import { awaitDelivery, withMarker } from '../support/delivery.js';
import { outboxTotal } from '../support/plugin-status.js';
import { listenOnRelay, type RelayListener } from '../support/relay-listener.js';
import { eventBody, queryVarPath, signedTrigger, triggerPath, uniqueMarker } from '../support/trigger.js';
import { createUserSession } from '../support/users.js';
import { runCron } from '../support/wp-client.js';

let listener: RelayListener;
test.beforeEach(async ({ relay }) => {
  listener = await listenOnRelay(relay.url);
});
test.afterEach(() => listener.close());

for (const [label, path] of [
  ['pretty URL /<slug>/v1/event-trigger', (slug: string) => triggerPath(slug)],
  ['query var /?<slug>_event=1', (slug: string) => queryVarPath(slug)],
  ['REST route POST /wp-json/<slug>/v1/events', (slug: string) => `/wp-json/${slug}/v1/events`],
] as const) {
  test(`a signed event at the ${label} is queued (202) and reaches a socket.io client`, async ({ anonymous, admin, stack }) => {
    const marker = uniqueMarker('signed');
    const response = await signedTrigger(anonymous, stack.pluginSlug, stack.secret, {
      path: path(stack.pluginSlug),
      body: eventBody('order.paid', marker, { total: 42 }),
    });
    expect(response.status, response.text).toBe(202);
    const body = response.json<{ status: string; id: unknown }>();
    expect(body.status).toBe('queued');
    expect(typeof body.id === 'string' || typeof body.id === 'number').toBe(true);

    const event = await awaitDelivery(admin, listener, withMarker(marker), { what: `order.paid ${marker}` });
    expect(event).toMatchObject({ type: 'order.paid', channel: 'public', data: { marker, total: 42 } });
    expect(Number.isNaN(Date.parse(event.time))).toBe(false);
    expect.soft(event.id, 'the relay event carries the id WordPress answered with').toBe(String(body.id));
  });
}

test('the 202 is handed over before shutdown hooks run, with its length; another plugin\'s slow shutdown work does not hold it', async ({ anonymous, admin, stack }) => {
  const SLOW_MS = 1500;
  const started = Date.now();
  const response = await signedTrigger(anonymous, stack.pluginSlug, stack.secret, {
    body: eventBody('early.test', uniqueMarker('early')),
    headers: { 'X-WP-Realtime-E2E-Slow-Shutdown': String(SLOW_MS) },
  });
  const answeredAt = Date.now();
  expect(response.status, response.text).toBe(202);
  expect(response.headers.get('content-length'), 'the declared length is the body\'s').toBe(String(Buffer.byteLength(response.text)));
  expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8');
  // The probe's shutdown hook records when it ended (same clock); the answer must have come well before.
  interface HookRun {
    started_ms: number;
    finished_ms: number;
  }
  const readHook = async (): Promise<HookRun | null> =>
    (await admin.request('/wp-json/e2e-probe/v1/slow-shutdown', { withNonce: true })).json<{ hook: HookRun | null }>().hook;
  let hook = await readHook();
  for (const deadline = Date.now() + SLOW_MS + 10_000; !(hook && hook.started_ms >= started) && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 200));
    hook = await readHook();
  }
  expect(hook, 'the slow shutdown hook ran').not.toBeNull();
  expect(hook!.started_ms).toBeGreaterThanOrEqual(started);
  expect(hook!.finished_ms - hook!.started_ms, 'the hook slept').toBeGreaterThanOrEqual(SLOW_MS - 50);
  test.info().annotations.push({ type: 'answered', description: `${answeredAt - started} ms; the ${SLOW_MS} ms hook ended ${hook!.finished_ms - answeredAt} ms later (${stack.runtime})` });
  expect(hook!.finished_ms - answeredAt, 'answered while the shutdown hook still ran').toBeGreaterThan(SLOW_MS / 2);
});

test('behind another plugin\'s output-buffer callback the 202 declares no length (the callback may change the bytes) and is whole', async ({ anonymous, stack }) => {
  const response = await signedTrigger(anonymous, stack.pluginSlug, stack.secret, {
    body: eventBody('buffered.test', uniqueMarker('buffered')),
    headers: { 'X-WP-Realtime-E2E-Output-Buffer': '1' },
  });
  expect(response.status, response.text).toBe(202);
  expect(response.headers.get('x-wp-realtime-e2e-buffered'), 'the callback ran').toBe('1');
  expect(response.headers.get('content-length')).toBeNull();
  expect(response.json<{ status: string }>().status).toBe('queued');
});

interface Rejection {
  name: string;
  expected: number[];
  send: (ctx: { marker: string; slug: string; secret: string; client: Parameters<typeof signedTrigger>[0] }) => ReturnType<typeof signedTrigger>;
}

const now = (): number => Math.floor(Date.now() / 1000);

const rejections: Rejection[] = [
  { name: 'unsigned', expected: [401], send: (c) => signedTrigger(c.client, c.slug, c.secret, { body: eventBody('x.test', c.marker), signature: false }) },
  {
    name: 'signed with another secret',
    expected: [401],
    send: (c) => signedTrigger(c.client, c.slug, `${c.secret}-wrong`, { body: eventBody('x.test', c.marker) }),
  },
  {
    name: 'a malformed signature header',
    expected: [401],
    send: (c) => signedTrigger(c.client, c.slug, c.secret, { body: eventBody('x.test', c.marker), signature: 't=abc,v1=nothex' }),
  },
  {
    name: 'stale (signed 10 minutes ago)',
    expected: [401],
    send: (c) => signedTrigger(c.client, c.slug, c.secret, { body: eventBody('x.test', c.marker), timestamp: now() - 600 }),
  },
  {
    name: 'GET instead of POST',
    expected: [405],
    send: (c) => signedTrigger(c.client, c.slug, c.secret, { body: '', method: 'GET' }),
  },
  {
    name: 'over 64 KiB',
    expected: [413],
    send: (c) => signedTrigger(c.client, c.slug, c.secret, { body: eventBody('x.test', c.marker, { padding: 'a'.repeat(70 * 1024) }) }),
  },
  {
    name: 'not JSON (text/plain)',
    expected: [415, 400],
    send: (c) => signedTrigger(c.client, c.slug, c.secret, { body: `type=x.test&marker=${c.marker}`, contentType: 'text/plain' }),
  },
  {
    name: 'broken JSON',
    expected: [400],
    send: (c) => signedTrigger(c.client, c.slug, c.secret, { body: `{"type":"x.test","data":{"marker":"${c.marker}"}` }),
  },
  {
    name: 'missing type',
    expected: [400],
    send: (c) => signedTrigger(c.client, c.slug, c.secret, { body: JSON.stringify({ data: { marker: c.marker } }) }),
  },
  {
    name: 'a type outside the event-type pattern',
    expected: [400],
    send: (c) => signedTrigger(c.client, c.slug, c.secret, { body: JSON.stringify({ type: 'Has Spaces!', data: { marker: c.marker } }) }),
  },
];

test('bad requests get their documented status, a JSON error, and queue nothing', async ({ anonymous, admin, stack }) => {
  const totalBefore = await outboxTotal(admin, stack.pluginSlug);
  const markers: string[] = [];
  for (const rejection of rejections) {
    const marker = uniqueMarker('rejected');
    markers.push(marker);
    const response = await rejection.send({ marker, slug: stack.pluginSlug, secret: stack.secret, client: anonymous });
    expect.soft(rejection.expected, `${rejection.name}: HTTP ${response.status} ${response.text.slice(0, 200)}`).toContain(response.status);
    if (rejection.expected.includes(response.status)) {
      expect.soft(() => response.json(), `${rejection.name}: the error body is JSON`).not.toThrow();
    }
  }
  expect(await outboxTotal(admin, stack.pluginSlug), "events stored in the outbox").toBe(totalBefore);
  await runCron(admin);
  await new Promise((r) => setTimeout(r, 1500));
  expect(listener.events.filter((event) => markers.includes(String(event.data?.['marker'])))).toEqual([]);
});

test('over the rate limit (the <prefix>_rate_limit filter) a source gets 429 and queues nothing; other sources and a 0 limit pass', async ({ admin, stack }) => {
  // The probe plugin sets the limit from this header through the plugin's filter. Fresh authors are sources of their
  // own ("user:<id>"), so events other tests sent within the same minute do not count against them.
  const RATE_LIMIT_HEADER = 'X-WP-Realtime-E2E-Rate-Limit';
  const limit = 3;
  const [author, otherAuthor] = [await createUserSession(admin, 'author'), await createUserSession(admin, 'author')];
  const send = (client: typeof admin, perMinute: number) =>
    client.request(triggerPath(stack.pluginSlug), {
      method: 'POST',
      withNonce: true,
      headers: { 'content-type': 'application/json', [RATE_LIMIT_HEADER]: String(perMinute) },
      body: eventBody('limit.test', uniqueMarker('limit')),
    });
  for (let i = 0; i < limit; i++) {
    const accepted = await send(author.client, limit);
    expect(accepted.status, `event ${i + 1} of ${limit}: ${accepted.text}`).toBe(202);
  }
  const totalBefore = await outboxTotal(admin, stack.pluginSlug);
  const refused = await send(author.client, limit);
  expect(refused.status, refused.text).toBe(429);
  expect(refused.json()).toMatchObject({ code: 'rate_limited' });
  expect(await outboxTotal(admin, stack.pluginSlug), 'a refused event is not stored').toBe(totalBefore);

  const other = await send(otherAuthor.client, limit);
  expect(other.status, `another source under the same limit: ${other.text}`).toBe(202);
  const unlimited = await send(author.client, 0);
  expect(unlimited.status, `limit 0 turns the limit off: ${unlimited.text}`).toBe(202);
});

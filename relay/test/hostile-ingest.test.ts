/**
 * Issue 12, the ingest side: hostile but validly signed input. Each case reproduces a finding observed on main:
 * - 1: data nested thousands deep was stored and then killed the relay when a client replayed it (lean WebSocket,
 *   polling, --no-lean-websocket, with and without Redis); with a subscriber it answered 503 after storing;
 * - 7: an id-less signed request sent again within its 300 s window was broadcast twice;
 * - 8: a token signature spelled with non-zero unused bits was accepted;
 * - 9 (ingest half): `__proto__` keys silently dropped; invalid UTF-8 and charset=utf-16 bodies accepted and altered.
 * Real relay processes (four: in memory and with a real redis-server, each with and without lean WebSockets), real
 * socket.io clients, loopback only, every relay serving a canary client throughout. About 15 s.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { io } from 'socket.io-client';
import { mintToken, SIGNATURE_HEADER, signatureHeader } from '../../protocol/index.js';
import { collect, connect, connectError, type PostResult, postSigned, settle, type TestClient } from './support/clients.js';
import { metricValue, startRedisRelays } from './support/cluster.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';
import { type RelayProcess, startRelayProcess } from './support/relay-process.js';

interface Setup {
  name: string;
  relay: RelayProcess;
  canary: TestClient;
  redis: boolean;
  /** Client transports that reach each path: the lean connection (when on) or socket.io's WebSocket, and polling. */
  transports: ('websocket' | 'polling')[];
}

const setups: Setup[] = [];
let redis: RedisServer;
/** Depth of the data that crashed main (RangeError in JSON.stringify on replay). */
const CRASH_DEPTH = 5_000;

function deepData(depth: number): string {
  return `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
}

/** POSTs raw bytes, signed over exactly those bytes. */
async function postBytes(relay: RelayProcess, body: Buffer | string, contentType = 'application/json', header?: string): Promise<PostResult> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const response = await fetch(`${relay.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': contentType, [SIGNATURE_HEADER]: header ?? signatureHeader(relay.secret, bytes) },
    body: new Uint8Array(bytes),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown>, headers: response.headers };
}

/** The relay is alive and its canary, connected since the start, still receives what is posted. */
async function expectAliveWithCanary(setup: Setup, marker: string): Promise<void> {
  expect(setup.relay.child.exitCode, setup.relay.output()).toBeNull();
  const before = setup.canary.events.length;
  const channel = canaryChannel(setup);
  expect((await postSigned(setup.relay.url, setup.relay.secret, { id: marker, type: 'canary', channel })).status).toBe(202);
  await setup.canary.waitFor(before + 1, 5_000);
  expect(setup.canary.events.at(-1)?.id).toBe(marker);
  expect(setup.canary.socket.connected).toBe(true);
}

/** One canary channel per relay: the two Redis relays share broadcasts. */
function canaryChannel(setup: Setup): string {
  return `public-canary-${setups.indexOf(setup)}`;
}

function replayClient(setup: Setup, transport: 'websocket' | 'polling', lastEventId: string, channel: string): TestClient {
  return collect(io(setup.relay.url, { forceNew: true, reconnection: false, transports: [transport], auth: { lastEventId, channels: [channel] } }));
}

async function rejections(setup: Setup, reason: string): Promise<number> {
  return metricValue(setup.relay.url, `wp_realtime_rejections_total{reason="${reason}"}`);
}

beforeAll(async () => {
  redis = await startRedisServer();
  const [memoryLean, memorySocketIo, redisLean, redisSocketIo] = await Promise.all([
    startRelayProcess(['--history', '5']),
    startRelayProcess(['--history', '5', '--no-lean-websocket']),
    startRedisRelays(redis.url, 1).then(([relay]) => relay as RelayProcess),
    startRedisRelays(redis.url, 1, ['--no-lean-websocket']).then(([relay]) => relay as RelayProcess),
  ]);
  const add = async (name: string, relay: RelayProcess, withRedis: boolean, transports: Setup['transports']): Promise<void> => {
    const canary = await connect(relay.url, { auth: { channels: [`public-canary-${setups.length}`] } });
    setups.push({ name, relay, canary, redis: withRedis, transports });
  };
  await add('in memory, lean WebSocket', memoryLean, false, ['websocket', 'polling']);
  await add('in memory, --no-lean-websocket', memorySocketIo, false, ['websocket']);
  await add('redis, lean WebSocket', redisLean, true, ['websocket', 'polling']);
  await add('redis, --no-lean-websocket', redisSocketIo, true, ['websocket']);
}, 60_000);

afterAll(async () => {
  for (const setup of setups) setup.canary.close();
  await Promise.all(setups.map((setup) => setup.relay.stop()));
  await redis?.dispose();
});

describe('finding 1: data nested too deep', () => {
  it.each([0, 1, 2, 3])('is refused with 400 naming the limit, and replaying past it cannot take the relay down (setup %i)', async (index) => {
    const setup = setups[index] as Setup;
    const { relay } = setup;
    const channel = `public-deep-${index}`;
    expect((await postSigned(relay.url, relay.secret, { id: `deep-before-${index}`, type: 'x', channel })).status).toBe(202);
    // Nobody reads the channel: main stored this with 202.
    const deep = await postBytes(relay, `{"type":"x","channel":"${channel}","data":${deepData(CRASH_DEPTH)}}`);
    expect((await postSigned(relay.url, relay.secret, { id: `deep-after-${index}`, type: 'x', channel })).status).toBe(202);

    // A reader of the channel replays from before it on every transport: main died here (when it had stored it).
    for (const transport of setup.transports) {
      const reader = replayClient(setup, transport, `deep-before-${index}`, channel);
      await Promise.race([reader.waitFor(1, 5_000), once(relay.child, 'exit')]).catch(() => {});
      await settle(200);
      expect(relay.child.exitCode, `${setup.name}: the relay died replaying over ${transport}\n${relay.output()}`).toBeNull();
      expect(reader.events.map((event) => event.id), `${setup.name} over ${transport}`).toEqual([`deep-after-${index}`]);
      expect(reader.gaps).toEqual([]);
      reader.close();
    }
    expect(deep.status, setup.name).toBe(400);
    expect(deep.body).toEqual({ error: 'data_too_deep', message: expect.stringContaining('--max-data-depth') });
    expect(deep.body.message).toContain('event.data.a.a');

    // With a subscriber present main answered 503 after storing, so the retry was swallowed as a duplicate (in memory)
    // or answered 503 forever (Redis): now it is a 400 every time, and nothing of it is stored.
    const subscriber = await connect(relay.url, { auth: { channels: [channel] } });
    const batch = `[{"id":"fine-${index}","type":"x","channel":"${channel}"},{"id":"deep-${index}","type":"x","channel":"${channel}","data":${deepData(CRASH_DEPTH)}}]`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await postBytes(relay, batch);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: 'data_too_deep', message: expect.stringContaining('events[1].data') });
    }
    // Within the limit (32 levels by default) is fine and arrives intact.
    const within = await postBytes(relay, `{"id":"deep-ok-${index}","type":"x","channel":"${channel}","data":${deepData(32)}}`);
    expect(within.status).toBe(202);
    await subscriber.waitFor(1);
    expect(subscriber.events.map((event) => event.id)).toEqual([`deep-ok-${index}`]);
    expect(JSON.stringify(subscriber.events[0]?.data)).toBe(deepData(32));
    subscriber.close();

    expect(await rejections(setup, 'data_too_deep')).toBe(3);
    await expectAliveWithCanary(setup, `canary-deep-${index}`);
  });

  it('contains a stored event that cannot be encoded (written to Redis by another relay): skipped, counted, a gap, relay alive', async () => {
    const writer = createClient({ url: redis.url });
    await writer.connect();
    try {
      for (const setup of setups.filter((s) => s.redis)) {
        const { relay } = setup;
        const channel = `public-injected-${setups.indexOf(setup)}`;
        expect((await postSigned(relay.url, relay.secret, { id: `inj-before-${channel}`, type: 'x', channel })).status).toBe(202);
        // What an older relay without the depth limit stored: a valid entry that JSON.stringify cannot encode.
        const seq = await writer.incr('wp-realtime:seq');
        const envelope = `{"id":"inj-deep-${channel}","channel":"${channel}","type":"x","data":${deepData(20_000)},"time":"2026-01-01T00:00:00.000Z"}`;
        await writer.xAdd(`wp-realtime:history:${channel}`, `${seq}-0`, { e: envelope });
        expect((await postSigned(relay.url, relay.secret, { id: `inj-after-${channel}`, type: 'x', channel })).status).toBe(202);

        for (const transport of setup.transports) {
          const reader = replayClient(setup, transport, `inj-before-${channel}`, channel);
          await Promise.race([reader.waitFor(1, 5_000), once(relay.child, 'exit')]).catch(() => {});
          await settle(200);
          expect(relay.child.exitCode, `${setup.name}: the relay died replaying over ${transport}\n${relay.output()}`).toBeNull();
          expect(reader.gaps, `${setup.name} over ${transport}`).toEqual([{ lastEventId: `inj-before-${channel}` }]);
          expect(reader.events.map((event) => event.id)).toEqual([`inj-after-${channel}`]);
          reader.close();
        }
        expect(await metricValue(relay.url, 'wp_realtime_encode_failures_total{path="replay"}')).toBe(setup.transports.length);
        await expectAliveWithCanary(setup, `canary-injected-${channel}`);
      }
    } finally {
      await writer.quit();
    }
  });
});

describe('the other data limits', () => {
  it('refuses too many keys, __proto__ keys and lone surrogates with 400 naming the field; keeps constructor/prototype exactly', async () => {
    const setup = setups[0] as Setup;
    const { relay } = setup;
    const listener = await connect(relay.url, { auth: { channels: ['public-shape'] } });
    const manyKeys = `{"type":"x","channel":"public-shape","data":{"list":[${Array.from({ length: 10_001 }, () => '0').join(',')}]}}`;
    const cases: [body: string, status: number, error: string, field: string][] = [
      [manyKeys, 400, 'data_too_many_keys', 'event.data.list'],
      ['{"type":"x","channel":"public-shape","data":{"__proto__":{"admin":true},"a":1}}', 400, 'forbidden_key', 'event.data.__proto__'],
      ['[{"type":"x","channel":"public-shape"},{"type":"x","channel":"public-shape","data":{"a":{"__proto__":1}}}]', 400, 'forbidden_key', 'events[1].data.a.__proto__'],
      ['{"type":"x","channel":"public-shape","data":{"name":"\\ud800"}}', 400, 'invalid_unicode', 'event.data.name'],
    ];
    for (const [body, status, error, field] of cases) {
      const answer = await postBytes(relay, body);
      expect(answer.status, body.slice(0, 80)).toBe(status);
      expect(answer.body).toEqual({ error, message: expect.stringContaining(field) });
    }
    // Ordinary own properties on every path: stored and sent byte for byte as signed.
    const kept = '{"constructor":{"prototype":{"admin":true}},"prototype":2,"emoji":"\\ud83d\\ude00"}';
    expect((await postBytes(relay, `{"id":"kept","type":"x","channel":"public-shape","data":${kept}}`)).status).toBe(202);
    await listener.waitFor(1);
    await settle(200);
    expect(listener.events.map((event) => event.id)).toEqual(['kept']);
    expect(JSON.stringify(listener.events[0]?.data)).toBe(JSON.stringify(JSON.parse(kept)));
    listener.close();
    for (const reason of ['data_too_many_keys', 'forbidden_key', 'invalid_unicode']) {
      expect(await rejections(setup, reason)).toBeGreaterThan(0);
    }
    await expectAliveWithCanary(setup, 'canary-shape');
  });

  it('refuses bodies that are not valid UTF-8 (400) and charsets other than utf-8 (415), single and batch', async () => {
    const setup = setups[2] as Setup;
    const { relay } = setup;
    const listener = await connect(relay.url, { auth: { channels: ['public-bytes'] } });
    const invalid = Buffer.concat([Buffer.from('{"type":"x","channel":"public-bytes","data":{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}}')]);
    const invalidBatch = Buffer.concat([Buffer.from('[{"type":"x","channel":"public-bytes","data":{"n":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}]')]);
    for (const body of [invalid, invalidBatch]) {
      const answer = await postBytes(relay, body);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: 'invalid_utf8', message: expect.stringContaining('UTF-8') });
    }
    const utf16 = Buffer.from('{"type":"x","channel":"public-bytes"}', 'utf16le');
    for (const [body, contentType] of [
      [utf16, 'application/json; charset=utf-16'],
      [Buffer.from('{"type":"x","channel":"public-bytes"}'), 'application/json; charset=UTF-16'],
      [Buffer.from('[{"type":"x","channel":"public-bytes"}]'), 'application/json;charset="iso-8859-1"'],
    ] as const) {
      const answer = await postBytes(relay, body, contentType);
      expect(answer.status, contentType).toBe(415);
      expect(answer.body).toEqual({ error: 'unsupported_charset', message: expect.stringContaining('utf-8') });
    }
    // UTF-8 declared or implied is accepted, and arrives exactly as sent.
    const good = Buffer.from('{"id":"utf8-ok","type":"x","channel":"public-bytes","data":{"name":"café ☕"}}');
    expect((await postBytes(relay, good, 'application/json; charset=UTF-8')).status).toBe(202);
    await listener.waitFor(1);
    await settle(200);
    expect(listener.events.map((event) => [event.id, event.data])).toEqual([['utf8-ok', { name: 'café ☕' }]]);
    listener.close();
    expect(await rejections(setup, 'invalid_utf8')).toBe(2);
    expect(await rejections(setup, 'unsupported_charset')).toBe(3);
    await expectAliveWithCanary(setup, 'canary-bytes');
  });
});

describe('finding 7: a replayed id-less signed request', () => {
  it.each([0, 2])('is answered as a duplicate and broadcast once, even after history moved on (setup %i)', async (index) => {
    const setup = setups[index] as Setup;
    const { relay } = setup;
    const channel = `public-replayed-${index}`;
    const listener = await connect(relay.url, { auth: { channels: [channel] } });
    const body = JSON.stringify([{ type: 'captured', channel }, { type: 'captured', channel, data: { n: 2 } }]);
    const header = signatureHeader(relay.secret, body);
    const first = await postBytes(relay, body, 'application/json', header);
    expect(first.status).toBe(202);
    const ids = first.body.ids as string[];
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_.:-]{1,64}$/);
    // More events than the in-memory relays keep (--history 5) push the captured ones out of history.
    for (let i = 0; i < 6; i++) expect((await postSigned(relay.url, relay.secret, { id: `filler-${index}-${i}`, type: 'filler', channel })).status).toBe(202);
    const replayed = await postBytes(relay, body, 'application/json', header);
    expect(replayed.status).toBe(202);
    expect(replayed.body).toMatchObject({ ids, duplicates: ids });
    await listener.waitFor(8);
    await settle(300);
    expect(listener.events.filter((event) => event.type === 'captured').map((event) => event.id)).toEqual(ids);
    // The same events signed at another second are another request: new ids, broadcast.
    const again = await postBytes(relay, body, 'application/json', signatureHeader(relay.secret, body, Math.floor(Date.now() / 1000) - 5));
    expect(again.status).toBe(202);
    expect(again.body.duplicates).toEqual([]);
    expect(again.body.ids).not.toEqual(ids);
    await listener.waitFor(10);
    listener.close();
    await expectAliveWithCanary(setup, `canary-replayed-${index}`);
  });
});

describe('finding 8: token malleability', () => {
  it('refuses a token whose signature is spelled with non-zero unused bits, on every path', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const setup of [setups[0], setups[1]] as Setup[]) {
      const token = mintToken({ secret: setup.relay.secret, user: '9', channels: ['private-user-9'] });
      const last = token.at(-1) as string;
      for (const flip of [1, 2, 3]) {
        const variant = token.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ flip];
        for (const transport of setup.transports) {
          const refused = await connectError(setup.relay.url, { transports: [transport], auth: { token: variant } });
          expect(refused.data, `${setup.name} over ${transport}`).toMatchObject({ error: 'invalid_token', message: expect.stringContaining('canonical') });
        }
      }
      const genuine = await connect(setup.relay.url, { auth: { token } });
      genuine.close();
      await expectAliveWithCanary(setup, `canary-token-${setups.indexOf(setup)}`);
    }
  });
});

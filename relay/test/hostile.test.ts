/**
 * A bounded hostile-input run against one relay (with Redis): thousands of malformed ingest requests, bad
 * handshakes, oversized and garbage frames, and a connection flood from one IP, while a well-behaved client keeps
 * receiving valid events. The relay must not crash, must stay under a stated memory bound, and must count it all.
 * Loopback only; about 20 s.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { mintToken, SIGNATURE_HEADER, signatureHeader } from '../../protocol/index.js';
import { connect, postRaw, postSigned, settle, type TestClient } from './support/clients.js';
import { metricValue, startRedisRelays } from './support/cluster.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';
import type { RelayProcess } from './support/relay-process.js';

/** Resident memory the relay must stay under, whatever it is sent (it starts around 90 MB). */
const RSS_BOUND_BYTES = 256 * 1024 * 1024;
const MALFORMED_REQUESTS = 3_000;
const BAD_HANDSHAKES = 400;
const BAD_FRAME_CLIENTS = 60;
const FLOOD_CONNECTIONS = 800;
const MAX_CONNECTIONS_PER_IP = 300;
const HANDSHAKE_RATE = 200;
const VALID_EVENTS = 40;

let redis: RedisServer;
let relay: RelayProcess;

beforeAll(async () => {
  redis = await startRedisServer();
  [relay] = (await startRedisRelays(redis.url, 1, [
    '--ingest-rate', '1000000',
    '--max-payload', '65536',
    '--max-connections-per-ip', String(MAX_CONNECTIONS_PER_IP),
    '--handshake-rate', String(HANDSHAKE_RATE),
  ])) as [RelayProcess];
});

afterAll(async () => {
  await relay?.stop();
  await redis?.dispose();
});

async function pool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

/** One malformed request of a rotating kind; resolves with the status, or 0 when the relay cut the connection. */
function malformedRequest(index: number, secret: string): Promise<number> {
  const url = relay.url;
  const signed = (body: string): Record<string, string> => ({ 'content-type': 'application/json', [SIGNATURE_HEADER]: signatureHeader(secret, body) });
  const kinds: (() => Promise<{ status: number }>)[] = [
    () => postRaw(url, '{"type": "x"', signed('{"type": "x"')),
    () => postRaw(url, '{"type":"x"}', { 'content-type': 'application/json' }),
    () => postRaw(url, '{"type":"x"}', { 'content-type': 'application/json', [SIGNATURE_HEADER]: signatureHeader('another-secret-000000000000000000000', '{"type":"x"}') }),
    () => postRaw(url, '{"type":"x"}', { 'content-type': 'application/json', [SIGNATURE_HEADER]: 't=1,v1=zz' }),
    () => postRaw(url, 'type=x', { 'content-type': 'application/x-www-form-urlencoded' }),
    () => postSigned(url, secret, { type: 'BAD TYPE', channel: '../etc' }),
    () => postSigned(url, secret, Array.from({ length: 101 }, () => ({ type: 'x' }))),
    () => postSigned(url, secret, { type: 'x', data: 'x'.repeat(70_000) }),
    () => postSigned(url, secret, { type: 'x' }, Math.floor(Date.now() / 1000) - 3_600),
    () => fetch(`${url}/v1/events`, { method: 'GET' }),
  ];
  return (kinds[index % kinds.length] as () => Promise<{ status: number }>)().then(
    (response) => response.status,
    () => 0,
  );
}

function rawSocket(options: Parameters<typeof io>[1] = {}): Socket {
  return io(relay.url, { reconnection: false, forceNew: true, transports: ['websocket'], ...options });
}

/** Resolves with 'connect' or the connect_error's reason once the handshake settles. */
function handshakeOutcome(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connect'));
    socket.once('connect_error', (error: Error & { data?: { error?: string } }) => resolve(error.data?.error ?? error.message));
  });
}

it('survives malformed requests, bad handshakes, bad frames and a connection flood; valid events still arrive', { timeout: 60_000 }, async () => {
  const secret = relay.secret;
  const started = Date.now();
  const good: TestClient = await connect(relay.url, {
    auth: { token: mintToken({ secret, user: '7', channels: ['public', 'private-user-7'] }) },
  });
  const rssBefore = await metricValue(relay.url, 'wp_realtime_process_resident_memory_bytes');
  let peakRss = rssBefore;
  const sampler = setInterval(() => {
    void metricValue(relay.url, 'wp_realtime_process_resident_memory_bytes').then((rss) => (peakRss = Math.max(peakRss, rss)), () => {});
  }, 250);

  // Valid events keep flowing, one every 100 ms, through the whole storm.
  const validStatuses: number[] = [];
  const valid = (async () => {
    for (let i = 0; i < VALID_EVENTS; i++) {
      const channel = i % 2 === 0 ? 'public' : 'private-user-7';
      validStatuses.push((await postSigned(relay.url, secret, { id: `valid-${i}`, type: 'valid', channel })).status);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  const malformed = pool(MALFORMED_REQUESTS, 32, (index) => malformedRequest(index, secret));

  const badAuths: unknown[] = [
    { token: 'not-a-token' },
    { token: mintToken({ secret: 'another-secret-000000000000000000000', channels: ['public'] }) },
    { lastEventId: 'bad id with spaces' },
    { channels: ['private-user-1'] },
    { channels: 'x'.repeat(5_000) },
  ];
  const handshakes = pool(BAD_HANDSHAKES, 20, async (index) => {
    const socket = rawSocket({ auth: badAuths[index % badAuths.length] as Record<string, unknown> });
    const outcome = await handshakeOutcome(socket);
    socket.close();
    return outcome;
  });

  // Clients that connect properly, then send frames over the 16 KiB limit or that are not socket.io packets.
  const frames = pool(BAD_FRAME_CLIENTS, 10, async (index) => {
    const socket = rawSocket();
    if ((await handshakeOutcome(socket)) !== 'connect') return 'refused';
    const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    const engine = socket.io.engine;
    if (index % 3 === 0) socket.emit('subscribe', 'x'.repeat(100_000));
    else if (index % 3 === 1) engine.send('\u0000garbage{{{');
    else engine.send(`2${'['.repeat(10_000)}`);
    const reason = await Promise.race([closed, new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 3_000))]);
    socket.close();
    return reason;
  });

  const [malformedStatuses, handshakeOutcomes, frameOutcomes] = await Promise.all([malformed, handshakes, frames]);

  // The flood: many connections at once from this one address.
  const flood = Array.from({ length: FLOOD_CONNECTIONS }, () => rawSocket());
  const floodOutcomes = await Promise.all(flood.map(handshakeOutcome));
  for (const socket of flood) socket.close();

  await valid;
  await good.waitFor(VALID_EVENTS, 10_000);
  await settle();
  clearInterval(sampler);
  const rssAfter = await metricValue(relay.url, 'wp_realtime_process_resident_memory_bytes');
  peakRss = Math.max(peakRss, rssAfter);

  const tally = (values: (string | number)[]): Record<string, number> =>
    values.reduce<Record<string, number>>((counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }), {});
  const rejections = await (await fetch(`${relay.url}/metrics`)).text();
  console.log(
    [
      `hostile run in ${((Date.now() - started) / 1000).toFixed(1)} s against ${relay.url}:`,
      `  ${MALFORMED_REQUESTS} malformed ingest requests → status ${JSON.stringify(tally(malformedStatuses))}`,
      `  ${BAD_HANDSHAKES} bad handshakes → ${JSON.stringify(tally(handshakeOutcomes))}`,
      `  ${BAD_FRAME_CLIENTS} clients sending oversized/garbage frames → ${JSON.stringify(tally(frameOutcomes))}`,
      `  ${FLOOD_CONNECTIONS} simultaneous connections from one IP (limit ${MAX_CONNECTIONS_PER_IP}, ${HANDSHAKE_RATE}/s) → ${JSON.stringify(tally(floodOutcomes))}`,
      `  valid events: ${validStatuses.filter((s) => s === 202).length}/${VALID_EVENTS} accepted, ${good.events.length} delivered`,
      `  relay RSS: ${(rssBefore / 2 ** 20).toFixed(0)} MB before, peak ${(peakRss / 2 ** 20).toFixed(0)} MB, ${(rssAfter / 2 ** 20).toFixed(0)} MB after (bound ${RSS_BOUND_BYTES / 2 ** 20} MB)`,
      ...rejections.split('\n').filter((line) => line.startsWith('wp_realtime_rejections_total{')).map((line) => `  ${line}`),
    ].join('\n'),
  );

  expect(relay.child.exitCode).toBeNull();
  expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
  expect(peakRss).toBeLessThan(RSS_BOUND_BYTES);
  expect(malformedStatuses.every((status) => status === 0 || (status >= 400 && status < 500))).toBe(true);
  expect(malformedStatuses.filter((status) => status === 202)).toEqual([]);
  expect(handshakeOutcomes).not.toContain('connect');
  expect(frameOutcomes).not.toContain('still open');
  expect(floodOutcomes.filter((o) => o === 'connect').length).toBeLessThanOrEqual(MAX_CONNECTIONS_PER_IP);
  expect(floodOutcomes.filter((o) => o !== 'connect').length).toBeGreaterThan(0);
  expect(validStatuses.every((status) => status === 202)).toBe(true);
  expect(good.events.map((event) => event.id)).toEqual(Array.from({ length: VALID_EVENTS }, (_, i) => `valid-${i}`));
  expect(good.socket.connected).toBe(true);
  const reasons = ['invalid_json', 'invalid_signature', 'missing_signature', 'invalid_token', 'invalid_handshake', 'payload_too_large', 'message_too_large', 'invalid_frame'];
  for (const reason of reasons) {
    expect(await metricValue(relay.url, `wp_realtime_rejections_total{reason="${reason}"}`)).toBeGreaterThan(0);
  }
  const refusedAtTheDoor =
    (await metricValue(relay.url, 'wp_realtime_rejections_total{reason="too_many_connections"}')) +
    (await metricValue(relay.url, 'wp_realtime_rejections_total{reason="handshake_rate_limited"}'));
  expect(refusedAtTheDoor).toBeGreaterThan(0);
  good.close();
});

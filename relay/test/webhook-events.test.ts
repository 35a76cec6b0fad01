/**
 * Webhooks about channels: real relay processes (alone, and two sharing a real Redis) report channel_occupied /
 * channel_vacated, member_added / member_removed and (only under --webhook-client-events) client_event to a real
 * local HTTP receiver, signed, batched, retried with the same event ids, each change once cluster-wide.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import PusherJs from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, verifySignature } from '../../protocol/index.js';
import { takeBatch, WEBHOOK_MAX_BATCH_BYTES, WEBHOOK_MAX_BATCH_EVENTS, type WebhookEvent } from '../webhooks.js';
import { settle } from './support/clients.js';
import { metricValue, startRedisRelays, waitForReady } from './support/cluster.js';
import { type PresenceClient, presenceClient, presenceToken } from './support/presence-clients.js';
import { startRedisServer } from './support/redis-server.js';
import { startRelayProcess, type RelayProcess } from './support/relay-process.js';

// pusher-js is CommonJS with an ES default export in its types (as in pusher.test.ts).
const PusherClient = PusherJs as unknown as typeof PusherJs.default;
const PUSHER_FLAGS = ['--pusher-app-id', 'app-1', '--pusher-key', 'key-abc', '--pusher-secret', 'pusher-secret-0123456789'];

interface Hook {
  name: string;
  id?: string;
  channel?: string;
  user_id?: string;
  [field: string]: unknown;
}

interface Receiver {
  url: string;
  /** Every request's events, in arrival order (relay_ready left out). */
  batches: Hook[][];
  /** Every event of every request that was answered 2xx, relay_ready left out. */
  accepted(): Hook[];
  close(): Promise<void>;
}

/**
 * A receiver checking each request's signature with `secret()` and answering with the next of `statuses` (the last
 * repeats; 0 = never answer, a timeout for the relay).
 */
async function startReceiver(secret: () => string, statuses: number[] = [200]): Promise<Receiver> {
  const batches: Hook[][] = [];
  const answered: { events: Hook[]; status: number }[] = [];
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!verifySignature(req.headers[SIGNATURE_HEADER.toLowerCase()] as string, body, secret()).ok) {
        res.writeHead(401).end();
        return;
      }
      // Every client also reads the `public` channel: its occupancy is real but not what these tests look at.
      const events = ((JSON.parse(body) as { events: Hook[] }).events).filter((event) => event.name !== 'relay_ready' && event.channel !== 'public');
      if (events.length === 0) return void res.writeHead(200).end('{}');
      const status = statuses[Math.min(requests++, statuses.length - 1)] ?? 200;
      batches.push(events);
      if (status === 0) return;
      answered.push({ events, status });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wp-json/acme-live/v1/webhook`,
    batches,
    accepted: () => answered.filter((a) => a.status < 300).flatMap((a) => a.events),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

async function waitFor(check: () => boolean, timeoutMs: number, what: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms ${what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `name:channel[:user]` per event, in order: what a site would act on. */
function summary(events: Hook[]): string[] {
  return events.map((e) => [e.name, e.channel, e.user_id].filter((part) => part !== undefined).join(':'));
}

const cleanups: (() => Promise<unknown>)[] = [];
const clients: PresenceClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function join(relay: RelayProcess, user: string, channels: string[]): Promise<PresenceClient> {
  const client = await presenceClient(relay.url, presenceToken(relay.secret, user, channels, { name: `User ${user}` }));
  clients.push(client);
  return client;
}

let secret = '';
async function relayWith(receiver: Receiver, args: string[] = []): Promise<RelayProcess> {
  const relay = await startRelayProcess(['--webhook-url', receiver.url, ...args], secret || undefined);
  secret = relay.secret;
  cleanups.push(() => relay.stop());
  return relay;
}

afterEach(() => {
  secret = '';
});

describe('webhooks about channels, one relay', () => {
  it('reports occupied once, member_added once per user (not per tab), member_removed when the last tab leaves, vacated once', async () => {
    const receiver = await startReceiver(() => secret);
    cleanups.push(receiver.close);
    const relay = await relayWith(receiver);
    const room = 'presence-post-7';
    const aliceTab1 = await join(relay, '1', [room]);
    await aliceTab1.waitForMembers(room, ['1']);
    const aliceTab2 = await join(relay, '1', [room]);
    const bob = await join(relay, '2', [room]);
    await bob.waitForMembers(room, ['1', '2']);
    await waitFor(() => receiver.accepted().length === 3, 5_000, () => JSON.stringify(receiver.batches));
    expect(summary(receiver.accepted())).toEqual([`channel_occupied:${room}`, `member_added:${room}:1`, `member_added:${room}:2`]);
    aliceTab1.close();
    await settle(500);
    expect(receiver.accepted()).toHaveLength(3);
    aliceTab2.close();
    await waitFor(() => receiver.accepted().length === 4, 5_000);
    bob.close();
    await waitFor(() => receiver.accepted().length === 6, 5_000, () => JSON.stringify(receiver.batches));
    await settle(500);
    const events = receiver.accepted();
    expect(summary(events.slice(3))).toEqual([`member_removed:${room}:1`, `member_removed:${room}:2`, `channel_vacated:${room}`]);
    // One id per event, all different: what the plugin de-duplicates by.
    expect(new Set(events.map((e) => e.id)).size).toBe(6);
    for (const event of events) expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
  }, 30_000);

  it('reports occupancy of non-presence channels too, without member events', async () => {
    const receiver = await startReceiver(() => secret);
    cleanups.push(receiver.close);
    const relay = await relayWith(receiver);
    const client = await join(relay, '5', ['private-user-5']);
    await waitFor(() => receiver.accepted().length === 1, 5_000);
    client.close();
    await waitFor(() => receiver.accepted().length === 2, 5_000);
    expect(summary(receiver.accepted())).toEqual(['channel_occupied:private-user-5', 'channel_vacated:private-user-5']);
  }, 20_000);

  it('reports the occupancy of a Pusher protocol client the same way (one registry for every front-end)', async () => {
    const receiver = await startReceiver(() => secret);
    cleanups.push(receiver.close);
    const relay = await relayWith(receiver, PUSHER_FLAGS);
    const client = new PusherClient('key-abc', { wsHost: '127.0.0.1', wsPort: Number(new URL(relay.url).port), forceTLS: false, enabledTransports: ['ws'], cluster: 'mt1' });
    cleanups.push(async () => client.disconnect());
    const channel = client.subscribe('public-pusher-room');
    await new Promise<void>((resolve) => channel.bind('pusher:subscription_succeeded', () => resolve()));
    await waitFor(() => receiver.accepted().length === 1, 5_000);
    client.disconnect();
    await waitFor(() => receiver.accepted().length === 2, 5_000);
    expect(summary(receiver.accepted())).toEqual(['channel_occupied:public-pusher-room', 'channel_vacated:public-pusher-room']);
  }, 20_000);

  it('reports client events only under --webhook-client-events', async () => {
    for (const enabled of [false, true]) {
      const receiver = await startReceiver(() => secret);
      const relay = await relayWith(receiver, ['--client-events', 'presence-*', ...(enabled ? ['--webhook-client-events'] : [])]);
      const room = 'presence-cursors';
      const sender = await join(relay, '1', [room]);
      const other = await join(relay, '2', [room]);
      await other.waitForMembers(room, ['1', '2']);
      expect(await sender.socket.emitWithAck('client-cursor', { channel: room, data: { x: 1 } })).toEqual({ ok: true });
      await settle(700);
      const clientEvents = receiver.accepted().filter((e) => e.name === 'client_event');
      if (enabled) expect(clientEvents).toEqual([{ name: 'client_event', id: expect.any(String), channel: room, event: 'client-cursor', data: { x: 1 }, user_id: '1' }]);
      else expect(clientEvents).toEqual([]);
      for (const client of clients.splice(0)) client.close();
      await relay.stop();
      await receiver.close();
      secret = '';
    }
  }, 40_000);

  it('batches a burst into one request', async () => {
    const receiver = await startReceiver(() => secret);
    cleanups.push(receiver.close);
    const relay = await relayWith(receiver);
    const channels = Array.from({ length: 20 }, (_, i) => `private-burst-${i}`);
    await join(relay, '9', channels);
    await waitFor(() => receiver.accepted().length === 20, 5_000);
    // 20 subscriptions in one handshake are reported together (one request, maybe two if the linger split them).
    expect(receiver.batches.length).toBeLessThanOrEqual(2);
    expect(new Set(summary(receiver.accepted()))).toEqual(new Set(channels.map((c) => `channel_occupied:${c}`)));
  }, 20_000);

  it('retries a 5xx and a timeout with the same event ids, so a site that de-duplicates acts once', async () => {
    const receiver = await startReceiver(() => secret, [503, 0, 200]);
    cleanups.push(receiver.close);
    const relay = await relayWith(receiver, ['--webhook-timeout', '400']);
    await join(relay, '3', ['private-retry']);
    await waitFor(() => receiver.batches.length === 3, 10_000);
    const ids = receiver.batches.map((batch) => batch.map((e) => e.id).join());
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).toBe(ids[0]);
    expect(summary(receiver.accepted())).toEqual(['channel_occupied:private-retry']);
    expect(await metricValue(relay.url, 'wp_realtime_webhooks_total{outcome="retried"}')).toBe(2);
  }, 20_000);

  it('bounds the queue of a site that does not answer: the oldest events are dropped and counted', async () => {
    const receiver = await startReceiver(() => secret, [0]);
    cleanups.push(receiver.close);
    const relay = await relayWith(receiver, ['--webhook-timeout', '5000', '--webhook-max-queue', '5']);
    // The first event is in flight (the site never answers); 12 more wait behind it in a queue of 5.
    await join(relay, '4', ['private-first']);
    await waitFor(() => receiver.batches.length === 1, 5_000);
    await join(relay, '4', Array.from({ length: 12 }, (_, i) => `private-more-${i}`));
    await settle(500);
    expect(await metricValue(relay.url, 'wp_realtime_webhook_events_dropped_total')).toBe(7);
    expect(await metricValue(relay.url, 'wp_realtime_webhook_queue_events')).toBe(5);
    expect(relay.output()).toContain('webhook queue full');
  }, 20_000);
});

describe('batch bounds', () => {
  it('takes at most 100 events and 60 KiB of JSON per batch, an oversized event alone, relay_ready alone', () => {
    const small = (i: number): WebhookEvent => ({ name: 'channel_occupied', channel: `c-${i}`, id: String(i) });
    const queue = Array.from({ length: 250 }, (_, i) => small(i));
    expect(takeBatch(queue)).toHaveLength(WEBHOOK_MAX_BATCH_EVENTS);
    expect(queue).toHaveLength(150);
    const big = (i: number): WebhookEvent => ({ name: 'client_event', id: String(i), data: 'x'.repeat(4_000) });
    const bigs = Array.from({ length: 40 }, (_, i) => big(i));
    const batch = takeBatch(bigs);
    expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThanOrEqual(WEBHOOK_MAX_BATCH_BYTES);
    expect(batch.length).toBeGreaterThan(10);
    const huge = [{ name: 'client_event', id: 'h', data: 'x'.repeat(70_000) }, small(1)];
    expect(takeBatch(huge)).toHaveLength(1);
    // relay_ready goes alone, never with channel reports.
    const mixed = [small(1), small(2), { name: 'relay_ready' }, small(3)];
    expect(takeBatch(mixed)).toEqual([small(1), small(2)]);
    expect(takeBatch(mixed)).toEqual([{ name: 'relay_ready' }]);
    expect(takeBatch(mixed)).toEqual([small(3)]);
  });
});

describe('webhooks about channels, two relays sharing Redis', () => {
  it('occupied by the first subscriber anywhere, vacated when the last one anywhere leaves, each member once; a killed relay is reported by its reaper', async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.dispose());
    const receiver = await startReceiver(() => secret);
    cleanups.push(receiver.close);
    const flags = ['--presence-timeout', '3'];
    // Both relays get the same URL: each change must still reach the site once.
    const [a, b] = (await startRedisRelays(redis.url, 2, ['--webhook-url', receiver.url, ...flags])) as [RelayProcess, RelayProcess];
    secret = a.secret;
    cleanups.push(() => a.stop(), () => b.stop());
    const room = 'presence-cluster';
    const aliceOnA = await join(a, '1', [room]);
    await aliceOnA.waitForMembers(room, ['1']);
    const bobOnB = await join(b, '2', [room]);
    const aliceOnB = await join(b, '1', [room]);
    await bobOnB.waitForMembers(room, ['1', '2']);
    await waitFor(() => receiver.accepted().length >= 3, 5_000);
    await settle(800);
    // Each relay reports what it decided in its own requests: across relays the order is not defined, the set is.
    expect(summary(receiver.accepted()).sort()).toEqual([`channel_occupied:${room}`, `member_added:${room}:1`, `member_added:${room}:2`]);
    // Within one relay's reports it is: A reported the channel occupied before Alice's arrival.
    expect(summary(receiver.accepted()).filter((e) => !e.endsWith(':2'))).toEqual([`channel_occupied:${room}`, `member_added:${room}:1`]);
    // Alice leaves A but still has a tab on B; B still has subscribers: nothing to report.
    aliceOnA.close();
    await settle(800);
    expect(receiver.accepted()).toHaveLength(3);
    bobOnB.close();
    aliceOnB.close();
    await waitFor(() => receiver.accepted().length === 6, 5_000, () => JSON.stringify(summary(receiver.accepted())));
    await settle(800);
    // Both left B: B decided all three, and reported the vacancy after the departures.
    expect(summary(receiver.accepted()).slice(3).sort()).toEqual([`channel_vacated:${room}`, `member_removed:${room}:1`, `member_removed:${room}:2`].sort());
    expect(summary(receiver.accepted()).at(-1)).toBe(`channel_vacated:${room}`);

    // A third relay is killed (-9) holding the only subscriber of a channel: a survivor's heartbeat reaps it and
    // reports the member gone and the channel vacated, once.
    const doomed = await startRelayProcess(['--redis', redis.url, '--webhook-url', receiver.url, ...flags], a.secret);
    await waitForReady(doomed.url);
    const lonely = 'presence-lonely';
    const carol = await join(doomed, '3', [lonely]);
    await carol.waitForMembers(lonely, ['3']);
    await waitFor(() => receiver.accepted().length === 8, 5_000);
    await doomed.stop('SIGKILL');
    await waitFor(() => receiver.accepted().length === 10, 15_000, () => JSON.stringify(summary(receiver.accepted())));
    await settle(1_500);
    expect(summary(receiver.accepted()).slice(6)).toEqual([`channel_occupied:${lonely}`, `member_added:${lonely}:3`, `member_removed:${lonely}:3`, `channel_vacated:${lonely}`]);
    expect(new Set(receiver.accepted().map((e) => e.id)).size).toBe(10);
  }, 60_000);

  it('after a Redis restart that lost every key, claims its channels again: reported occupied again, then vacated once', async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.dispose());
    const receiver = await startReceiver(() => secret);
    cleanups.push(receiver.close);
    const [relay] = (await startRedisRelays(redis.url, 1, ['--webhook-url', receiver.url, '--presence-timeout', '3'])) as [RelayProcess];
    secret = relay.secret;
    cleanups.push(() => relay.stop());
    const client = await join(relay, '6', ['private-restart']);
    await waitFor(() => receiver.accepted().length === 1, 5_000);
    await redis.stop();
    await redis.start();
    await waitForReady(relay.url);
    // The next heartbeat finds this relay unknown and re-asserts: the channel had no occupant in the new Redis.
    await waitFor(() => receiver.accepted().length === 2, 15_000, () => JSON.stringify(summary(receiver.accepted())));
    client.close();
    await waitFor(() => receiver.accepted().length === 3, 5_000);
    await settle(1_000);
    expect(summary(receiver.accepted())).toEqual(['channel_occupied:private-restart', 'channel_occupied:private-restart', 'channel_vacated:private-restart']);
  }, 40_000);
});

/**
 * Two relay processes and one real Redis: broadcasts reach both relays' clients once, replay works across relays,
 * the same id posted to both is broadcast once, and a relay killed with SIGKILL loses nothing it accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, postSigned, settle, type TestClient } from './support/clients.js';
import { metricValue, startRedisRelays } from './support/cluster.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';
import type { RelayProcess } from './support/relay-process.js';
import { startRoundRobinProxy } from './support/round-robin-proxy.js';

let redis: RedisServer;
let a: RelayProcess;
let b: RelayProcess;
const clients: TestClient[] = [];

async function client(url: string, lastEventId?: string, transports = ['websocket']): Promise<TestClient> {
  const connected = await connect(url, { transports, ...(lastEventId === undefined ? {} : { auth: { lastEventId } }) });
  clients.push(connected);
  return connected;
}

function ids(c: TestClient): string[] {
  return c.events.map((event) => event.id);
}

beforeAll(async () => {
  redis = await startRedisServer();
  [a, b] = (await startRedisRelays(redis.url, 2)) as [RelayProcess, RelayProcess];
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.dispose();
});

describe('two relays, one Redis', () => {
  it('delivers an event posted to A to clients on A and on B, once each (long-polling clients too)', async () => {
    const onA = await client(a.url);
    const onB = await client(b.url, undefined, ['polling', 'websocket']);
    const response = await postSigned(a.url, a.secret, { id: 'fanout-1', type: 'scale.test', data: { n: 1 } });
    expect(response.status).toBe(202);
    await Promise.all([onA.waitFor(1), onB.waitFor(1)]);
    await settle();
    expect(ids(onA)).toEqual(['fanout-1']);
    expect(ids(onB)).toEqual(['fanout-1']);
    expect(onB.events[0]).toMatchObject({ id: 'fanout-1', channel: 'public', type: 'scale.test', data: { n: 1 } });
  });

  it('broadcasts the same id posted to A and then to B once, and answers 202 both times', async () => {
    const onA = await client(a.url);
    const onB = await client(b.url);
    const first = await postSigned(a.url, a.secret, { id: 'same-id', type: 'scale.test' });
    const second = await postSigned(b.url, a.secret, { id: 'same-id', type: 'scale.test' });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(first.body.duplicates).toEqual([]);
    expect(second.body.duplicates).toEqual(['same-id']);
    await Promise.all([onA.waitFor(1), onB.waitFor(1)]);
    await settle(500);
    expect(ids(onA)).toEqual(['same-id']);
    expect(ids(onB)).toEqual(['same-id']);
  });

  it('replays on B, once and in order, what a client missed after disconnecting from A, then flows live', async () => {
    const onA = await client(a.url);
    await postSigned(a.url, a.secret, { id: 'replay-1', type: 'scale.test' });
    await onA.waitFor(1);
    onA.close();
    await postSigned(a.url, a.secret, [
      { id: 'replay-2', type: 'scale.test' },
      { id: 'replay-3', type: 'scale.test', channel: 'public-news' },
    ]);
    await postSigned(b.url, a.secret, { id: 'replay-4', type: 'scale.test' });
    const back = await client(b.url, 'replay-1');
    await back.waitFor(2);
    await postSigned(a.url, a.secret, { id: 'replay-5', type: 'scale.test' });
    await back.waitFor(3);
    await settle();
    // public-news is not among the client's channels, so replay-3 is not for it.
    expect(ids(back)).toEqual(['replay-2', 'replay-4', 'replay-5']);
    expect(back.gaps).toEqual([]);
  });

  it('replays across relays with no gap and no duplicate while events keep flowing', async () => {
    const first = await client(a.url);
    await postSigned(a.url, a.secret, { id: 'flow-0', type: 'scale.test' });
    await first.waitFor(1);
    first.close();
    let posted = 0;
    const posting = (async () => {
      for (let i = 1; i <= 60; i++) {
        const target = i % 2 === 0 ? a : b;
        const response = await postSigned(target.url, a.secret, { id: `flow-${i}`, type: 'scale.test' });
        expect(response.status).toBe(202);
        posted = i;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const back = await client(b.url, 'flow-0');
    await posting;
    await back.waitFor(60, 10_000);
    await settle();
    expect(posted).toBe(60);
    expect(ids(back)).toEqual(Array.from({ length: 60 }, (_, i) => `flow-${i + 1}`));
  });

  it('counts deliveries on the relay that delivers, writes them through the fast path, and reports redis_up', async () => {
    expect(await metricValue(b.url, 'wp_realtime_redis_up')).toBe(1);
    expect(await metricValue(b.url, 'wp_realtime_redis_used_memory_bytes')).toBeGreaterThan(100_000);
    expect(await metricValue(b.url, 'wp_realtime_deliveries_total')).toBeGreaterThan(0);
    // The adapter's local delivery of events read from the shared stream takes the WebSocket fast path too.
    expect(await metricValue(b.url, 'wp_realtime_broadcast_frames{path="websocket"}')).toBeGreaterThan(0);
  });
});

describe('--history 0 with Redis', () => {
  it('still de-duplicates ids but keeps nothing to replay: a reconnecting client is told about the gap', async () => {
    const [relay] = (await startRedisRelays(redis.url, 1, ['--history', '0'])) as [RelayProcess];
    try {
      const first = await client(relay.url);
      await postSigned(relay.url, relay.secret, { id: 'nohist-1', type: 'h' });
      await first.waitFor(1);
      first.close();
      const again = await postSigned(relay.url, relay.secret, { id: 'nohist-1', type: 'h' });
      expect(again.body.duplicates).toEqual(['nohist-1']);
      await postSigned(relay.url, relay.secret, { id: 'nohist-2', type: 'h' });
      const back = await client(relay.url, 'nohist-1');
      await settle();
      expect(back.gaps).toEqual([{ lastEventId: 'nohist-1' }]);
      expect(ids(back)).toEqual([]);
    } finally {
      await relay.stop();
    }
  });
});

describe('behind a load balancer without sticky sessions', () => {
  it('WebSocket clients spread over both relays each receive every event once, and replay through the balancer', async () => {
    const balancer = await startRoundRobinProxy([a.url, b.url]);
    try {
      const behind = await Promise.all(Array.from({ length: 10 }, () => client(balancer.url)));
      expect(balancer.counts.every((count) => count >= 4)).toBe(true);
      await postSigned(balancer.url, a.secret, { id: 'lb-1', type: 'lb.test' });
      await postSigned(balancer.url, a.secret, { id: 'lb-2', type: 'lb.test' });
      await Promise.all(behind.map((c) => c.waitFor(2)));
      const leaving = behind[0] as TestClient;
      leaving.close();
      await postSigned(balancer.url, a.secret, { id: 'lb-3', type: 'lb.test' });
      const back = await client(balancer.url, 'lb-2');
      await back.waitFor(1);
      await settle();
      for (const c of behind.slice(1)) expect(ids(c)).toEqual(['lb-1', 'lb-2', 'lb-3']);
      expect(ids(back)).toEqual(['lb-3']);
    } finally {
      await balancer.close();
    }
  });
});

describe('a relay killed with SIGKILL', () => {
  it('its clients reconnect to the other relay and replay: no event accepted before the kill is lost', async () => {
    const [victim, survivor] = (await startRedisRelays(redis.url, 2)) as [RelayProcess, RelayProcess];
    try {
      const watcher = await client(survivor.url);
      const doomed = await client(victim.url);
      const attempted: string[] = [];
      const accepted: string[] = [];
      // One sequential stream of posts alternating between the relays; the victim dies in the middle of it.
      const posting = (async () => {
        for (let i = 0; i < 120; i++) {
          const target = i % 2 === 0 ? victim : survivor;
          const id = `kill-${i}`;
          attempted.push(id);
          const response = await postSigned(target.url, survivor.secret, { id, type: 'kill.test' }).catch(() => null);
          if (response?.status === 202) accepted.push(id);
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await victim.stop('SIGKILL');
      const killedAt = attempted.length;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const lastSeen = doomed.events.at(-1)?.id as string;
      const reconnected = await client(survivor.url, lastSeen);
      await posting;
      const acceptedAfterLastSeen = accepted.filter((id) => attempted.indexOf(id) > attempted.indexOf(lastSeen));
      await reconnected.waitFor(acceptedAfterLastSeen.length, 10_000);
      await watcher.waitFor(accepted.length, 10_000);
      await settle();
      const seen = [...ids(doomed), ...ids(reconnected)];
      const byAttempt = (list: string[]): string[] => [...list].sort((x, y) => attempted.indexOf(x) - attempted.indexOf(y));
      console.log(`SIGKILL after ${killedAt} posts: ${accepted.length} accepted, ${ids(doomed).length} seen before the kill, ${ids(reconnected).length} after reconnecting`);
      expect(killedAt).toBeLessThan(120);
      expect(ids(reconnected).length).toBeGreaterThan(0);
      // Everything accepted arrives once, in order; the only extras allowed are posts whose answer the kill swallowed.
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(byAttempt(seen));
      for (const id of accepted) expect(seen).toContain(id);
      for (const id of seen) expect(attempted).toContain(id);
      for (const id of accepted) expect(ids(watcher)).toContain(id);
      expect(reconnected.gaps).toEqual([]);
    } finally {
      await Promise.all([victim.stop('SIGKILL'), survivor.stop()]);
    }
  });
});

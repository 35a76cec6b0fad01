/**
 * Redis goes away while events are posted: every post is either accepted (and then delivered) or answered 503, and
 * the relays recover by themselves when Redis returns. Also: a relay started while Redis is down waits for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../protocol/index.js';
import { connect, postSigned, settle, type TestClient } from './support/clients.js';
import { metricValue, startRedisRelays, waitForReady } from './support/cluster.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';
import { type RelayProcess, startRelayProcess } from './support/relay-process.js';

const OUTAGE_MS = 10_000;

describe('Redis stopped for 10 s while events are posted', () => {
  let redis: RedisServer;
  let relays: RelayProcess[] = [];
  const clients: TestClient[] = [];

  beforeAll(async () => {
    // No persistence: Redis comes back empty, the harder case for the relays.
    redis = await startRedisServer();
    relays = await startRedisRelays(redis.url, 2);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(relays.map((relay) => relay.stop()));
    await redis?.dispose();
  });

  it('answers 202 or 503 to every post, delivers every 202, and recovers without a restart', { timeout: 60_000 }, async () => {
    const [a, b] = relays as [RelayProcess, RelayProcess];
    const onA = await connect(a.url);
    const onB = await connect(b.url);
    clients.push(onA, onB);
    let disconnects = 0;
    for (const c of [onA, onB]) c.socket.on('disconnect', () => disconnects++);

    const statuses = new Map<string, number>();
    let outage: 'before' | 'during' | 'after' = 'before';
    const byPhase = { before: [] as number[], during: [] as number[], after: [] as number[] };
    let stopPosting = false;
    const posting = (async () => {
      for (let i = 0; !stopPosting; i++) {
        const target = i % 2 === 0 ? a : b;
        const id = `outage-${i}`;
        const response = await postSigned(target.url, a.secret, { id, type: 'outage.test' });
        statuses.set(id, response.status);
        byPhase[outage].push(response.status);
        if (response.status === 503) expect(response.body).toMatchObject({ error: 'unavailable' });
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redis.stop();
    outage = 'during';
    await waitForReady(a.url, 503, 5_000);
    await waitForReady(b.url, 503, 5_000);
    expect(await metricValue(a.url, 'wp_realtime_redis_up')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await redis.start();
    await Promise.all([waitForReady(a.url, 200, 15_000), waitForReady(b.url, 200, 15_000)]);
    outage = 'after';
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    stopPosting = true;
    await posting;

    const accepted = [...statuses].filter(([, status]) => status === 202).map(([id]) => id);
    const refused = [...statuses].filter(([, status]) => status === 503).length;
    await onA.waitFor(accepted.length, 10_000);
    await onB.waitFor(accepted.length, 10_000);
    await settle();
    console.log(
      `outage run: ${statuses.size} posts, ${accepted.length} accepted (${byPhase.before.length} before, ` +
        `${byPhase.during.filter((s) => s === 202).length} during, ${byPhase.after.filter((s) => s === 202).length} after), ${refused} answered 503`,
    );
    expect([...statuses.values()].every((status) => status === 202 || status === 503)).toBe(true);
    expect(byPhase.during.filter((status) => status === 503).length).toBeGreaterThan(50);
    expect(byPhase.after.length).toBeGreaterThan(10);
    expect(byPhase.after.every((status) => status === 202)).toBe(true);
    for (const c of [onA, onB]) expect(c.events.map((event) => event.id).sort()).toEqual([...accepted].sort());
    expect(disconnects).toBe(0);
    for (const relay of relays) expect(relay.child.exitCode).toBeNull();
  });
});

describe('a Redis that stops answering without closing its connections', () => {
  it('is noticed: ingest answers 503 within the 2 s command timeout, /readyz 503, and all recovers on its own', { timeout: 30_000 }, async () => {
    const redis = await startRedisServer();
    const [relay] = (await startRedisRelays(redis.url, 1)) as [RelayProcess];
    try {
      const client = await connect(relay.url);
      redis.freeze();
      const started = Date.now();
      const frozen = await postSigned(relay.url, relay.secret, { id: 'frozen-1', type: 'frozen' });
      expect(frozen.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(3_000);
      await waitForReady(relay.url, 503, 5_000);
      redis.thaw();
      await waitForReady(relay.url, 200, 10_000);
      expect((await postSigned(relay.url, relay.secret, { id: 'thawed-1', type: 'frozen' })).status).toBe(202);
      // The frozen post may have run once Redis woke up and arrive first: wait for the thawed one itself.
      const deadline = Date.now() + 5_000;
      while (!client.events.some((event) => event.id === 'thawed-1') && Date.now() < deadline) await settle(20);
      await settle();
      client.close();
      // At most once, never twice.
      expect(client.events.map((event) => event.id).filter((id) => id === 'thawed-1')).toEqual(['thawed-1']);
    } finally {
      redis.thaw();
      await relay.stop();
      await redis.dispose();
    }
  });
});

describe('a relay started while Redis is down', () => {
  it('listens, says so, answers 503 until Redis comes up, then works without a restart', { timeout: 30_000 }, async () => {
    const redis = await startRedisServer();
    await redis.stop();
    const secret = generateSecret();
    const relay = await startRelayProcess(['--redis', redis.url, '--log-level', 'info'], secret);
    try {
      expect((await fetch(`${relay.url}/readyz`)).status).toBe(503);
      const refused = await postSigned(relay.url, secret, { type: 'early' });
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ error: 'unavailable' });
      expect(relay.output()).toContain('connecting to redis');
      expect(relay.output()).toContain('redis unreachable');
      await redis.start();
      await waitForReady(relay.url, 200, 15_000);
      const client = await connect(relay.url);
      expect((await postSigned(relay.url, secret, { id: 'late', type: 'late' })).status).toBe(202);
      await client.waitFor(1);
      client.close();
      expect(await metricValue(relay.url, 'wp_realtime_rejections_total{reason="unavailable"}')).toBe(1);
    } finally {
      await relay.stop();
      await redis.dispose();
    }
  });
});

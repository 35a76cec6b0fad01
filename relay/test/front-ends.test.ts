/**
 * Both front-ends over the one delivery core (relay/core/), through a real relay process: the events of a turn,
 * written once per client, keep every client's order, channel isolation holds, and polling, upgrading and WebSocket
 * clients of one channel each get every event once. The relay's frame counters prove which front-end carried them:
 * WebSocket-first clients take the WebSocket front-end by default and engine.io's with --no-lean-websocket.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EventEnvelope, mintToken } from '../../protocol/index.js';
import { clientPool, deliverToMixedTransports, postSigned, settle } from './support/clients.js';
import { type RelayProcess, startRelayProcess } from './support/relay-process.js';

type FrontEnd = 'websocket' | 'engine.io';

async function frameCounts(url: string): Promise<Record<FrontEnd, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (path: string): number => Number(new RegExp(`^wp_realtime_broadcast_frames\\{path="${path}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { websocket: read('websocket'), 'engine.io': read('engine.io') };
}

function ids(events: EventEnvelope[]): string[] {
  return events.map((event) => event.id);
}

describe.each([
  { mode: 'WebSocket front-end', flags: [] as string[], websocketFirst: 'websocket' as FrontEnd },
  { mode: '--no-lean-websocket (engine.io for every client)', flags: ['--no-lean-websocket'], websocketFirst: 'engine.io' as FrontEnd },
])('delivery core, $mode', ({ flags, websocketFirst }) => {
  let relay: RelayProcess;
  const pool = clientPool(() => relay.url);
  const client = pool.connect;

  beforeAll(async () => {
    relay = await startRelayProcess(['--history', '1000', '--ingest-rate', '100000', ...flags]);
  });
  // Each test counts frames for its own clients only.
  afterEach(async () => {
    pool.closeAll();
    await settle(100);
  });
  afterAll(async () => {
    expect(await relay.stop()).toBe(0);
  });

  it('keeps the order of events coalesced in one turn across two channels, and keeps channels apart', async () => {
    const token = mintToken({ secret: relay.secret, channels: ['private-user-7'], ttl: 600 });
    const both = await client({ auth: { token } });
    const publicOnly = await client();
    const before = await frameCounts(relay.url);

    // Each batch is broadcast in one event-loop turn, alternating channels: one coalesced write per client.
    const sent: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const events = Array.from({ length: 40 }, (_, i) => ({
        id: `order-${batch}-${i}`,
        channel: i % 2 === 0 ? 'public' : 'private-user-7',
        type: 'order.test',
        data: { batch, i },
      }));
      expect((await postSigned(relay.url, relay.secret, events)).status).toBe(202);
      sent.push(...events.map((event) => event.id));
    }
    expect(ids(await both.waitFor(sent.length))).toEqual(sent);
    const publicIds = sent.filter((_, index) => index % 2 === 0);
    expect(ids(await publicOnly.waitFor(publicIds.length))).toEqual(publicIds);
    await settle();
    expect(both.events).toHaveLength(sent.length);
    expect(publicOnly.events.every((event) => event.channel === 'public')).toBe(true);
    expect(publicOnly.events).toHaveLength(publicIds.length);

    const after = await frameCounts(relay.url);
    expect(after[websocketFirst] - before[websocketFirst]).toBe(sent.length + publicIds.length);
  });

  it('keeps each client in order when several requests are broadcast in the same turns', async () => {
    const c = await client();
    const posts = Array.from({ length: 20 }, (_, n) =>
      postSigned(relay.url, relay.secret, Array.from({ length: 10 }, (_, i) => ({ id: `conc-${n}-${i}`, type: 'conc.test' }))),
    );
    const responses = await Promise.all(posts);
    expect(responses.every((response) => response.status === 202)).toBe(true);
    const received = ids(await c.waitFor(200));
    await settle();
    expect(c.events).toHaveLength(200);
    expect(new Set(received).size).toBe(200);
    // Requests may be accepted in any order, but each request's events arrive in its own order.
    for (let n = 0; n < 20; n++) {
      const mine = received.filter((id) => id.startsWith(`conc-${n}-`));
      expect(mine).toEqual(Array.from({ length: 10 }, (_, i) => `conc-${n}-${i}`));
    }
  });

  it('gives a polling client, a recipe client (polling, then upgrade) and a WebSocket client in one room every event once, in order', async () => {
    const before = await frameCounts(relay.url);
    const sent = await deliverToMixedTransports(pool, relay.url, relay.secret);
    const after = await frameCounts(relay.url);
    // Two of the three clients poll first: engine.io's; the WebSocket-first one takes its front-end.
    const delta = (path: FrontEnd): number => after[path] - before[path];
    expect(delta('engine.io')).toBe((websocketFirst === 'engine.io' ? 3 : 2) * sent.length);
    expect(delta('websocket')).toBe((websocketFirst === 'websocket' ? 1 : 0) * sent.length);
  });

  it('replays before live events with no duplicates while live events keep coming', async () => {
    const first = await postSigned(relay.url, relay.secret, { id: 'replay-base', type: 'replay.test' });
    expect(first.status).toBe(202);
    const missed = Array.from({ length: 30 }, (_, i) => ({ id: `replay-missed-${i}`, type: 'replay.test' }));
    expect((await postSigned(relay.url, relay.secret, missed)).status).toBe(202);

    let live = 0;
    let posting = true;
    const livePosts = (async () => {
      while (posting) {
        const response = await postSigned(relay.url, relay.secret, { id: `replay-live-${live}`, type: 'replay.test' });
        expect(response.status).toBe(202);
        live++;
      }
    })();
    await settle(50);
    const reconnecting = await client({ auth: { lastEventId: 'replay-base' } });
    await settle(200);
    posting = false;
    await livePosts;
    await settle();

    // History holds everything since replay-base: what was missed, then every live event, once each, in order,
    // whether it reached the client through replay or live.
    expect(live).toBeGreaterThan(0);
    const expected = [...missed.map((event) => event.id), ...Array.from({ length: live }, (_, i) => `replay-live-${i}`)];
    expect(ids(reconnecting.events)).toEqual(expected);
    expect(reconnecting.gaps).toEqual([]);
  });
});

/**
 * Presence across relay processes sharing a real Redis (--presence-timeout 3): one list for every relay, one entry
 * per user with tabs on different relays, each change told once to each socket, a relay killed with -9 reaped by the
 * others within the timeout, client events to both relays' subscribers, and a Redis restart that loses every key: live members re-asserted without flapping,
 * the members of a relay that died meanwhile dropped.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { settle } from './support/clients.js';
import { startRedisRelays, waitForReady } from './support/cluster.js';
import { getSigned, type PresenceClient, presenceClient, presenceToken } from './support/presence-clients.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';
import { type RelayProcess, startRelayProcess } from './support/relay-process.js';

const TIMEOUT_S = 3;
const FLAGS = ['--presence-timeout', String(TIMEOUT_S), '--client-events', 'presence-*'];
let redis: RedisServer;
let a: RelayProcess;
let b: RelayProcess;
const extra: RelayProcess[] = [];
const open: PresenceClient[] = [];

async function join(relay: RelayProcess, user: string, channel: string, transports = ['websocket']): Promise<PresenceClient> {
  const client = await presenceClient(relay.url, presenceToken(a.secret, user, [channel], { name: `User ${user}` }), { transports });
  open.push(client);
  return client;
}

function changes(client: PresenceClient): string[] {
  return client.log.filter((entry) => entry.event !== 'presence_state').map((entry) => `${entry.event}:${entry.id}`);
}

async function memberIds(relay: RelayProcess, channel: string): Promise<string[]> {
  const { body } = await getSigned(relay.url, a.secret, `/v1/channels/${channel}/members`);
  return (body.members as { id: string }[]).map((member) => member.id).sort();
}

beforeAll(async () => {
  redis = await startRedisServer();
  [a, b] = (await startRedisRelays(redis.url, 2, FLAGS)) as [RelayProcess, RelayProcess];
});
afterEach(async () => {
  for (const client of open.splice(0)) client.close();
  await settle(300);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), ...extra.map((relay) => relay.stop('SIGKILL'))]);
  await redis?.dispose();
});

async function extraRelay(): Promise<RelayProcess> {
  const relay = await startRelayProcess(['--redis', redis.url, ...FLAGS], a.secret);
  extra.push(relay);
  await waitForReady(relay.url);
  return relay;
}

describe('presence on two relays sharing Redis', () => {
  it('keeps one list for both relays, one entry per user with tabs on each, each change told once', async () => {
    const room = 'presence-two-relays';
    const aliceOnA = await join(a, '1', room);
    await aliceOnA.waitForMembers(room, ['1']);
    const bobOnB = await join(b, '2', room, ['polling']);
    await bobOnB.waitForMembers(room, ['1', '2']);
    await aliceOnA.waitForMembers(room, ['1', '2']);
    const aliceOnB = await join(b, '1', room);
    await aliceOnB.waitForMembers(room, ['1', '2']);
    aliceOnA.close();
    await settle(800);
    // Alice still has a tab on B: nobody hears she left.
    expect(changes(bobOnB)).toEqual([]);
    expect(await memberIds(a, room)).toEqual(['1', '2']);
    aliceOnB.close();
    await bobOnB.waitForMembers(room, ['2']);
    await settle(500);
    expect(changes(bobOnB)).toEqual(['member_removed:1']);
    expect(changes(aliceOnA)).toEqual(['member_added:2']);
    expect(await memberIds(b, room)).toEqual(['2']);
    // Another relay's subscriber counts are as of its last heartbeat (a third of the timeout): wait one out.
    await settle((TIMEOUT_S * 1000) / 3 + 300);
    const channels = await getSigned(a.url, a.secret, `/v1/channels?prefix=${room}`);
    expect(channels.body.channels).toEqual([{ name: room, subscribers: 1, members: 1 }]);
  });

  it('sends a client event to the channel subscribers on both relays once each, never back to the sender', async () => {
    const room = 'presence-client-events';
    const sender = await join(a, '31', room);
    const sameRelay = await join(a, '32', room, ['polling']);
    const otherRelay = await join(b, '33', room);
    await otherRelay.waitForMembers(room, ['31', '32', '33']);
    const seen = new Map<PresenceClient, unknown[]>();
    for (const client of [sender, sameRelay, otherRelay]) {
      const list: unknown[] = [];
      client.socket.on('client-cursor', (payload: unknown) => list.push(payload));
      seen.set(client, list);
    }
    expect(await sender.socket.emitWithAck('client-cursor', { channel: room, data: { x: 1 } })).toEqual({ ok: true });
    await settle(700);
    expect(seen.get(sameRelay)).toEqual([{ channel: room, data: { x: 1 }, from: '31' }]);
    expect(seen.get(otherRelay)).toEqual([{ channel: room, data: { x: 1 }, from: '31' }]);
    expect(seen.get(sender)).toEqual([]);
    for (const client of [sender, sameRelay, otherRelay]) expect(client.events).toEqual([]);
  });

  it('removes the members of a relay killed with -9 from the others within the heartbeat timeout, once', async () => {
    const room = 'presence-kill';
    const doomed = await extraRelay();
    const carol = await join(doomed, '3', room);
    const dave = await join(a, '4', room);
    const erin = await join(b, '5', room, ['polling']);
    for (const client of [carol, dave, erin]) await client.waitForMembers(room, ['3', '4', '5']);
    const killedAt = Date.now();
    await doomed.stop('SIGKILL');
    await Promise.all([dave.waitForMembers(room, ['4', '5'], 10_000), erin.waitForMembers(room, ['4', '5'], 10_000)]);
    const tookMs = Date.now() - killedAt;
    console.log(`members of a relay killed with -9 removed after ${tookMs} ms (--presence-timeout ${TIMEOUT_S})`);
    // Reaped by the heartbeat: not before the timeout, and at most one heartbeat interval (a third of it) after.
    expect(tookMs).toBeGreaterThanOrEqual(TIMEOUT_S * 1000 - 1_100);
    expect(tookMs).toBeLessThan(TIMEOUT_S * 1000 + 2_500);
    await settle(1_500);
    expect(changes(dave).filter((change) => change.endsWith(':3'))).toEqual(['member_removed:3']);
    expect(changes(erin).filter((change) => change.endsWith(':3'))).toEqual(['member_removed:3']);
    expect(await memberIds(a, room)).toEqual(['4', '5']);
  });

  it('survives a Redis restart that lost every key: live members re-asserted without flapping, the dead dropped', async () => {
    const room = 'presence-redis-restart';
    const doomed = await extraRelay();
    const frank = await join(a, '6', room);
    const gina = await join(b, '7', room);
    const harry = await join(doomed, '8', room);
    for (const client of [frank, gina, harry]) await client.waitForMembers(room, ['6', '7', '8']);
    await redis.stop();
    // A relay dies while Redis is away: it can never say its members left.
    await doomed.stop('SIGKILL');
    await redis.start();
    await Promise.all([waitForReady(a.url), waitForReady(b.url)]);
    // Redis lost everything: the relays re-assert their own members at their next heartbeat.
    const deadline = Date.now() + 10_000;
    while (JSON.stringify(await memberIds(a, room).catch(() => [])) !== '["6","7"]' && Date.now() < deadline) await settle(100);
    expect(await memberIds(a, room)).toEqual(['6', '7']);
    // The sockets' lists drop the dead relay's member once the relays re-read them (after the timeout).
    await Promise.all([frank.waitForMembers(room, ['6', '7'], 15_000), gina.waitForMembers(room, ['6', '7'], 15_000)]);
    await settle(TIMEOUT_S * 1000);
    // Nobody alive ever left anybody's list.
    expect(changes(gina).filter((change) => change.startsWith('member_removed'))).toEqual(['member_removed:8']);
    expect(changes(frank).filter((change) => change.startsWith('member_removed'))).toEqual(['member_removed:8']);
    expect(await memberIds(b, room)).toEqual(['6', '7']);
  });
});

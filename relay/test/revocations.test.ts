/**
 * Cutting users off (issue 14 item 4), with real socket.io clients on the lean WebSocket path and on polling (the
 * engine.io path), against real relay processes: a `revoke` control event through the signed ingest ends every open
 * session of that user whose token predates it within a second, or narrows it (a lost role) to what it may still
 * read; older tokens are refused (or narrowed) at the handshake and on refresh_token; other users are untouched.
 * Then the same across two relays sharing Redis, and for a relay started after the revocation.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { CONTROL_CHANNEL, mintToken, nowSeconds } from '../../protocol/index.js';
import { collect, connectError, postSigned, settle, type TestClient, waitForConnect } from './support/clients.js';
import { metricValue, startRedisRelays } from './support/cluster.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';
import { type RelayProcess, startRelayProcess } from './support/relay-process.js';

interface WatchedClient extends TestClient {
  /** What the relay told this client, in order: token_revoked, channels_revoked, disconnect:<reason>. */
  told: { name: string; at: number; payload?: unknown }[];
  waitForTold(name: string, timeoutMs?: number): Promise<{ at: number; payload?: unknown }>;
}

const open: Socket[] = [];

async function watched(url: string, token: string, transports: string[], channels?: string[]): Promise<WatchedClient> {
  const socket = io(url, { forceNew: true, reconnection: false, transports, auth: { token, ...(channels ? { channels } : {}) } });
  open.push(socket);
  const client = collect(socket);
  const told: WatchedClient['told'] = [];
  socket.on('token_revoked', (payload: unknown) => told.push({ name: 'token_revoked', at: Date.now(), payload }));
  socket.on('channels_revoked', (payload: unknown) => told.push({ name: 'channels_revoked', at: Date.now(), payload }));
  socket.on('disconnect', (reason: string) => told.push({ name: `disconnect:${reason}`, at: Date.now() }));
  await waitForConnect(socket);
  return {
    ...client,
    told,
    async waitForTold(name, timeoutMs = 3_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = told.find((entry) => entry.name === name);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`expected "${name}", got ${JSON.stringify(told)}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}

/** A token issued `age` seconds ago (so a revocation at "now" predates nothing newer). */
function tokenFor(secret: string, user: string, channels: string[], age = 5): string {
  return mintToken({ secret, user, channels, now: nowSeconds() - age, ttl: 600 });
}

function revoke(user: string, notBefore: number, channels?: string[], id = `revoke-${user}-${notBefore}-${Math.random()}`): Record<string, unknown> {
  return { id, channel: CONTROL_CHANNEL, type: 'revoke', data: { user, notBefore, ...(channels ? { channels } : {}) } };
}

afterEach(async () => {
  for (const socket of open.splice(0)) socket.close();
  await settle(100);
});

describe('revocations on one relay', () => {
  let relay: RelayProcess;
  beforeAll(async () => {
    relay = await startRelayProcess();
  });
  afterAll(async () => {
    await relay?.stop();
  });

  it('ends every session of a cut-off user within a second, on both paths, and leaves other users alone', async () => {
    const user = ['public', 'private-user-42', 'role-author'];
    const lean = await watched(relay.url, tokenFor(relay.secret, '42', user), ['websocket']);
    const polling = await watched(relay.url, tokenFor(relay.secret, '42', user), ['polling']);
    const other = await watched(relay.url, tokenFor(relay.secret, '7', ['public', 'private-user-7', 'role-author']), ['websocket']);

    const sent = Date.now();
    const answer = await postSigned(relay.url, relay.secret, revoke('42', nowSeconds(), undefined, 'cut-42'));
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ accepted: 1, ids: ['cut-42'], duplicates: [] });
    for (const client of [lean, polling]) {
      const revoked = await client.waitForTold('token_revoked');
      const disconnected = await client.waitForTold('disconnect:io server disconnect');
      expect(revoked.payload).toMatchObject({ message: expect.stringMatching(/revoked/) });
      expect(disconnected.at - sent).toBeLessThan(1_000);
    }
    // The other user keeps reading, role channel included; the control event itself reached nobody.
    expect((await postSigned(relay.url, relay.secret, { id: 'after-cut', channel: 'role-author', type: 'note' })).status).toBe(202);
    expect((await other.waitFor(1)).map((event) => event.id)).toEqual(['after-cut']);
    expect(other.told).toEqual([]);
    await settle(200);
    expect(lean.events).toEqual([]);

    // Tokens issued up to that second stop working; one issued after it works.
    const stale = await connectError(relay.url, { auth: { token: tokenFor(relay.secret, '42', user, 1) } });
    expect(stale.data).toMatchObject({ error: 'revoked_token' });
    const fresh = await watched(relay.url, mintToken({ secret: relay.secret, user: '42', channels: user, now: nowSeconds() + 1 }), ['polling']);
    expect(fresh.socket.connected).toBe(true);
    expect(await metricValue(relay.url, 'wp_realtime_rejections_total{reason="revoked_token"}')).toBeGreaterThanOrEqual(1);
    expect(await metricValue(relay.url, 'wp_realtime_revoked_users')).toBeGreaterThanOrEqual(1);
  });

  it('refuses an older token offered by refresh_token on a connection that holds a newer one', async () => {
    const notBefore = nowSeconds() - 2;
    expect((await postSigned(relay.url, relay.secret, revoke('13', notBefore))).status).toBe(202);
    const fresh = await watched(relay.url, mintToken({ secret: relay.secret, user: '13', channels: ['public', 'private-user-13'], now: notBefore + 1 }), ['websocket']);
    const stale = mintToken({ secret: relay.secret, user: '13', channels: ['public', 'private-user-13'], now: notBefore });
    const ack = (await fresh.socket.timeout(2_000).emitWithAck('refresh_token', { token: stale })) as Record<string, unknown>;
    expect(ack).toMatchObject({ ok: false, error: 'revoked_token' });
    // The connection keeps what its own token opens.
    expect((await postSigned(relay.url, relay.secret, { id: 'still-13', channel: 'private-user-13', type: 'note' })).status).toBe(202);
    expect((await fresh.waitFor(1)).map((event) => event.id)).toEqual(['still-13']);
  });

  it('narrows a user who lost a role: out of that channel within a second, still connected, still reading the rest', async () => {
    const channels = ['public', 'private-user-5', 'role-author'];
    const lean = await watched(relay.url, tokenFor(relay.secret, '5', channels), ['websocket']);
    const polling = await watched(relay.url, tokenFor(relay.secret, '5', channels), ['polling']);
    const colleague = await watched(relay.url, tokenFor(relay.secret, '6', ['public', 'role-author']), ['websocket']);

    const sent = Date.now();
    expect((await postSigned(relay.url, relay.secret, revoke('5', nowSeconds(), ['role-author']))).status).toBe(202);
    for (const client of [lean, polling]) {
      const narrowed = await client.waitForTold('channels_revoked');
      expect(narrowed.payload).toEqual({ channels: ['role-author'] });
      expect(narrowed.at - sent).toBeLessThan(1_000);
    }
    await postSigned(relay.url, relay.secret, [
      { id: 'author-news', channel: 'role-author', type: 'note' },
      { id: 'for-5', channel: 'private-user-5', type: 'note' },
    ]);
    for (const client of [lean, polling]) expect((await client.waitFor(1)).map((event) => event.id)).toEqual(['for-5']);
    expect((await colleague.waitFor(1)).map((event) => event.id)).toEqual(['author-news']);
    await settle(200);
    for (const client of [lean, polling]) {
      expect(client.events.map((event) => event.id)).toEqual(['for-5']);
      expect(client.socket.connected).toBe(true);
    }

    // The old token cannot subscribe to it again, nor open it in a handshake, nor bring it back by refresh_token.
    const ack = (await lean.socket.timeout(2_000).emitWithAck('subscribe', { channels: ['role-author'] })) as Record<string, unknown>;
    expect(ack).toMatchObject({ ok: false, error: 'channel_forbidden' });
    const again = await connectError(relay.url, { auth: { token: tokenFor(relay.secret, '5', channels, 2), channels: ['role-author'] } });
    expect(again.data).toMatchObject({ error: 'channel_forbidden' });
    const refreshed = (await polling.socket.timeout(2_000).emitWithAck('refresh_token', { token: tokenFor(relay.secret, '5', channels, 1) })) as Record<string, unknown>;
    expect(refreshed).toEqual({ ok: true, channels: ['public', 'private-user-5'] });
    // A token issued after the change opens the channel again (WordPress lists it only if the role came back).
    const later = mintToken({ secret: relay.secret, user: '5', channels, now: nowSeconds() + 1 });
    const back = (await lean.socket.timeout(2_000).emitWithAck('refresh_token', { token: later })) as Record<string, unknown>;
    expect(back).toMatchObject({ ok: true });
    const resubscribed = (await lean.socket.timeout(2_000).emitWithAck('subscribe', { channels: ['role-author'] })) as Record<string, unknown>;
    expect(resubscribed).toMatchObject({ ok: true, channels: expect.arrayContaining(['role-author']) });
  });

  it('refuses a malformed control event with 400 invalid_revocation naming the field, storing nothing of its batch', async () => {
    const watcher = await watched(relay.url, tokenFor(relay.secret, '9', ['public']), ['websocket']);
    const cases: [unknown, RegExp][] = [
      [revoke('0', nowSeconds()), /^event\.data\.user: /],
      [{ channel: CONTROL_CHANNEL, type: 'revoke', data: { user: '42' } }, /^event\.data\.notBefore: /],
      [revoke('42', nowSeconds() + 3_600), /^event\.data\.notBefore: is more than 300 s ahead/],
      [revoke('42', nowSeconds(), ['bad channel']), /^event\.data\.channels\[0\]: /],
      [{ channel: CONTROL_CHANNEL, type: 'shutdown', data: {} }, /^event\.type: the only control event is "revoke"/],
      [{ ...revoke('42', nowSeconds()), data: { user: '42', notBefore: nowSeconds(), extra: 1 } }, /^event\.data\.extra: /],
      [[{ id: 'innocent', type: 'note' }, revoke('42', nowSeconds(), [])], /^events\[1\]\.data\.channels: /],
    ];
    for (const [body, message] of cases) {
      const answer = await postSigned(relay.url, relay.secret, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error).toBe('invalid_revocation');
      expect(answer.body.message).toMatch(message);
    }
    await settle(200);
    expect(watcher.events).toEqual([]);
    // Unsigned, it is refused like any event, before anything is read.
    const unsigned = await fetch(`${relay.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(revoke('9', nowSeconds())) });
    expect(unsigned.status).toBe(401);
    expect(watcher.socket.connected).toBe(true);
    // A revocation older than the longest token lifetime affects nothing and is accepted (an outbox retry after a long outage).
    expect((await postSigned(relay.url, relay.secret, revoke('9', nowSeconds() - 7_200))).status).toBe(202);
    await settle(200);
    expect(watcher.socket.connected).toBe(true);
  });

  it('in a batch, is applied before the batch\'s events are stored: the cut session gets none of them', async () => {
    const watcher = await watched(relay.url, tokenFor(relay.secret, '11', ['public', 'private-user-11']), ['websocket']);
    const answer = await postSigned(relay.url, relay.secret, [
      { id: 'b-1', channel: 'private-user-11', type: 'note' },
      revoke('11', nowSeconds(), undefined, 'b-cut'),
      { id: 'b-2', channel: 'public', type: 'note' },
    ]);
    expect(answer.body).toMatchObject({ accepted: 3, ids: ['b-1', 'b-cut', 'b-2'] });
    await watcher.waitForTold('disconnect:io server disconnect');
    // The cut is applied before the batch's events are stored: the revoked session gets neither.
    expect(watcher.events).toEqual([]);
  });
});

describe('revocations across relays sharing Redis', () => {
  let redis: RedisServer;
  let a: RelayProcess;
  let b: RelayProcess;
  beforeAll(async () => {
    redis = await startRedisServer();
    [a, b] = (await startRedisRelays(redis.url, 2)) as [RelayProcess, RelayProcess];
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.dispose();
  });

  it('a revocation posted to one relay ends and narrows sessions on the other within a second', async () => {
    const cutOnB = await watched(b.url, tokenFor(b.secret, '21', ['public', 'private-user-21']), ['websocket']);
    const cutOnA = await watched(a.url, tokenFor(a.secret, '21', ['public', 'private-user-21']), ['polling']);
    const demotedOnB = await watched(b.url, tokenFor(b.secret, '22', ['public', 'role-author']), ['polling']);
    const sent = Date.now();
    expect((await postSigned(a.url, a.secret, [revoke('21', nowSeconds()), revoke('22', nowSeconds(), ['role-author'])])).status).toBe(202);
    for (const client of [cutOnA, cutOnB]) expect((await client.waitForTold('disconnect:io server disconnect')).at - sent).toBeLessThan(1_000);
    expect((await demotedOnB.waitForTold('channels_revoked')).at - sent).toBeLessThan(1_000);
    expect(demotedOnB.socket.connected).toBe(true);
    // Each relay refuses the old tokens at the handshake.
    for (const relay of [a, b]) {
      expect((await connectError(relay.url, { auth: { token: tokenFor(a.secret, '21', ['public'], 1) } })).data).toMatchObject({ error: 'revoked_token' });
    }
  });

  it('a relay started after the revocation refuses the old token too (it loads the revocation keys)', async () => {
    const notBefore = nowSeconds();
    expect((await postSigned(a.url, a.secret, revoke('31', notBefore))).status).toBe(202);
    const [late] = (await startRedisRelays(redis.url, 1)) as [RelayProcess];
    try {
      // startRedisRelays uses a new secret: mint with the late relay's.
      const lateSecretToken = mintToken({ secret: late.secret, user: '31', channels: ['public'], now: notBefore });
      // Same Redis, other secret: the revocation is by user and time, not by secret.
      expect((await connectError(late.url, { auth: { token: lateSecretToken } })).data).toMatchObject({ error: 'revoked_token' });
      expect((await watched(late.url, tokenFor(late.secret, '32', ['public'], 1), ['websocket'])).socket.connected).toBe(true);
    } finally {
      await late.stop();
    }
  });
});

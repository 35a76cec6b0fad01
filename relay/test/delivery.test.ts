/** Delivery, channel isolation, tokens and replay through a real relay process and real socket.io clients. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { mintToken } from '../../protocol/index.js';
import { clientPool, collect, connectError, postSigned, settle } from './support/clients.js';
import { type RelayProcess, startRelayProcess } from './support/relay-process.js';

let relay: RelayProcess;
const pool = clientPool(() => relay.url);
const client = pool.connect;
const open = pool.open;

beforeAll(async () => {
  relay = await startRelayProcess(['--history', '5']);
});
afterAll(async () => {
  pool.closeAll();
  expect(await relay.stop()).toBe(0);
});

describe('delivery', () => {
  it('delivers a public event to a plain client written for the original recipe', async () => {
    // The recipe's browser code: io(url) with default transports, then socket.on('custom_event').
    const socket = io(relay.url, { forceNew: true, reconnection: false });
    const plain = collect(socket);
    open.push(plain);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const posted = await postSigned(relay.url, relay.secret, { type: 'user_action', data: { action: 'triggered_event' } });
    expect(posted.status).toBe(202);
    const [event] = await plain.waitFor(1);
    expect(event).toMatchObject({ channel: 'public', type: 'user_action', data: { action: 'triggered_event' } });
    expect(event?.id).toBe((posted.body.ids as string[])[0]);
    expect(new Date(event?.time ?? '').toISOString()).toBe(event?.time);
  });

  it('answers 202 with the ids of a batch, in order, and delivers each once', async () => {
    const c = await client();
    const posted = await postSigned(relay.url, relay.secret, [
      { id: 'batch-1', type: 'a' },
      { id: 'batch-2', type: 'b', data: { n: 2 } },
    ]);
    expect(posted.status).toBe(202);
    expect(posted.body).toMatchObject({ accepted: 2, ids: ['batch-1', 'batch-2'] });
    const events = await c.waitFor(2);
    expect(events.map((e) => e.id)).toEqual(['batch-1', 'batch-2']);
    await settle();
    expect(c.events).toHaveLength(2);
  });

  it('accepts a repeated id without broadcasting it again', async () => {
    const c = await client();
    expect((await postSigned(relay.url, relay.secret, { id: 'dup-1', type: 'x' })).status).toBe(202);
    const again = await postSigned(relay.url, relay.secret, { id: 'dup-1', type: 'x' });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ accepted: 1, ids: ['dup-1'], duplicates: ['dup-1'] });
    await c.waitFor(1);
    await settle();
    expect(c.events.map((e) => e.id)).toEqual(['dup-1']);
  });
});

describe('channels and tokens', () => {
  it('never delivers a private event to a client whose token does not list the channel', async () => {
    const alice = await client({ auth: { token: mintToken({ secret: relay.secret, user: '1', channels: ['public', 'private-user-1'] }) } });
    const bob = await client({ auth: { token: mintToken({ secret: relay.secret, user: '2', channels: ['public', 'private-user-2'] }) } });
    const anonymous = await client();
    await postSigned(relay.url, relay.secret, { id: 'for-alice', channel: 'private-user-1', type: 'secret.note' });
    await postSigned(relay.url, relay.secret, { id: 'for-all', type: 'note' });
    await alice.waitFor(2);
    await bob.waitFor(1);
    await anonymous.waitFor(1);
    await settle();
    expect(alice.events.map((e) => e.id)).toEqual(['for-alice', 'for-all']);
    expect(bob.events.map((e) => e.id)).toEqual(['for-all']);
    expect(anonymous.events.map((e) => e.id)).toEqual(['for-all']);
  });

  it('lets anyone read public-* channels by asking for them', async () => {
    const c = await client({ auth: { channels: ['public-news'] } });
    await postSigned(relay.url, relay.secret, { id: 'news-1', channel: 'public-news', type: 'news' });
    await postSigned(relay.url, relay.secret, { id: 'not-news', type: 'news' });
    await c.waitFor(1);
    await settle();
    expect(c.events.map((e) => e.id)).toEqual(['news-1']);
  });

  it('subscribes at run time only to channels the token allows', async () => {
    const c = await client({ auth: { token: mintToken({ secret: relay.secret, user: '5', channels: ['role-editor'] }) } });
    const refused = await c.socket.emitWithAck('subscribe', { channels: ['role-administrator'] });
    expect(refused).toMatchObject({ ok: false, error: 'channel_forbidden' });
    const invalid = await c.socket.emitWithAck('subscribe', { channels: ['bad name!'] });
    expect(invalid).toMatchObject({ ok: false, error: 'invalid_channels' });
    const left = await c.socket.emitWithAck('unsubscribe', { channels: ['public'] });
    expect(left).toEqual({ ok: true, channels: ['role-editor'] });
    await postSigned(relay.url, relay.secret, { id: 'public-after-leave', type: 'x' });
    await postSigned(relay.url, relay.secret, { id: 'to-editors', channel: 'role-editor', type: 'x' });
    await c.waitFor(1);
    await settle();
    expect(c.events.map((e) => e.id)).toEqual(['to-editors']);
  });

  it.each([
    ['an expired token', () => mintToken({ secret: relay.secret, channels: ['public'], ttl: 60, now: Math.floor(Date.now() / 1000) - 120 }), 'expired_token'],
    ['a token signed with another secret', () => mintToken({ secret: 'another-secret-that-is-long-enough-0000', channels: ['public'] }), 'invalid_token'],
    ['a tampered token', () => {
      const [prefix, , signature] = mintToken({ secret: relay.secret, user: '3', channels: ['public'] }).split('.');
      const claims = Buffer.from(JSON.stringify({ sub: '3', ch: ['public', 'private-user-1'], iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
      return `${prefix}.${claims}.${signature}`;
    }, 'invalid_token'],
    ['garbage', () => 'not-a-token', 'invalid_token'],
  ])('refuses the connection with %s', async (_name, token, code) => {
    const error = await connectError(relay.url, { auth: { token: token() } });
    expect(error.data).toMatchObject({ error: code });
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('refuses a handshake that asks for a channel its token does not list', async () => {
    const token = mintToken({ secret: relay.secret, user: '9', channels: ['public', 'private-user-9'] });
    const error = await connectError(relay.url, { auth: { token, channels: ['private-user-1'] } });
    expect(error.data).toMatchObject({ error: 'channel_forbidden' });
    expect(error.message).toContain('private-user-1');
    const anonymous = await connectError(relay.url, { auth: { channels: ['private-user-9'] } });
    expect(anonymous.data).toMatchObject({ error: 'channel_forbidden' });
  });

  it('refuses a malformed handshake with a message naming the field', async () => {
    const error = await connectError(relay.url, { auth: { lastEventId: 'no spaces allowed' } });
    expect(error.data).toMatchObject({ error: 'invalid_handshake' });
    expect(error.message).toContain('auth.lastEventId');
  });
});

describe('replay', () => {
  it('replays what a client missed, in order, then live events, with no duplicates', async () => {
    const token = mintToken({ secret: relay.secret, user: '11', channels: ['public', 'private-user-11'] });
    const first = await client({ auth: { token } });
    await postSigned(relay.url, relay.secret, { id: 'r-1', type: 'x' });
    await first.waitFor(1);
    first.close();

    await postSigned(relay.url, relay.secret, { id: 'r-2', channel: 'private-user-11', type: 'x' });
    await postSigned(relay.url, relay.secret, { id: 'r-other', channel: 'private-user-12', type: 'x' });
    await postSigned(relay.url, relay.secret, { id: 'r-3', type: 'x' });

    const again = await client({ auth: { token, lastEventId: 'r-1' } });
    await again.waitFor(2);
    await postSigned(relay.url, relay.secret, { id: 'r-4', type: 'x' });
    await again.waitFor(3);
    await settle();
    expect(again.events.map((e) => e.id)).toEqual(['r-2', 'r-3', 'r-4']);
    expect(again.gaps).toEqual([]);
  });

  it('tells the client with replay_gap when its last id has left history (--history 5)', async () => {
    const first = await client();
    await postSigned(relay.url, relay.secret, { id: 'gap-0', type: 'x' });
    await first.waitFor(1);
    first.close();
    for (let i = 1; i <= 6; i++) await postSigned(relay.url, relay.secret, { id: `gap-${i}`, type: 'x' });

    const socket = io(relay.url, { forceNew: true, reconnection: false, transports: ['websocket'], auth: { lastEventId: 'gap-0' } });
    const order: string[] = [];
    socket.on('replay_gap', (gap: { lastEventId: string }) => order.push(`gap:${gap.lastEventId}`));
    socket.on('custom_event', (event: { id: string }) => order.push(event.id));
    const again = collect(socket);
    open.push(again);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await postSigned(relay.url, relay.secret, { id: 'gap-live', type: 'x' });
    await again.waitFor(1);
    expect(order[0]).toBe('gap:gap-0');
    expect(order).toContain('gap-live');
  });
});

/**
 * The Pusher protocol front-end (relay/pusher/) through a real relay process started by the CLI with
 * --pusher-app-id/--pusher-key/--pusher-secret: pusher-js 8 (its Node build, over WebSocket) as the browser, the
 * `pusher` Node SDK 5 as the server, and socket.io clients beside them on the same channels.
 */
import { createHash, createHmac } from 'node:crypto';
import Pusher from 'pusher';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type EventEnvelope } from '../../protocol/index.js';
import { connect, postSigned, settle, type TestClient } from './support/clients.js';
import { startRedisRelays } from './support/cluster.js';
import { APP, browser, connected, portOf, PUSHER_FLAGS, PusherClient, type Received, server, subscribed, until } from './support/pusher-clients.js';
import { freePort, startRedisServer } from './support/redis-server.js';
import { type RelayProcess, startRelayProcess } from './support/relay-process.js';

describe('Pusher protocol front-end', () => {
  let relay: RelayProcess;
  const clients: PusherClient[] = [];
  const sockets: TestClient[] = [];
  const open = (client: PusherClient): PusherClient => (clients.push(client), client);

  beforeAll(async () => {
    relay = await startRelayProcess(PUSHER_FLAGS);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
    for (const socket of sockets.splice(0)) socket.socket.close();
  });
  afterAll(async () => {
    expect(await relay.stop()).toBe(0);
  });

  it('delivers wp-realtime events to pusher-js and socket.io clients alike, in the same order', async () => {
    const pusherSeen: Received[] = [];
    const client = open(browser(relay.url));
    await connected(client);
    await subscribed(client, 'public', pusherSeen);
    const socket = await connect(relay.url);
    sockets.push(socket);

    const events = Array.from({ length: 20 }, (_, i) => ({ id: `mix-${i}`, type: i % 2 ? 'post.published' : 'comment.approved', data: { i } }));
    for (let i = 0; i < events.length; i += 5) expect((await postSigned(relay.url, relay.secret, events.slice(i, i + 5))).status).toBe(202);
    await until(() => pusherSeen.length >= 20 && socket.events.length >= 20);
    expect(pusherSeen.map((e) => (e.data as { i: number }).i)).toEqual(events.map((e) => e.data.i));
    expect(pusherSeen.map((e) => e.event)).toEqual(events.map((e) => e.type));
    expect(socket.events.map((e: EventEnvelope) => e.id)).toEqual(events.map((e) => e.id));
  });

  it("publishes through Pusher's HTTP API (trigger, triggerBatch) as wp-realtime events: both kinds of client get them", async () => {
    const pusherSeen: Received[] = [];
    const client = open(browser(relay.url));
    await connected(client);
    await subscribed(client, 'public-news', pusherSeen);
    const socket = await connect(relay.url, { auth: { channels: ['public-news'] } });
    sockets.push(socket);

    const sdk = server(relay.url);
    expect((await sdk.trigger('public-news', 'App\\Events\\OrderShipped', { order: 7 })).status).toBe(200);
    expect((await sdk.trigger('public-news', 'plain', 'just text')).status).toBe(200);
    expect((await sdk.triggerBatch([{ channel: 'public-news', name: 'batch-1', data: { n: 1 } }, { channel: 'public-news', name: 'batch-2', data: { n: 2 } }])).status).toBe(200);
    await until(() => pusherSeen.length >= 4 && socket.events.length >= 4);
    expect(pusherSeen).toEqual([
      { channel: 'public-news', event: 'App\\Events\\OrderShipped', data: { order: 7 } },
      { channel: 'public-news', event: 'plain', data: 'just text' },
      { channel: 'public-news', event: 'batch-1', data: { n: 1 } },
      { channel: 'public-news', event: 'batch-2', data: { n: 2 } },
    ]);
    expect(socket.events.map((e: EventEnvelope) => [e.type, e.data])).toEqual([
      ['App\\Events\\OrderShipped', { order: 7 }],
      ['plain', { pusher_data: 'just text' }],
      ['batch-1', { n: 1 }],
      ['batch-2', { n: 2 }],
    ]);
  });

  it("leaves out the connection named by socket_id (the sender's own: Laravel's toOthers()), and only it", async () => {
    const sender: Received[] = [];
    const others: Received[] = [];
    const a = open(browser(relay.url));
    const b = open(browser(relay.url));
    await Promise.all([connected(a), connected(b)]);
    await Promise.all([subscribed(a, 'public-chat', sender), subscribed(b, 'public-chat', others)]);
    const socket = await connect(relay.url, { auth: { channels: ['public-chat'] } });
    sockets.push(socket);
    const sdk = server(relay.url);
    expect((await sdk.trigger('public-chat', 'said', { text: 'hi' }, { socket_id: a.connection.socket_id })).status).toBe(200);
    expect((await sdk.triggerBatch([{ channel: 'public-chat', name: 'said', data: { text: 'batch' }, socket_id: b.connection.socket_id }])).status).toBe(200);
    await until(() => others.length >= 1 && sender.length >= 1 && socket.events.length >= 2);
    await settle(200);
    expect(sender.map((e) => (e.data as { text: string }).text)).toEqual(['batch']);
    expect(others.map((e) => (e.data as { text: string }).text)).toEqual(['hi']);
    expect(socket.events.map((e: EventEnvelope) => e.data['text'])).toEqual(['hi', 'batch']);
    // The SDK checks socket ids itself; the relay does too (a raw request).
    const body = JSON.stringify({ name: 'said', data: '{}', channels: ['public-chat'], socket_id: 'nope' });
    const refused = await fetch(`${relay.url}${signedPath('POST', `/apps/${APP.id}/events`, body)}`, { method: 'POST', body });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/socket_id/);
  });

  it('a Pusher API request sent twice is broadcast once (its events get ids derived from the signed request)', async () => {
    const seen: Received[] = [];
    const client = open(browser(relay.url));
    await connected(client);
    await subscribed(client, 'public-replay', seen);
    const body = JSON.stringify({ name: 'once', data: '{"x":1}', channels: ['public-replay'] });
    const url = `${relay.url}${signedPath('POST', `/apps/${APP.id}/events`, body)}`;
    for (let i = 0; i < 2; i++) expect((await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(200);
    await settle(300);
    expect(seen).toEqual([{ channel: 'public-replay', event: 'once', data: { x: 1 } }]);
  });

  it('private channels need an authorization for this socket; other non-public names are refused', async () => {
    const seen: Received[] = [];
    const client = open(browser(relay.url));
    await connected(client);
    await subscribed(client, 'private-user-7', seen);
    expect((await postSigned(relay.url, relay.secret, { channel: 'private-user-7', type: 'note', data: { secret: 1 } })).status).toBe(202);
    await until(() => seen.length === 1);
    expect(seen[0]).toEqual({ channel: 'private-user-7', event: 'note', data: { secret: 1 } });

    // An authorization made for another socket, and one made with another secret, are refused (401).
    const stolen = open(browser(relay.url, APP.key, (_socketId, channel) => server(relay.url).authorizeChannel('1.1', channel)));
    await connected(stolen);
    await expect(subscribed(stolen, 'private-user-7', [])).rejects.toMatchObject({ detail: { status: 401 } });
    const forged = open(browser(relay.url, APP.key, (socketId, channel) => server(relay.url, 'another-secret-0123456789').authorizeChannel(socketId, channel)));
    await connected(forged);
    await expect(subscribed(forged, 'private-user-7', [])).rejects.toMatchObject({ detail: { status: 401 } });
    // wp-realtime's role-* channels are private but carry no private- prefix: pusher-js sends no auth, so no access.
    await expect(subscribed(forged, 'role-administrator', [])).rejects.toMatchObject({ detail: { status: 403 } });
  });

  it('answers HTTP API errors as Pusher does: 401 for a bad signature or a stale timestamp, 404 for an unknown app, 400 for bad input', async () => {
    await expect(server(relay.url, 'wrong-secret-0123456789').trigger('public', 'x', {})).rejects.toMatchObject({ status: 401 });
    const wrongApp = new Pusher({ appId: 'nope', key: APP.key, secret: APP.secret, host: '127.0.0.1', port: String(portOf(relay.url)), useTLS: false });
    await expect(wrongApp.trigger('public', 'x', {})).rejects.toMatchObject({ status: 404 });
    await expect(server(relay.url).trigger('public', 'pusher:fake', {})).rejects.toMatchObject({ status: 400 });
    await expect(server(relay.url).trigger('room=1', 'x', {})).rejects.toMatchObject({ status: 400 });
    const body = JSON.stringify({ name: 'late', data: '{}', channels: ['public'] });
    const stale = await fetch(`${relay.url}${signedPath('POST', `/apps/${APP.id}/events`, body, Math.floor(Date.now() / 1000) - 700)}`, { method: 'POST', body });
    expect(stale.status).toBe(401);
    expect(await stale.text()).toMatch(/Timestamp expired/);
  });

  it('reports occupied channels and subscription counts', async () => {
    const client = open(browser(relay.url));
    await connected(client);
    await subscribed(client, 'public-room-a', []);
    const socket = await connect(relay.url, { auth: { channels: ['public-room-a'] } });
    sockets.push(socket);
    const sdk = server(relay.url);
    const list = (await (await sdk.get({ path: '/channels', params: { filter_by_prefix: 'public-room', info: 'subscription_count' } })).json()) as unknown;
    expect(list).toEqual({ channels: { 'public-room-a': { subscription_count: 2 } } });
    const one = (await (await sdk.get({ path: '/channels/public-room-a', params: { info: 'subscription_count' } })).json()) as unknown;
    expect(one).toEqual({ occupied: true, subscription_count: 2 });
  });

  it('speaks the protocol to a raw WebSocket: ping/pong, errors for bad messages, a forged presence authorization, client events while disabled, old protocol versions', async () => {
    const ws = new WebSocket(`${relay.url.replace('http', 'ws')}/app/${APP.key}?protocol=7`);
    const frames: { event: string; channel?: string; data: unknown }[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as (typeof frames)[number]));
    await until(() => frames.length === 1);
    expect(frames[0]?.event).toBe('pusher:connection_established');
    expect(JSON.parse(frames[0]?.data as string)).toMatchObject({ socket_id: expect.stringMatching(/^\d+\.\d+$/), activity_timeout: 120 });
    const send = async (message: unknown): Promise<(typeof frames)[number]> => {
      const before = frames.length;
      ws.send(typeof message === 'string' ? message : JSON.stringify(message));
      await until(() => frames.length > before);
      return frames[before] as (typeof frames)[number];
    };
    expect(await send({ event: 'pusher:ping', data: {} })).toEqual({ event: 'pusher:pong', data: {} });
    expect(await send('not json')).toEqual({ event: 'pusher:error', data: { code: null, message: 'message is not JSON' } });
    expect(await send({ event: 'pusher:subscribe', data: { channel: 'presence-room', auth: `${APP.key}:00`, channel_data: '{"user_id":"1"}' } })).toMatchObject({
      event: 'pusher:subscription_error',
      channel: 'presence-room',
      data: { type: 'AuthError', status: 401, error: expect.stringMatching(/socket_id:channel:channel_data/) },
    });
    expect(await send({ event: 'client-typing', channel: 'private-user-7', data: {} })).toMatchObject({ event: 'pusher:error', data: { code: null, message: expect.stringMatching(/client-typing was not sent/) } });
    expect(await send({ event: 'pusher:subscribe', data: { channel: 'public' } })).toEqual({ event: 'pusher_internal:subscription_succeeded', channel: 'public', data: '{}' });
    ws.close();

    const old = new WebSocket(`${relay.url.replace('http', 'ws')}/app/${APP.key}?protocol=4`);
    const closed = await new Promise<number>((resolve) => old.once('close', (code) => resolve(code)));
    expect(closed).toBe(4007);
  });

  it('an unknown app key gets pusher:error 4001 and pusher-js does not reconnect', async () => {
    const client = open(browser(relay.url, 'no-such-key'));
    // pusher-js reports a refusal as { type: 'WebSocketError', error: { type: 'PusherError', data: { code, message } } }.
    const errors: { error?: { data?: { code?: number; message?: string } } }[] = [];
    client.connection.bind('error', (error: (typeof errors)[number]) => errors.push(error));
    await until(() => errors.some((error) => error.error?.data?.code === 4001));
    expect(errors[0]?.error?.data?.message).toMatch(/App key no-such-key/);
    await until(() => ['failed', 'disconnected', 'unavailable'].includes(client.connection.state));
  });
});

describe('Pusher front-end on two relays sharing Redis', () => {
  it('an event triggered through the Pusher API on one relay reaches pusher-js and socket.io clients on the other, once, in order', async () => {
    const redis = await startRedisServer();
    const [a, b] = (await startRedisRelays(redis.url, 2, PUSHER_FLAGS)) as [RelayProcess, RelayProcess];
    const client = browser(b.url);
    const seen: Received[] = [];
    let socket: TestClient | undefined;
    try {
      await connected(client);
      await subscribed(client, 'public-shared', seen);
      socket = await connect(b.url, { auth: { channels: ['public-shared'] } });
      const other = browser(b.url);
      const otherSeen: Received[] = [];
      await connected(other);
      await subscribed(other, 'public-shared', otherSeen);
      for (let i = 0; i < 10; i++) expect((await server(a.url).trigger('public-shared', 'tick', { i }, i === 9 ? { socket_id: other.connection.socket_id } : {})).status).toBe(200);
      await until(() => seen.length >= 10 && (socket?.events.length ?? 0) >= 10 && otherSeen.length >= 9);
      await settle(300);
      other.disconnect();
      expect(seen.map((e) => (e.data as { i: number }).i)).toEqual([...Array(10).keys()]);
      // socket_id crosses relays with the event (the shared log), so the excluded socket on relay b misses only its own.
      expect(otherSeen.map((e) => (e.data as { i: number }).i)).toEqual([...Array(9).keys()]);
      expect(socket.events.map((e: EventEnvelope) => e.data['i'])).toEqual([...Array(10).keys()]);
    } finally {
      client.disconnect();
      socket?.socket.close();
      await Promise.all([a.stop(), b.stop()]);
      await redis.dispose();
    }
  }, 30_000);
});

describe('Pusher clients across a relay restart', () => {
  it('a restart (SIGTERM) looks like a transport loss: pusher-js reconnects by itself and re-subscribes', async () => {
    const port = await freePort();
    let relay = await startRelayProcess([...PUSHER_FLAGS, '--port', String(port)]);
    const seen: Received[] = [];
    const client = browser(relay.url);
    try {
      await connected(client);
      await subscribed(client, 'public', seen);
      const firstSocket = client.connection.socket_id;
      expect(await relay.stop()).toBe(0);
      relay = await startRelayProcess([...PUSHER_FLAGS, '--port', String(port)], relay.secret);
      const states: string[] = [];
      client.connection.bind('state_change', ({ current }: { current: string }) => states.push(`${Date.now() % 100000}:${current}`));
      // 4200 makes pusher-js retry at once; if that attempt finds the port closed (the new process is still starting),
      // pusher-js's Node build only notices after its 15 s connect timeout (a browser's WebSocket fails at once).
      await until(() => client.connection.state === 'connected' && client.connection.socket_id !== firstSocket, 20_000).catch((error: unknown) => {
        throw new Error(`${String(error)}; states ${states.join(' ')}`);
      });
      await until(() => client.channel('public')?.subscribed === true, 5_000);
      await settle(200);
      expect((await postSigned(relay.url, relay.secret, { type: 'after.restart', data: {} })).status).toBe(202);
      await until(() => seen.length === 1);
      expect(seen[0]?.event).toBe('after.restart');
    } finally {
      client.disconnect();
      await relay.stop();
    }
  }, 40_000);

  it('refuses incomplete Pusher credentials at start-up (exit 2, naming the flags)', async () => {
    await expect(startRelayProcess(['--pusher-key', 'k'])).rejects.toThrow(/--pusher-app-id, --pusher-key and --pusher-secret together/);
  });
});

/** A Pusher-signed path with query, built by hand as the SDKs build it (to send one request twice, or stale). */
function signedPath(method: string, path: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const params = [`auth_key=${APP.key}`, `auth_timestamp=${timestamp}`, 'auth_version=1.0', `body_md5=${createHash('md5').update(body).digest('hex')}`].sort();
  const query = params.join('&');
  const signature = createHmac('sha256', APP.secret).update(`${method}\n${path}\n${query}`).digest('hex');
  return `${path}?${query}&auth_signature=${signature}`;
}

/**
 * Issue 15 on the relay, with real clients against a real relay process: pusher-js presence channels (Pusher's
 * channel_data authorization, subscription_succeeded with the member list, member_added / member_removed) shared
 * with socket.io members, client events under the relay's one client-event rule, pusher:signin, the server's
 * terminate_connections, and the HTTP API's presence routes and counts; then the same across two relays on Redis.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type EventEnvelope, mintToken } from '../../protocol/index.js';
import { channelAuthorization } from '../pusher/signatures.js';
import { connect, postSigned, settle, type TestClient } from './support/clients.js';
import { startRedisRelays } from './support/cluster.js';
import { type PresenceClient, presenceClient, presenceToken } from './support/presence-clients.js';
import {
  APP,
  browser,
  connected,
  presenceAuthorizer,
  PUSHER_FLAGS,
  type PusherClient,
  type Received,
  server,
  subscribed,
  until,
  untilAnswer,
  userAuthenticator,
} from './support/pusher-clients.js';
import { startRedisServer } from './support/redis-server.js';
import { type RelayProcess, startRelayProcess } from './support/relay-process.js';

const ROOM = 'presence-room-1';
const FLAGS = [...PUSHER_FLAGS, '--client-events', 'presence-*', 'private-chat-*', '--client-event-rate', '5', '--max-presence-members', '4'];

interface MemberLike {
  id: string;
  info: unknown;
}

/** pusher-js's own view of a presence channel: its members object, and the member events it emitted, in order. */
function membersOf(client: PusherClient, channel: string): { ids(): string[]; info(id: string): unknown; me(): unknown; log: string[] } {
  const log: string[] = [];
  const subscription = client.channel(channel) ?? client.subscribe(channel);
  subscription.bind('pusher:member_added', (member: MemberLike) => log.push(`added:${member.id}`));
  subscription.bind('pusher:member_removed', (member: MemberLike) => log.push(`removed:${member.id}`));
  const members = (subscription as unknown as { members: { each(f: (m: MemberLike) => void): void; get(id: string): MemberLike | null; me: MemberLike | null } }).members;
  return {
    ids() {
      const ids: string[] = [];
      members.each((member) => ids.push(member.id));
      return ids.sort();
    },
    info: (id) => members.get(id)?.info,
    me: () => members.me,
    log,
  };
}

/** pusher-js emits a pusher:error as { type: 'PusherError', data }, or wrapped in a WebSocketError while connecting. */
type PusherJsError = { data?: { code?: number }; error?: { data?: { code?: number } } };
function errorCode(error: PusherJsError): number {
  return error.data?.code ?? error.error?.data?.code ?? -1;
}

/** pusher-js's sign-in (userAuthentication, then pusher:signin), resolved once the relay said signin_success. */
async function signedIn(client: PusherClient): Promise<void> {
  client.signin();
  await client.user.signinDonePromise;
  if (client.user.user_data === null) throw new Error('sign-in failed');
}

function clientEventsOf(socket: TestClient, name: string): unknown[] {
  const seen: unknown[] = [];
  socket.socket.on(name, (payload: unknown) => seen.push(payload));
  return seen;
}

/** A raw Pusher WebSocket (to send what pusher-js never sends), with the frames it got. */
async function rawPusher(url: string): Promise<{ ws: WebSocket; socketId: string; frames: { event: string; channel?: string; data: unknown }[]; closed: Promise<number> }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/app/${APP.key}?protocol=7`);
  const frames: { event: string; channel?: string; data: unknown }[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as (typeof frames)[number]));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await until(() => frames.length === 1);
  return { ws, socketId: (JSON.parse(frames[0]?.data as string) as { socket_id: string }).socket_id, frames, closed };
}

describe('Pusher presence, client events, sign-in and termination on one relay', () => {
  let relay: RelayProcess;
  const clients: PusherClient[] = [];
  const sockets: { close(): void }[] = [];
  const open = (client: PusherClient): PusherClient => (clients.push(client), client);

  async function socketIoMember(user: string, channels: string[], name = `User ${user}`): Promise<PresenceClient> {
    const client = await presenceClient(relay.url, presenceToken(relay.secret, user, channels, { name }));
    sockets.push(client.socket);
    return client;
  }

  beforeAll(async () => {
    relay = await startRelayProcess(FLAGS);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    for (const socket of sockets.splice(0)) socket.close();
    await settle(200);
  });
  afterAll(async () => {
    expect(await relay.stop()).toBe(0);
  });

  it('pusher-js and socket.io members of one presence channel see each other: list on join, member_added, member_removed', async () => {
    const ana = open(browser(relay.url, APP.key, presenceAuthorizer(relay.url, '1', { name: 'Ana', avatar: 'https://example.com/ana.png' })));
    await connected(ana);
    const anaView = membersOf(ana, ROOM);
    await subscribed(ana, ROOM, []);
    expect(anaView.ids()).toEqual(['1']);
    expect(anaView.me()).toMatchObject({ id: '1', info: { name: 'Ana', avatar: 'https://example.com/ana.png' } });

    // A socket.io member (token info) and a second pusher-js member (a number user_id, as Laravel sends it).
    const bob = await socketIoMember('2', ['public', ROOM], 'Bob');
    await bob.waitForMembers(ROOM, ['1', '2']);
    expect(bob.lists.get(ROOM)?.get('1')).toEqual({ id: '1', name: 'Ana', avatar: 'https://example.com/ana.png' });
    const cy = open(browser(relay.url, APP.key, (socketId, channel) => server(relay.url).authorizeChannel(socketId, channel, { user_id: 3 as unknown as string, user_info: { name: 'Cy' } })));
    await connected(cy);
    const cyView = membersOf(cy, ROOM);
    await subscribed(cy, ROOM, []);
    expect(cyView.ids()).toEqual(['1', '2', '3']);
    expect(cyView.info('2')).toEqual({ name: 'Bob' });
    await until(() => anaView.ids().length === 3);
    expect(anaView.log).toEqual(['added:2', 'added:3']);
    await bob.waitForMembers(ROOM, ['1', '2', '3']);

    // A second tab of Ana is no news; closing it removes nobody; her last tab leaving is one member_removed.
    const anaTab2 = open(browser(relay.url, APP.key, presenceAuthorizer(relay.url, '1', { name: 'Ana', avatar: 'https://example.com/ana.png' })));
    await connected(anaTab2);
    await subscribed(anaTab2, ROOM, []);
    anaTab2.disconnect();
    await settle(300);
    expect(cyView.log).toEqual([]);
    ana.unsubscribe(ROOM);
    await until(() => cyView.log.length === 1);
    expect(cyView.log).toEqual(['removed:1']);
    await bob.waitForMembers(ROOM, ['2', '3']);
    expect(bob.log.filter((entry) => entry.event !== 'presence_state').map((entry) => `${entry.event}:${entry.id}`)).toEqual(['member_added:3', 'member_removed:1']);
    bob.socket.close();
    await until(() => cyView.ids().join() === '3');
    expect(cyView.log).toEqual(['removed:1', 'removed:2']);
  });

  it('refuses presence authorizations that are forged, for another socket, or carry member info beyond name and avatar', async () => {
    const raw = await rawPusher(relay.url);
    const send = async (message: unknown): Promise<{ event: string; channel?: string; data: unknown }> => {
      const before = raw.frames.length;
      raw.ws.send(JSON.stringify(message));
      await until(() => raw.frames.length > before);
      return raw.frames[before] as { event: string; data: unknown };
    };
    const app = APP;
    const subscribe = (channelData: string, socketId = raw.socketId, secret = app.secret) =>
      send({ event: 'pusher:subscribe', data: { channel: ROOM, channel_data: channelData, auth: channelAuthorization({ ...app, secret }, socketId, ROOM, channelData) } });
    const member = JSON.stringify({ user_id: '9', user_info: { name: 'Nine' } });
    expect(await subscribe(member, '1.1')).toMatchObject({ event: 'pusher:subscription_error', data: { status: 401 } });
    expect(await subscribe(member, raw.socketId, 'another-secret-0123456789')).toMatchObject({ event: 'pusher:subscription_error', data: { status: 401 } });
    // Signed, but the channel_data sent is not the one signed.
    expect(
      await send({ event: 'pusher:subscribe', data: { channel: ROOM, channel_data: JSON.stringify({ user_id: '10', user_info: { name: 'Nine' } }), auth: channelAuthorization(app, raw.socketId, ROOM, member) } }),
    ).toMatchObject({ data: { status: 401 } });
    expect(await subscribe(JSON.stringify({ user_id: '9', user_info: { name: 'Nine', email: 'nine@example.com' } }))).toMatchObject({
      data: { status: 400, error: expect.stringMatching(/user_info carries only name and avatar/) },
    });
    expect(await subscribe(JSON.stringify({ user_id: '9' }))).toMatchObject({ data: { status: 400, error: expect.stringMatching(/user_info/) } });
    expect(await subscribe(JSON.stringify({ user_id: '0', user_info: { name: 'Guest' } }))).toMatchObject({ data: { status: 400, error: expect.stringMatching(/anonymous/) } });
    expect(await subscribe(JSON.stringify({ user_id: 'a b', user_info: { name: 'X' } }))).toMatchObject({ data: { status: 400, error: expect.stringMatching(/user id/) } });
    // Signed but over the bound (2,048 bytes): refused before it is parsed.
    expect(await subscribe(JSON.stringify({ user_id: '9', user_info: { name: 'Nine' }, pad: 'p'.repeat(3_000) }))).toMatchObject({
      data: { status: 400, error: expect.stringMatching(/at most 2048 bytes/) },
    });
    const accepted = await subscribe(member);
    expect(accepted).toEqual({
      event: 'pusher_internal:subscription_succeeded',
      channel: ROOM,
      data: JSON.stringify({ presence: { ids: ['9'], hash: { '9': { name: 'Nine' } }, count: 1 } }),
    });
    // A repeated subscription is confirmed again with the list as it is now.
    expect(await subscribe(member)).toEqual(accepted);
    raw.ws.close();
  });

  it('refuses a new member once the presence channel is full (--max-presence-members)', async () => {
    const room = 'presence-full';
    for (const id of ['1', '2', '3', '4']) {
      const member = open(browser(relay.url, APP.key, presenceAuthorizer(relay.url, id)));
      await connected(member);
      await subscribed(member, room, []);
    }
    const late = open(browser(relay.url, APP.key, presenceAuthorizer(relay.url, '5')));
    await connected(late);
    await expect(subscribed(late, room, [])).rejects.toMatchObject({ detail: { status: 403, error: expect.stringMatching(/holds at most 4 members/) } });
  });

  it('client events: to the channel’s other subscribers (Pusher and socket.io), never the sender, only where --client-events allows', async () => {
    const ana = open(browser(relay.url, APP.key, presenceAuthorizer(relay.url, '1', { name: 'Ana' })));
    const cy = open(browser(relay.url, APP.key, presenceAuthorizer(relay.url, '3', { name: 'Cy' })));
    await Promise.all([connected(ana), connected(cy)]);
    const anaSeen: { data: unknown; userId?: string }[] = [];
    const cySeen: { data: unknown; userId?: string }[] = [];
    await Promise.all([subscribed(ana, ROOM, []), subscribed(cy, ROOM, [])]);
    ana.channel(ROOM).bind('client-typing', (data: unknown, meta?: { user_id?: string }) => anaSeen.push({ data, userId: meta?.user_id }));
    cy.channel(ROOM).bind('client-typing', (data: unknown, meta?: { user_id?: string }) => cySeen.push({ data, userId: meta?.user_id }));
    const bob = await socketIoMember('2', ['public', ROOM], 'Bob');
    const bobSeen = clientEventsOf(bob, 'client-typing');
    await bob.waitForMembers(ROOM, ['1', '2', '3']);

    expect(ana.channel(ROOM).trigger('client-typing', { typing: true })).toBe(true);
    await until(() => cySeen.length === 1 && bobSeen.length === 1);
    expect(cySeen).toEqual([{ data: { typing: true }, userId: '1' }]);
    expect(bobSeen).toEqual([{ channel: ROOM, data: { typing: true }, from: '1' }]);
    // A socket.io member's client event reaches the Pusher members, with its user id.
    expect(await bob.socket.emitWithAck('client-typing', { channel: ROOM, data: { typing: 'bob' } })).toEqual({ ok: true });
    await until(() => anaSeen.length === 1 && cySeen.length === 2);
    expect(anaSeen).toEqual([{ data: { typing: 'bob' }, userId: '2' }]);
    await settle(200);
    // Never back to the sender.
    expect(anaSeen).toHaveLength(1);
    expect(bobSeen).toHaveLength(1);
  });

  it('client events on private channels need a user (pusher:signin); refusals are pusher:error, the rate is --client-event-rate', async () => {
    const raw = await rawPusher(relay.url);
    const next = async (message: unknown): Promise<{ event: string; data: unknown }> => {
      const before = raw.frames.length;
      raw.ws.send(JSON.stringify(message));
      await until(() => raw.frames.length > before);
      return raw.frames[before] as { event: string; data: unknown };
    };
    const chat = 'private-chat-7';
    expect(await next({ event: 'pusher:subscribe', data: { channel: chat, auth: channelAuthorization(APP, raw.socketId, chat) } })).toMatchObject({ event: 'pusher_internal:subscription_succeeded' });
    expect(await next({ event: 'client-hi', channel: chat, data: {} })).toMatchObject({ event: 'pusher:error', data: { code: null, message: expect.stringMatching(/need a user: .*sign in/) } });
    const userData = JSON.stringify({ id: '7', user_info: { name: 'Seven' } });
    const signin = server(relay.url).authenticateUser(raw.socketId, JSON.parse(userData) as { id: string });
    expect(await next({ event: 'pusher:signin', data: signin })).toEqual({ event: 'pusher:signin_success', data: JSON.stringify({ user_data: signin.user_data }) });

    // A receiver on the same channel (pusher-js, authorized for its own socket).
    const other = open(browser(relay.url));
    await connected(other);
    const seen: { data: unknown; userId?: string }[] = [];
    await subscribed(other, chat, []);
    other.channel(chat).bind('client-hi', (data: unknown) => seen.push({ data }));
    const receiver = await rawPusher(relay.url);
    receiver.ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: chat, auth: channelAuthorization(APP, receiver.socketId, chat) } }));
    await until(() => receiver.frames.length === 2);
    raw.ws.send(JSON.stringify({ event: 'client-hi', channel: chat, data: { n: 1 } }));
    await until(() => seen.length === 1 && receiver.frames.length === 3);
    expect(seen[0]).toEqual({ data: { n: 1 } });
    // pusher-js shows user_id only on presence channels; on the wire it is the signed-in user's.
    expect(receiver.frames[2]).toEqual({ event: 'client-hi', channel: chat, data: '{"n":1}', user_id: '7' });
    receiver.ws.close();

    // Not where --client-events does not list the channel, not on a channel it does not read, not a bad name.
    const userChannel = 'private-user-7';
    await next({ event: 'pusher:subscribe', data: { channel: userChannel, auth: channelAuthorization(APP, raw.socketId, userChannel) } });
    expect(await next({ event: 'client-hi', channel: userChannel, data: {} })).toMatchObject({ data: { message: expect.stringMatching(/not allowed on "private-user-7"/) } });
    expect(await next({ event: 'client-hi', channel: 'private-chat-8', data: {} })).toMatchObject({ data: { message: expect.stringMatching(/subscribe to "private-chat-8"/) } });
    expect(await next({ event: 'client-Bad!', channel: chat, data: {} })).toMatchObject({ data: { message: expect.stringMatching(/name must match/) } });
    // Over 5 per second: code 4301 (the budget had 5, one was spent above on client-hi … refill aside, the burst ends).
    const answers: unknown[] = [];
    for (let i = 0; i < 8; i++) {
      const before = raw.frames.length;
      raw.ws.send(JSON.stringify({ event: 'client-hi', channel: chat, data: { burst: i } }));
      await settle(5);
      if (raw.frames.length > before) answers.push(raw.frames[before]);
    }
    expect(answers).toContainEqual({ event: 'pusher:error', data: { code: 4301, message: expect.stringMatching(/client events per second/) } });
    raw.ws.close();
  });

  it('pusher:signin with a bad signature: pusher:error 4009 and close 4009', async () => {
    const raw = await rawPusher(relay.url);
    const forged = server(relay.url, 'another-secret-0123456789').authenticateUser(raw.socketId, { id: '7' });
    raw.ws.send(JSON.stringify({ event: 'pusher:signin', data: forged }));
    expect(await raw.closed).toBe(4009);
    expect(raw.frames[1]).toMatchObject({ event: 'pusher:error', data: { code: 4009, message: expect.stringMatching(/Invalid signin/) } });
    // Signed user data whose id is no user id is refused the same way.
    const bad = await rawPusher(relay.url);
    bad.ws.send(JSON.stringify({ event: 'pusher:signin', data: server(relay.url).authenticateUser(bad.socketId, { id: '0' }) }));
    expect(await bad.closed).toBe(4009);
  });

  it("terminate_connections closes every signed-in connection of that user (pusher-js does not reconnect), and only those", async () => {
    const tab1 = open(browser(relay.url, APP.key, undefined, userAuthenticator(relay.url, '42')));
    const tab2 = open(browser(relay.url, APP.key, undefined, userAuthenticator(relay.url, '42')));
    const someoneElse = open(browser(relay.url, APP.key, undefined, userAuthenticator(relay.url, '43')));
    await Promise.all([tab1, tab2, someoneElse].map(connected));
    await Promise.all([tab1, tab2, someoneElse].map(signedIn));
    expect(tab1.user.user_data).toMatchObject({ id: '42' });
    const closes: number[] = [];
    for (const tab of [tab1, tab2]) tab.connection.bind('error', (error: PusherJsError) => closes.push(errorCode(error)));

    expect((await server(relay.url).terminateUserConnections('42')).status).toBe(200);
    await until(() => closes.length >= 2).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify(closes)}`);
    });
    // pusher-js reports one close several times (the pusher:error, then the close itself): each says 4009.
    expect(new Set(closes)).toEqual(new Set([4009]));
    await until(() => tab1.connection.state !== 'connected' && tab2.connection.state !== 'connected');
    await settle(500);
    expect([tab1.connection.state, tab2.connection.state]).not.toContain('connected');
    expect(someoneElse.connection.state).toBe('connected');
    // The SDK checks user ids itself; the relay does too.
    await expect(server(relay.url).post({ path: '/users/a%20b/terminate_connections', body: '{}' })).rejects.toMatchObject({ status: 400 });
  });

  it('HTTP API: /channels/<presence>/users, info=user_count,subscription_count, and Pusher’s 400s', async () => {
    const ana = open(browser(relay.url, APP.key, presenceAuthorizer(relay.url, '1')));
    const anaTab2 = open(browser(relay.url, APP.key, presenceAuthorizer(relay.url, '1')));
    await Promise.all([connected(ana), connected(anaTab2)]);
    await Promise.all([subscribed(ana, 'presence-api', []), subscribed(anaTab2, 'presence-api', [])]);
    const bob = await socketIoMember('2', ['presence-api']);
    await bob.waitForMembers('presence-api', ['1', '2']);
    const sdk = server(relay.url);
    const json = async (path: string, params: Record<string, string> = {}): Promise<unknown> => (await sdk.get({ path, params })).json();
    expect(await json('/channels/presence-api/users')).toEqual({ users: [{ id: '1' }, { id: '2' }] });
    expect(await json('/channels/presence-api', { info: 'user_count,subscription_count' })).toEqual({ occupied: true, user_count: 2, subscription_count: 3 });
    expect(await json('/channels', { filter_by_prefix: 'presence-api', info: 'user_count' })).toEqual({ channels: { 'presence-api': { user_count: 2 } } });
    await expect(sdk.get({ path: '/channels', params: { info: 'user_count' } })).rejects.toMatchObject({ status: 400 });
    await expect(sdk.get({ path: '/channels/public', params: { info: 'user_count' } })).rejects.toMatchObject({ status: 400 });
    await expect(sdk.get({ path: '/channels/public/users' })).rejects.toMatchObject({ status: 400 });
    await expect(sdk.get({ path: '/channels/public', params: { info: 'cache' } })).rejects.toMatchObject({ status: 400 });
    expect(await json('/channels/presence-nobody', { info: 'user_count' })).toEqual({ occupied: false, user_count: 0 });
  });
});

describe('Pusher and socket.io clients across two relays on Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  let a: RelayProcess;
  let b: RelayProcess;
  beforeAll(async () => {
    redis = await startRedisServer();
    [a, b] = (await startRedisRelays(redis.url, 2, [...FLAGS, '--presence-timeout', '3'])) as [RelayProcess, RelayProcess];
  }, 30_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.dispose();
  });

  it('members, events (same order), client events, counts and terminations cross relays', async () => {
    const room = 'presence-shared';
    const ana = browser(a.url, APP.key, presenceAuthorizer(a.url, '1', { name: 'Ana' }), userAuthenticator(a.url, '1'));
    let bob: PresenceClient | undefined;
    let plain: TestClient | undefined;
    try {
      await connected(ana);
      const anaView = membersOf(ana, room);
      const anaEvents: Received[] = [];
      await subscribed(ana, room, anaEvents);
      const anaClientEvents: unknown[] = [];
      ana.channel(room).bind('client-wave', (data: unknown) => anaClientEvents.push(data));
      bob = await presenceClient(b.url, presenceToken(b.secret, '2', [room], { name: 'Bob' }));
      await bob.waitForMembers(room, ['1', '2']);
      await until(() => anaView.ids().join() === '1,2');
      expect(anaView.info('2')).toEqual({ name: 'Bob' });
      plain = await connect(b.url, { auth: { token: mintToken({ secret: b.secret, user: '5', channels: [room], info: { name: 'Five' } }), channels: [room] } });

      // Events from the Pusher SDK on relay b and from /v1/events on relay a, interleaved: one order everywhere.
      for (let i = 0; i < 10; i++) {
        if (i % 2 === 0) expect((await server(b.url).trigger(room, 'tick', { i })).status).toBe(200);
        else expect((await postSigned(a.url, a.secret, { channel: room, type: 'tick', data: { i } })).status).toBe(202);
      }
      await until(() => anaEvents.length >= 10 && (bob?.events.length ?? 0) >= 10 && (plain?.events.length ?? 0) >= 10);
      const order = anaEvents.map((event) => (event.data as { i: number }).i);
      expect(bob.events.map((event: EventEnvelope) => event.data['i'])).toEqual(order);
      expect(plain.events.map((event: EventEnvelope) => event.data['i'])).toEqual(order);

      expect(await bob.socket.emitWithAck('client-wave', { channel: room, data: { from: 'b' } })).toEqual({ ok: true });
      await until(() => anaClientEvents.length === 1);
      expect(anaClientEvents).toEqual([{ from: 'b' }]);

      // Counts are every relay's (the signed read API's source): relay b is asked about relay a's Pusher member, as
      // of relay a's last heartbeat (every second with --presence-timeout 3).
      await settle(1_500);
      const counts = (await (await server(b.url).get({ path: `/channels/${room}`, params: { info: 'user_count,subscription_count' } })).json()) as unknown;
      expect(counts).toEqual({ occupied: true, user_count: 3, subscription_count: 3 });
      expect(await (await server(b.url).get({ path: `/channels/${room}/users` })).json()).toEqual({ users: [{ id: '1' }, { id: '2' }, { id: '5' }] });

      // A termination asked of relay b closes the signed-in connection on relay a.
      await signedIn(ana);
      const codes: number[] = [];
      ana.connection.bind('error', (error: PusherJsError) => codes.push(errorCode(error)));
      expect((await server(b.url).terminateUserConnections('1')).status).toBe(200);
      await until(() => codes.includes(4009));
      await bob.waitForMembers(room, ['2', '5']);
    } finally {
      ana.disconnect();
      bob?.socket.close();
      plain?.socket.close();
    }
  }, 30_000);

  it("answers 503 while Redis is away (a termination must reach every relay, a count every relay's), then recovers", async () => {
    await redis.stop();
    try {
      const terminationStatus = (): Promise<number> =>
        server(a.url)
          .terminateUserConnections('1')
          .then(
            (response) => response.status,
            (error: { status?: number }) => error.status ?? -1,
          );
      await untilAnswer(async () => (await terminationStatus()) === 503, 10_000);
      await expect(server(a.url).get({ path: '/channels/presence-x/users' })).rejects.toMatchObject({ status: 503 });
    } finally {
      await redis.start();
    }
    await untilAnswer(async () => (await fetch(`${a.url}/readyz`)).status === 200, 15_000);
    expect((await server(a.url).terminateUserConnections('1')).status).toBe(200);
  }, 40_000);
});


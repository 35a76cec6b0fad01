/**
 * Laravel Echo 2.5 with its Pusher connector, as a Laravel front-end configures it, against a real relay: public,
 * private and presence channels, events from the `pusher` server SDK (Laravel's broadcaster) and from /v1/events,
 * Laravel's event-name namespace, toOthers() through Echo's socket id, whispers, and here/joining/leaving shared
 * with a socket.io member.
 */
import Echo from 'laravel-echo';
import PusherJs from 'pusher-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postSigned, settle } from './support/clients.js';
import { type PresenceClient, presenceClient, presenceToken } from './support/presence-clients.js';
import { APP, type Authenticate, type Authorize, presenceAuthorizer, PUSHER_FLAGS, pusherOptions, server, until, userAuthenticator } from './support/pusher-clients.js';
import { type RelayProcess, startRelayProcess } from './support/relay-process.js';

let relay: RelayProcess;
const echoes: Echo<'pusher'>[] = [];
const sockets: PresenceClient[] = [];

/** Echo as resources/js/echo.js sets it up, with pusher-js handed in (no window.Pusher in Node). */
function echo(authorize: Authorize = (socketId, channel) => server(relay.url).authorizeChannel(socketId, channel), authenticate?: Authenticate): Echo<'pusher'> {
  // pusher-js's option types and Echo's differ in detail (Echo's `auth` requires headers); the object is pusher-js's.
  const connection = pusherOptions(relay.url, authorize, authenticate) as object;
  const instance = new Echo({ broadcaster: 'pusher', key: APP.key, Pusher: PusherJs, ...connection });
  echoes.push(instance);
  return instance;
}

function connectedEcho(instance: Echo<'pusher'>): Promise<void> {
  return until(() => instance.connectionStatus() === 'connected');
}

/** Echo hands here / joining / leaving each member's user_info (pusher-js's member.info): no id. */
interface EchoMember {
  name: string;
  avatar?: string;
}

beforeAll(async () => {
  relay = await startRelayProcess([...PUSHER_FLAGS, '--client-events', 'presence-*', 'private-chat-*']);
});
afterEach(async () => {
  for (const instance of echoes.splice(0)) instance.disconnect();
  for (const socket of sockets.splice(0)) socket.close();
  await settle(200);
});
afterAll(async () => {
  expect(await relay.stop()).toBe(0);
});

describe('Laravel Echo (pusher connector) on the relay', () => {
  it('public and private channels: Laravel-named events from the SDK and from /v1/events, in order; toOthers() leaves the sender out', async () => {
    const a = echo();
    const b = echo();
    await Promise.all([connectedEcho(a), connectedEcho(b)]);
    const seenA: unknown[] = [];
    const seenB: unknown[] = [];
    const subscribedA = new Promise<void>((resolve) => a.channel('public-orders').subscribed(resolve));
    a.channel('public-orders')
      .listen('OrderShipped', (data: unknown) => seenA.push(['OrderShipped', data]))
      .listen('.post.published', (data: unknown) => seenA.push(['post.published', data]));
    const subscribedB = new Promise<void>((resolve) => b.private('user-7').subscribed(resolve));
    b.private('user-7').listen('.note', (data: unknown) => seenB.push(data));
    await Promise.all([subscribedA, subscribedB]);

    // Laravel's broadcaster names events by class: App\Events\OrderShipped, which Echo's namespace expects.
    expect((await server(relay.url).trigger('public-orders', 'App\\Events\\OrderShipped', { order: 1 })).status).toBe(200);
    expect((await postSigned(relay.url, relay.secret, { channel: 'public-orders', type: 'post.published', data: { post: 2 } })).status).toBe(202);
    expect((await server(relay.url).trigger('public-orders', 'App\\Events\\OrderShipped', { order: 3 })).status).toBe(200);
    expect((await server(relay.url).trigger('private-user-7', 'note', { text: 'for 7' })).status).toBe(200);
    await until(() => seenA.length === 3 && seenB.length === 1);
    expect(seenA).toEqual([
      ['OrderShipped', { order: 1 }],
      ['post.published', { post: 2 }],
      ['OrderShipped', { order: 3 }],
    ]);
    expect(seenB).toEqual([{ text: 'for 7' }]);

    // broadcast(...)->toOthers(): Laravel sends Echo's X-Socket-ID as socket_id.
    const otherSeen: unknown[] = [];
    const subscribedOther = new Promise<void>((resolve) => b.channel('public-orders').subscribed(resolve));
    b.channel('public-orders').listen('OrderShipped', (data: unknown) => otherSeen.push(data));
    await subscribedOther;
    expect((await server(relay.url).trigger('public-orders', 'App\\Events\\OrderShipped', { order: 4 }, { socket_id: a.socketId() as string })).status).toBe(200);
    await until(() => otherSeen.length === 1);
    await settle(200);
    expect(otherSeen).toEqual([{ order: 4 }]);
    expect(seenA).toHaveLength(3);
  });

  it('presence: here / joining / leaving with a socket.io member, whispers between members, a private whisper after signin', async () => {
    const ana = echo(presenceAuthorizer(relay.url, '1', { name: 'Ana' }), userAuthenticator(relay.url, '1'));
    const cy = echo(presenceAuthorizer(relay.url, '3', { name: 'Cy' }), userAuthenticator(relay.url, '3'));
    await Promise.all([connectedEcho(ana), connectedEcho(cy)]);
    const anaLog: string[] = [];
    const here = new Promise<EchoMember[]>((resolve) =>
      ana
        .join('lobby')
        .here((members: EchoMember[]) => resolve(members))
        .joining((member: EchoMember) => anaLog.push(`joining:${member.name}`))
        .leaving((member: EchoMember) => anaLog.push(`leaving:${member.name}`))
        .listenForWhisper('isTyping', (data: unknown) => anaLog.push(`whisper:${JSON.stringify(data)}`)),
    );
    expect(await here).toEqual([{ name: 'Ana' }]);

    const bob = await presenceClient(relay.url, presenceToken(relay.secret, '2', ['presence-lobby'], { name: 'Bob' }));
    sockets.push(bob);
    await until(() => anaLog.includes('joining:Bob'));
    const cyHere = new Promise<EchoMember[]>((resolve) => cy.join('lobby').here((members: EchoMember[]) => resolve(members)));
    expect((await cyHere).map((member) => member.name).sort()).toEqual(['Ana', 'Bob', 'Cy']);
    await until(() => anaLog.length === 2);
    expect(anaLog).toEqual(['joining:Bob', 'joining:Cy']);

    // A camelCase whisper, as Laravel's docs write them: client-isTyping on the wire.
    const bobWhispers: unknown[] = [];
    bob.socket.on('client-isTyping', (payload: unknown) => bobWhispers.push(payload));
    cy.join('lobby').whisper('isTyping', { who: 'cy' });
    await until(() => anaLog.length === 3);
    expect(anaLog[2]).toBe('whisper:{"who":"cy"}');
    await until(() => bobWhispers.length === 1);
    expect(bobWhispers).toEqual([{ channel: 'presence-lobby', data: { who: 'cy' }, from: '3' }]);

    // Private channels: a whisper needs the connection signed in (Echo: connector.signin()).
    ana.connector.signin();
    cy.connector.signin();
    await Promise.all([ana.connector.pusher.user.signinDonePromise, cy.connector.pusher.user.signinDonePromise]);
    const privateWhispers: unknown[] = [];
    const ready = Promise.all([
      new Promise<void>((resolve) => ana.private('chat-9').listenForWhisper('typing', (data: unknown) => privateWhispers.push(data)).subscribed(resolve)),
      new Promise<void>((resolve) => cy.private('chat-9').subscribed(resolve)),
    ]);
    await ready;
    cy.private('chat-9').whisper('typing', { in: 'private' });
    await until(() => privateWhispers.length === 1);
    expect(privateWhispers).toEqual([{ in: 'private' }]);

    cy.leave('lobby');
    await until(() => anaLog.includes('leaving:Cy'));
    await bob.waitForMembers('presence-lobby', ['1', '2']);
  });
});

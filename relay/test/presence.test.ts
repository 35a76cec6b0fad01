/**
 * Presence channels on one relay (a real CLI process, real socket.io clients on WebSocket and on polling): who may
 * join, the member list on join, one entry per user however many tabs, member_added / member_removed to the others
 * only, nothing of a member beyond what its token carried, the members bound, and the signed read API.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, nowSeconds, signatureHeader } from '../../protocol/index.js';
import { connectError, settle } from './support/clients.js';
import { getSigned, type PresenceClient, presenceClient, presenceToken, signedClaims } from './support/presence-clients.js';
import { type RelayProcess, startRelayProcess } from './support/relay-process.js';

const ROOM = 'presence-post-17';
let relay: RelayProcess;
const open: PresenceClient[] = [];

async function join(user: string, transports = ['websocket'], channels = [ROOM], info?: { name: string; avatar?: string }): Promise<PresenceClient> {
  const client = await presenceClient(relay.url, presenceToken(relay.secret, user, ['public', ...channels], info), { transports });
  open.push(client);
  return client;
}

function events(client: PresenceClient): string[] {
  return client.log.filter((entry) => entry.event !== 'presence_state').map((entry) => `${entry.event}:${entry.id}`);
}

beforeAll(async () => {
  relay = await startRelayProcess(['--max-presence-members', '3']);
});
afterEach(async () => {
  for (const client of open.splice(0)) client.close();
  await settle(200);
});
afterAll(async () => {
  await relay?.stop();
});

describe('presence channels', () => {
  it('refuses a token that lists a presence channel without member info, and an anonymous one', async () => {
    const now = nowSeconds();
    const bare = signedClaims(relay.secret, { sub: '42', ch: [ROOM], iat: now, exp: now + 60 });
    const refused = await connectError(relay.url, { auth: { token: bare } });
    expect(refused.data).toMatchObject({ error: 'invalid_token' });
    expect(refused.message).toMatch(/presence channel "presence-post-17" needs member info/);
    const anonymous = signedClaims(relay.secret, { sub: '0', ch: [ROOM], iat: now, exp: now + 60, info: { name: 'Guest' } });
    expect((await connectError(relay.url, { auth: { token: anonymous } })).message).toMatch(/anonymous token cannot list it/);
    // Without the channel in the token, the channel is not readable at all (the one channel rule).
    const other = mintToken({ secret: relay.secret, user: '5', channels: ['public'], info: { name: 'Eve' } });
    expect((await connectError(relay.url, { auth: { token: other, channels: [ROOM] } })).data).toMatchObject({ error: 'channel_forbidden' });
  });

  it('shows the list on join, one entry per user across tabs and transports, and tells only the others', async () => {
    const aliceTab1 = await join('1', ['websocket'], [ROOM], { name: 'Alice', avatar: 'https://example.com/alice.png' });
    await aliceTab1.waitForMembers(ROOM, ['1']);
    expect(aliceTab1.lists.get(ROOM)?.get('1')).toEqual({ id: '1', name: 'Alice', avatar: 'https://example.com/alice.png' });

    const bob = await join('2', ['polling'], [ROOM], { name: 'Bob' });
    await bob.waitForMembers(ROOM, ['1', '2']);
    await aliceTab1.waitForMembers(ROOM, ['1', '2']);
    // Exactly the token's info: no channels, no expiry, nothing else.
    expect(bob.lists.get(ROOM)?.get('1')).toEqual({ id: '1', name: 'Alice', avatar: 'https://example.com/alice.png' });
    expect(aliceTab1.lists.get(ROOM)?.get('2')).toEqual({ id: '2', name: 'Bob' });

    const aliceTab2 = await join('1', ['polling', 'websocket'], [ROOM], { name: 'Alice', avatar: 'https://example.com/alice.png' });
    await aliceTab2.waitForMembers(ROOM, ['1', '2']);
    aliceTab1.close();
    await settle(500);
    // Alice's second tab keeps her on the list: Bob heard of her once and never of her leaving.
    expect(events(bob)).toEqual([]);
    expect(events(aliceTab1)).toEqual(['member_added:2']);
    aliceTab2.close();
    await bob.waitForMembers(ROOM, ['2']);
    await settle(300);
    expect(events(bob)).toEqual(['member_removed:1']);
    expect(bob.log.filter((entry) => entry.event === 'presence_state')).toHaveLength(1);
  });

  it('joins and leaves with subscribe / unsubscribe, the list arriving as presence_state', async () => {
    const carol = await join('3', ['websocket'], [], { name: 'Carol' });
    const dave = await join('4', ['websocket'], [ROOM], { name: 'Dave' });
    await dave.waitForMembers(ROOM, ['4']);
    // Carol's token did not list the room: subscribing is refused like any unlisted channel.
    expect(await carol.socket.emitWithAck('subscribe', { channels: [ROOM] })).toMatchObject({ ok: false, error: 'channel_forbidden' });
    const erinWithRoom = await presenceClient(relay.url, presenceToken(relay.secret, '5', ['public', ROOM, 'presence-other'], { name: 'Erin' }), {
      auth: { channels: ['public'] },
    });
    open.push(erinWithRoom);
    expect(await erinWithRoom.socket.emitWithAck('subscribe', { channels: [ROOM] })).toMatchObject({ ok: true });
    await erinWithRoom.waitForMembers(ROOM, ['4', '5']);
    await dave.waitForMembers(ROOM, ['4', '5']);
    expect(await erinWithRoom.socket.emitWithAck('unsubscribe', { channels: [ROOM] })).toMatchObject({ ok: true });
    await dave.waitForMembers(ROOM, ['4']);
    expect(events(dave)).toEqual(['member_added:5', 'member_removed:5']);
  });

  it('removes a member whose refreshed token no longer lists the channel (and carries no info)', async () => {
    const watcher = await join('31');
    const leaving = await join('32');
    await watcher.waitForMembers(ROOM, ['31', '32']);
    const narrower = mintToken({ secret: relay.secret, user: '32', channels: ['public'] });
    expect(await leaving.socket.emitWithAck('refresh_token', { token: narrower })).toEqual({ ok: true, channels: ['public'] });
    await watcher.waitForMembers(ROOM, ['31']);
    expect(events(watcher)).toEqual(['member_added:32', 'member_removed:32']);
  });

  it('refuses a new user past --max-presence-members (presence_full), counted on /metrics', async () => {
    for (const user of ['11', '12', '13']) await (await join(user)).waitForMembers(ROOM, [...Array(Number(user) - 10)].map((_, i) => String(11 + i)));
    const refused = await connectError(relay.url, { auth: { token: presenceToken(relay.secret, '14', [ROOM]) } });
    expect(refused.data).toMatchObject({ error: 'presence_full' });
    // Another tab of a member is no new member.
    await join('12');
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toMatch(/^wp_realtime_rejections_total\{reason="presence_full"\} 1$/m);
    expect(metrics).toMatch(/^wp_realtime_presence_sockets 4$/m);
  });
});

describe('signed read API', () => {
  it('lists occupied channels with counts and a presence channel members, signed over the request line', async () => {
    await join('21', ['websocket'], [ROOM], { name: 'Uma' });
    const second = await join('22', ['polling'], [ROOM, 'presence-b'], { name: 'Vic', avatar: 'https://example.com/v.png' });
    await second.waitForMembers(ROOM, ['21', '22']);
    const all = await getSigned(relay.url, relay.secret, '/v1/channels');
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      channels: [
        { name: ROOM, subscribers: 2, members: 2 },
        { name: 'presence-b', subscribers: 1, members: 1 },
        { name: 'public', subscribers: 2 },
      ].sort((a, b) => (a.name < b.name ? -1 : 1)),
      truncated: false,
    });
    const filtered = await getSigned(relay.url, relay.secret, '/v1/channels?prefix=presence-');
    expect((filtered.body.channels as { name: string }[]).map((c) => c.name)).toEqual(['presence-b', ROOM].sort());
    const members = await getSigned(relay.url, relay.secret, `/v1/channels/${ROOM}/members`);
    expect(members).toEqual({
      status: 200,
      body: { channel: ROOM, members: expect.arrayContaining([{ id: '21', name: 'Uma' }, { id: '22', name: 'Vic', avatar: 'https://example.com/v.png' }]) as unknown },
    });
    expect((members.body.members as unknown[]).length).toBe(2);
  });

  it('refuses unsigned, wrongly signed, stale and mis-addressed requests', async () => {
    expect((await fetch(`${relay.url}/v1/channels`)).status).toBe(401);
    // A signature over another path does not open this one.
    const header = signatureHeader(relay.secret, 'GET /v1/channels');
    const moved = await fetch(`${relay.url}/v1/channels?prefix=private-`, { headers: { 'X-WP-Realtime-Signature': header } });
    expect(moved.status).toBe(401);
    expect(await moved.json()).toMatchObject({ error: 'invalid_signature' });
    expect((await getSigned(relay.url, relay.secret, '/v1/channels', nowSeconds() - 301)).body).toMatchObject({ error: 'stale_signature' });
    expect((await getSigned(relay.url, 'x'.repeat(32), '/v1/channels')).status).toBe(401);
    expect(await getSigned(relay.url, relay.secret, '/v1/channels/public/members')).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await getSigned(relay.url, relay.secret, '/v1/channels?prefix=a%20b')).status).toBe(400);
    expect((await fetch(`${relay.url}/v1/channels`, { method: 'POST' })).status).toBe(405);
  });
});

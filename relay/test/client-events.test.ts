/**
 * Client events through a real relay process with real socket.io clients (WebSocket and polling): delivered to the
 * channel's other subscribers only, never to the sender, never as a stored event; refused with a clear ack for
 * anonymous clients, public or unlisted channels, channels not subscribed, over the size or the rate limit; counted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../protocol/index.js';
import { connect, settle, type TestClient } from './support/clients.js';
import { presenceClient, presenceToken } from './support/presence-clients.js';
import { type RelayProcess, startRelayProcess } from './support/relay-process.js';

const ROOM = 'presence-chat';
let relay: RelayProcess;
const open: TestClient[] = [];

function received(client: TestClient, name = 'client-typing'): unknown[] {
  const seen: unknown[] = [];
  client.socket.on(name, (payload: unknown) => seen.push(payload));
  return seen;
}

async function member(user: string, channels = [ROOM], transports = ['websocket']): Promise<TestClient> {
  const client = await presenceClient(relay.url, presenceToken(relay.secret, user, channels, { name: `U${user}` }), { transports });
  open.push(client);
  return client;
}

beforeAll(async () => {
  relay = await startRelayProcess(['--client-events', 'presence-*', 'private-chat-*', '--client-event-rate', '3', '--max-client-event-bytes', '64']);
});
afterEach(async () => {
  for (const client of open.splice(0)) client.close();
  await settle(100);
});
afterAll(async () => {
  await relay?.stop();
});

describe('client events', () => {
  it('reach the other subscribers (another tab of the sender too), never the sending socket, never as custom_event', async () => {
    const aliceTab1 = await member('1');
    const aliceTab2 = await member('1', [ROOM], ['polling']);
    const bob = await member('2', [ROOM], ['polling']);
    const outsider = await member('3', ['presence-elsewhere']);
    const [own, otherTab, bobs, outsiders] = [aliceTab1, aliceTab2, bob, outsider].map((client) => received(client));
    expect(await aliceTab1.socket.emitWithAck('client-typing', { channel: ROOM, data: { typing: true } })).toEqual({ ok: true });
    await settle(400);
    expect(bobs).toEqual([{ channel: ROOM, data: { typing: true }, from: '1' }]);
    expect(otherTab).toEqual([{ channel: ROOM, data: { typing: true }, from: '1' }]);
    expect(own).toEqual([]);
    expect(outsiders).toEqual([]);
    for (const client of [aliceTab1, aliceTab2, bob]) expect(client.events).toEqual([]);
  });

  it('refuses each case with a clear ack and counts it by reason', async () => {
    const anonymous = await connect(relay.url);
    open.push(anonymous);
    expect(await anonymous.socket.emitWithAck('client-x', { channel: 'public', data: 1 })).toMatchObject({ ok: false, error: 'client_event_anonymous' });
    const user = await connect(relay.url, { auth: { token: mintToken({ secret: relay.secret, user: '9', channels: ['public', 'private-other', 'private-chat-1', 'private-chat-2'] }) } });
    open.push(user);
    expect(await user.socket.emitWithAck('client-x', { channel: 'public' })).toMatchObject({ ok: false, error: 'client_events_disabled' });
    expect(await user.socket.emitWithAck('client-x', { channel: 'private-other' })).toMatchObject({ ok: false, error: 'client_events_disabled' });
    expect(await user.socket.emitWithAck('client-x', { channel: 'private-chat-9' })).toMatchObject({ ok: false, error: 'client_event_not_subscribed' });
    expect(await user.socket.emitWithAck('client-X!', { channel: 'private-chat-1' })).toMatchObject({ ok: false, error: 'invalid_client_event' });
    expect(await user.socket.emitWithAck('client-x', 'private-chat-1')).toMatchObject({ ok: false, error: 'invalid_client_event' });
    expect(await user.socket.emitWithAck('client-x', { channel: 'private-chat-1', data: 'x'.repeat(80) })).toMatchObject({ ok: false, error: 'client_event_too_large' });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await user.socket.emitWithAck('client-x', { channel: 'private-chat-2', data: i }));
    expect(answers.slice(0, 3)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(answers[3]).toMatchObject({ ok: false, error: 'client_event_rate_limited' });
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    for (const [reason, count] of [['client_event_anonymous', 1], ['client_events_disabled', 2], ['client_event_not_subscribed', 1], ['invalid_client_event', 2], ['client_event_too_large', 1], ['client_event_rate_limited', 2]] as const) {
      expect(metrics).toMatch(new RegExp(`^wp_realtime_rejections_total\\{reason="${reason}"\\} ${count}$`, 'm'));
    }
    expect(metrics).toMatch(/^wp_realtime_client_events_total [1-9]/m);
  });
});

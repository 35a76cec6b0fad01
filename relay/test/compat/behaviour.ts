/**
 * The behaviour table: what every client library sees from the relay, on every transport, written once. Each row
 * states the contract's behaviour (docs/contract, README "The protocol in one page") as one scenario;
 * runBehaviourTable(driver) runs every row for one client library on each transport against a real in-process relay
 * (real HTTP server, real sockets), so a difference between clients or transports fails a row instead of hiding.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EventEnvelope, generateSecret, mintToken } from '../../../protocol/index.js';
import { checkHandshake } from '../../handshake.js';
import { createRelay, type Relay, type RelayOptions } from '../../index.js';
import { metricValue } from '../support/cluster.js';
import { postSigned, settle } from '../support/clients.js';
import { type CompatDriver, type CompatSession, type OpenOptions, type Quirk, type Transport, TRANSPORTS } from './drivers.js';

/** Small enough that a test message can pass it; --max-client-message in production defaults to 16 KiB. */
const MAX_CLIENT_MESSAGE_BYTES = 2048;

export interface RowContext {
  readonly transport: Transport;
  /** Whether the client library has this quirk on this transport (drivers.ts). */
  has(quirk: Quirk): boolean;
  readonly secret: string;
  url(): string;
  /** Opens a session and waits until it is connected (fails the row on a refusal). */
  connect(options?: OpenOptions): Promise<CompatSession>;
  /** Opens a session whose handshake the row expects to end either way. */
  open(options?: OpenOptions): CompatSession;
  /** A fresh event id, unique across rows, clients and transports. */
  id(label: string): string;
  post(events: { id: string; type: string; channel?: string; data?: Record<string, unknown> }[]): Promise<void>;
  metric(sample: string): Promise<number>;
  /** Ends every client's session (the relay's disconnectClients()). */
  disconnectClients(): Promise<void>;
  /** relay.stop(), then a new relay on the same port: a restart as clients see it. */
  restart(): Promise<void>;
}

export interface BehaviourRow {
  name: string;
  /** A client-library quirk (drivers.ts) under which the row's behaviour cannot be observed: skipped, and listed. */
  skipWith?: Quirk;
  run(context: RowContext): Promise<void>;
}

async function until(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await settle(10);
  }
}

async function untilMetric(context: RowContext, what: string, sample: string, value: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await context.metric(sample)) !== value) {
    if (Date.now() > deadline) throw new Error(`${what}: ${sample} is ${await context.metric(sample)}, not ${value}, after ${timeoutMs} ms`);
    await settle(50);
  }
}

const ids = (events: readonly EventEnvelope[]): string[] => events.map((event) => event.id);

/**
 * The events a session received, each once, in the relay's order — or, for a client that runs its handlers out of
 * order (drivers.ts), each once in any order.
 */
function expectReceived(context: RowContext, session: CompatSession, expected: readonly string[]): void {
  const received = ids(session.events);
  if (context.has('handlers-may-run-out-of-order')) expect([...received].sort()).toEqual([...expected].sort());
  else expect(received).toEqual(expected);
}

/** A session that must stay usable: one more ack proves the connection is still there. */
async function stillConnected(session: CompatSession, disconnects = 0): Promise<void> {
  expect(await session.call('subscribe', [{ channels: ['public'] }])).toEqual([{ ok: true, channels: expect.arrayContaining(['public']) }]);
  expect(session.counts.disconnects).toBe(disconnects);
}

function refusal(context: RowContext, auth: Record<string, unknown>): { message: string; data: unknown } {
  const result = checkHandshake(auth, context.secret, true);
  if (result.ok) throw new Error('expected the handshake to be refused');
  return { message: result.message, data: { error: result.reason, message: result.message } };
}

export const BEHAVIOUR: readonly BehaviourRow[] = [
  {
    name: 'no token: connects, reads public channels only, each event as a custom_event envelope',
    async run(context) {
      const session = await context.connect();
      const [open, closed] = [context.id('public'), context.id('private')];
      await context.post([
        { id: closed, type: 'compat.private', channel: 'private-user-7' },
        { id: open, type: 'compat.public', data: { n: 1, nested: { ok: true } } },
      ]);
      await until('the public event', () => session.events.length >= 1);
      await settle(150);
      expect(session.events).toEqual([{ id: open, channel: 'public', type: 'compat.public', data: { n: 1, nested: { ok: true } }, time: expect.any(String) }]);
      expect(new Date(session.events[0]?.time ?? '').toISOString()).toBe(session.events[0]?.time);
    },
  },
  {
    name: 'a valid token: connects and reads public plus the channels it lists',
    async run(context) {
      const token = mintToken({ secret: context.secret, user: '7', channels: ['private-user-7'] });
      const session = await context.connect({ auth: { token } });
      const [own, other, open] = [context.id('own'), context.id('other'), context.id('open')];
      await context.post([
        { id: own, type: 'compat.own', channel: 'private-user-7' },
        { id: other, type: 'compat.other', channel: 'private-user-8' },
        { id: open, type: 'compat.open' },
      ]);
      await until('two events', () => session.events.length >= 2);
      await settle(150);
      expectReceived(context, session, [own, open]);
    },
  },
  {
    name: 'a tampered token: connect_error with the relay message and { error: invalid_token }',
    async run(context) {
      const token = mintToken({ secret: context.secret, user: '7', channels: ['private-user-7'] });
      const tampered = token.slice(0, -3) + (token.endsWith('AAA') ? 'BAA' : 'AAA');
      const session = context.open({ auth: { token: tampered } });
      const expected = refusal(context, { token: tampered });
      expect(await session.ready).toEqual({ connected: false, refusal: expected });
      expect(expected.data).toMatchObject({ error: 'invalid_token' });
      expect(session.counts.connects).toBe(0);
    },
  },
  {
    name: 'an expired token: connect_error with the relay message and { error: expired_token }',
    async run(context) {
      const token = mintToken({ secret: context.secret, channels: ['public'], ttl: 60, now: Math.floor(Date.now() / 1000) - 120 });
      const session = context.open({ auth: { token } });
      const expected = refusal(context, { token });
      // The message says how long ago the token expired: seconds may pass between the relay's check and this one.
      const result = await session.ready;
      const seconds = (text: string): string => text.replace(/\d+s ago/, '<n>s ago');
      expect(result.connected).toBe(false);
      if (!result.connected) {
        expect(seconds(result.refusal.message)).toBe(seconds(expected.message));
        expect(result.refusal.data).toEqual({ error: 'expired_token', message: result.refusal.message });
      }
    },
  },
  {
    name: 'a malformed handshake (lastEventId not an id): connect_error naming the field',
    async run(context) {
      const session = context.open({ auth: { lastEventId: 'not an id!' } });
      const result = await session.ready;
      expect(result).toEqual({ connected: false, refusal: refusal(context, { lastEventId: 'not an id!' }) });
      expect(result.connected ? '' : result.refusal.message).toMatch(/^auth\.lastEventId: /);
    },
  },
  {
    name: 'subscribe and unsubscribe with an ack: answered with the channel list, delivery follows',
    async run(context) {
      const session = await context.connect();
      expect(await session.call('subscribe', [{ channels: ['public-news'] }])).toEqual([{ ok: true, channels: ['public', 'public-news'] }]);
      // The other accepted spellings: one name, or a bare list.
      expect(await session.call('subscribe', ['public-sport'])).toEqual([{ ok: true, channels: ['public', 'public-news', 'public-sport'] }]);
      expect(await session.call('unsubscribe', [['public', 'public-sport']])).toEqual([{ ok: true, channels: ['public-news'] }]);
      const [news, general] = [context.id('news'), context.id('general')];
      await context.post([
        { id: general, type: 'compat.general' },
        { id: news, type: 'compat.news', channel: 'public-news' },
      ]);
      await until('the news event', () => session.events.length >= 1);
      await settle(150);
      expect(ids(session.events)).toEqual([news]);
    },
  },
  {
    name: 'subscribe and unsubscribe without an ack callback: they act, and nothing is answered',
    async run(context) {
      const session = await context.connect();
      session.send('subscribe', [{ channels: ['public-news'] }]);
      session.send('unsubscribe', [{ channels: ['public'] }]);
      // An ack round trip behind them: both were handled by the time it answers (one connection keeps order).
      expect(await session.call('subscribe', [{ channels: ['public-news'] }])).toEqual([{ ok: true, channels: ['public-news'] }]);
      const [news, general] = [context.id('news'), context.id('general')];
      await context.post([
        { id: general, type: 'compat.general' },
        { id: news, type: 'compat.news', channel: 'public-news' },
      ]);
      await until('the news event', () => session.events.length >= 1);
      await settle(150);
      expect(ids(session.events)).toEqual([news]);
      expect(session.others).toEqual([]);
    },
  },
  {
    name: 'refresh_token: a token for the same user is accepted, another user or a bad token refused',
    async run(context) {
      const first = mintToken({ secret: context.secret, user: '7', channels: ['private-user-7', 'private-team'] });
      const session = await context.connect({ auth: { token: first } });
      const narrower = mintToken({ secret: context.secret, user: '7', channels: ['private-user-7'] });
      // What the client no longer may read, it stops reading.
      expect(await session.call('refresh_token', [{ token: narrower }])).toEqual([{ ok: true, channels: ['public', 'private-user-7'] }]);
      const stranger = mintToken({ secret: context.secret, user: '8', channels: ['private-user-8'] });
      expect(await session.call('refresh_token', [{ token: stranger }])).toEqual([
        { ok: false, error: 'invalid_token', message: 'a refreshed token must be for the same user' },
      ]);
      expect(await session.call('refresh_token', [{ token: 'wprt1.x.y' }])).toEqual([{ ok: false, error: 'invalid_token', message: expect.any(String) }]);
      const [team, own] = [context.id('team'), context.id('own')];
      await context.post([
        { id: team, type: 'compat.team', channel: 'private-team' },
        { id: own, type: 'compat.own', channel: 'private-user-7' },
      ]);
      await until('the own event', () => session.events.length >= 1);
      await settle(150);
      expect(ids(session.events)).toEqual([own]);
    },
  },
  {
    name: 'bad arguments (also none at all): an error ack, the connection stays',
    async run(context) {
      const session = await context.connect();
      const cases: [string, unknown[], string][] = [
        ['subscribe', [], 'invalid_channels'],
        ['subscribe', [42], 'invalid_channels'],
        ['subscribe', [{ channels: [] }], 'invalid_channels'],
        ['subscribe', [{ channels: ['has space'] }], 'invalid_channels'],
        ['subscribe', [null], 'invalid_channels'],
        ['subscribe', [{ channels: ['private-x'] }], 'channel_forbidden'],
        ['unsubscribe', [], 'invalid_channels'],
        ['unsubscribe', ['no/slash'], 'invalid_channels'],
        ['refresh_token', [], 'invalid_token'],
        ['refresh_token', ['just a string'], 'invalid_token'],
      ];
      for (const [event, args, error] of cases) {
        const answer = await session.call(event, args);
        expect(answer, `${event}(${JSON.stringify(args)})`).toEqual([{ ok: false, error, message: expect.stringMatching(/\S/) }]);
      }
      await stillConnected(session);
    },
  },
  {
    name: 'an unknown event: unknown_event ack, nothing without an ack, the connection stays',
    async run(context) {
      const session = await context.connect();
      expect(await session.call('no_such_event', [{ a: 1 }])).toEqual([
        { ok: false, error: 'unknown_event', message: expect.stringContaining('"no_such_event"') },
      ]);
      expect(await session.call('no_such_event', [])).toEqual([{ ok: false, error: 'unknown_event', message: expect.any(String) }]);
      session.send('no_such_event', [{ a: 1 }]);
      await stillConnected(session);
      expect(session.others).toEqual([]);
    },
  },
  {
    name: 'a message over --max-client-message: the connection is closed (a transport loss) and counted',
    async run(context) {
      const before = await context.metric('wp_realtime_rejections_total{reason="message_too_large"}');
      const session = await context.connect();
      session.send('subscribe', [{ channels: ['x'.repeat(MAX_CLIENT_MESSAGE_BYTES + 100)] }]);
      // What the relay did, seen at the relay: counted as message_too_large. (Not wp_realtime_connections: the lean
      // path counts a connection until the peer completes the close handshake, socket.io until it closes it; see
      // docs/testing.md.)
      await untilMetric(context, 'after the message', 'wp_realtime_rejections_total{reason="message_too_large"}', before + 1);
      // What the client saw: a transport loss (it would reconnect by itself), never "io server disconnect".
      if (!context.has('silent-loss-after-http-error')) await until('the disconnect', () => session.counts.disconnects === 1);
      for (const reason of session.reasons ?? []) expect(['transport close', 'transport error']).toContain(reason);
    },
  },
  {
    name: 'replay with lastEventId: what was missed first, in order, exactly once, then live events',
    async run(context) {
      const history = Array.from({ length: 6 }, (_, n) => context.id(`history-${n}`));
      await context.post(history.map((id) => ({ id, type: 'compat.history' })));
      const session = await context.connect({ auth: { lastEventId: history[1] } });
      await until('the replay', () => session.events.length >= 4);
      const live = context.id('live');
      await context.post([{ id: live, type: 'compat.live' }]);
      await until('the live event', () => session.events.length >= 5);
      await settle(200);
      expectReceived(context, session, [...history.slice(2), live]);
      expect(session.gaps).toEqual([]);
    },
  },
  {
    name: 'replay with an unknown lastEventId: replay_gap first, then live events',
    async run(context) {
      const lastEventId = context.id('forgotten');
      const session = await context.connect({ auth: { lastEventId } });
      await until('the gap', () => session.gaps.length >= 1);
      const live = context.id('live');
      await context.post([{ id: live, type: 'compat.live' }]);
      await until('the live event', () => session.events.length >= 1);
      await settle(150);
      expect(session.gaps).toEqual([{ lastEventId }]);
      expect(ids(session.events)).toEqual([live]);
    },
  },
  {
    name: 'server disconnect (disconnectClients): the session ends and the client does not come back',
    async run(context) {
      const session = await context.connect({ reconnection: true });
      await context.disconnectClients();
      await until('the disconnect', () => session.counts.disconnects === 1);
      await settle(1_000);
      if (context.has('may-reconnect-after-server-disconnect')) expect(session.counts.disconnects).toBeGreaterThanOrEqual(1);
      else expect(session.counts).toEqual({ connects: 1, disconnects: 1 });
      if (session.reasons) expect(session.reasons).toEqual(['io server disconnect']);
    },
  },
  {
    name: 'relay restart (stop(), then a new relay on the port): the client reconnects by itself and reads on',
    skipWith: 'no-reconnect-after-close-packet',
    async run(context) {
      const session = await context.connect({ reconnection: true });
      await context.restart();
      await until(`the reconnection (counts ${JSON.stringify(session.counts)})`, () => session.counts.connects === 2, 10_000);
      expect(session.counts.disconnects).toBe(1);
      // A restart is a transport loss, never a disconnect packet. Over WebSocket the client reports "transport close"
      // (1012). Over long-polling today "transport error" (its pending request fails as the server goes); "transport
      // close" (engine.io's close packet reached it) would be as good: both reconnect.
      const expected = context.transport === 'polling-only' ? ['transport error', 'transport close'] : ['transport close'];
      expect(session.reasons?.length ?? 1).toBe(1);
      for (const reason of session.reasons ?? []) expect(expected).toContain(reason);
      const live = context.id('after-restart');
      await context.post([{ id: live, type: 'compat.live' }]);
      await until('the live event', () => session.events.length >= 1);
      expect(ids(session.events)).toEqual([live]);
      await stillConnected(session, 1);
    },
  },
];

/** Runs every row for one client library over each transport, against one in-process relay (restarted by a row). */
export function runBehaviourTable(driver: CompatDriver, transports: readonly Transport[] = TRANSPORTS): void {
  const secret = generateSecret();
  const options: Partial<RelayOptions> & { secret: string } = {
    secret,
    port: 0,
    logLevel: 'silent',
    history: 1_000,
    ingestRate: 100_000,
    // Every row opens its own clients from 127.0.0.1: the per-address handshake budget is not what is tested here.
    handshakeRate: 10_000,
    maxClientMessageBytes: MAX_CLIENT_MESSAGE_BYTES,
    drainTimeoutMs: 2_000,
  };
  let relay: Relay;
  let url = '';
  const sessions: CompatSession[] = [];
  let serial = 0;
  const tag = driver.name.replace(/[^A-Za-z0-9]+/g, '-');

  beforeAll(async () => {
    relay = createRelay(options);
    url = await relay.start();
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.close()));
  });
  afterAll(async () => {
    await relay.stop();
  });

  for (const transport of transports) {
    const context: RowContext = {
      transport,
      has: (quirk) => driver.quirks.get(quirk)?.includes(transport) ?? false,
      secret,
      url: () => url,
      open(openOptions) {
        const session = driver.open(url, transport, openOptions);
        sessions.push(session);
        return session;
      },
      async connect(openOptions) {
        const session = context.open(openOptions);
        const result = await session.ready;
        if (!result.connected) throw new Error(`connection refused: ${result.refusal.message}`);
        // "polling" is the upgrade path: rows run once the client has moved to its upgraded WebSocket (socket.io's).
        if (transport === 'polling') {
          const deadline = Date.now() + 5_000;
          while ((await session.transportName()) !== 'websocket') {
            if (Date.now() > deadline) throw new Error('the client did not upgrade to WebSocket within 5 s');
            await settle(20);
          }
        }
        return session;
      },
      id: (label) => `${tag}.${transport}.${label}.${++serial}`,
      async post(events) {
        const response = await postSigned(url, secret, events);
        expect(response.status, JSON.stringify(response.body)).toBe(202);
      },
      metric: (sample) => metricValue(url, sample),
      disconnectClients: () => relay.disconnectClients(),
      async restart() {
        const port = Number(new URL(url).port);
        await relay.stop();
        relay = createRelay({ ...options, port });
        url = await relay.start();
      },
    };
    describe(`${driver.name} over ${transport}`, () => {
      for (const row of BEHAVIOUR) {
        if (row.skipWith !== undefined && context.has(row.skipWith)) {
          it.skip(`${row.name} (not observable: ${row.skipWith})`, () => {});
          continue;
        }
        it(row.name, () => row.run(context));
      }
    });
  }
}

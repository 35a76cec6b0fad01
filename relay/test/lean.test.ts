/**
 * The lean WebSocket connection (relay/lean/) on the wire: a raw `ws` client checks the engine.io/socket.io frames
 * byte for byte, and real socket.io clients check that polling, upgrading and WebSocket-first clients in one room
 * each get every event once, in order. Heartbeat timing runs in-process (createRelay) with short intervals.
 */
import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { generateSecret, mintToken } from '../../protocol/index.js';
import { createRelay, type Relay } from '../index.js';
import { clientPool, connect, deliverToMixedTransports, postSigned, settle } from './support/clients.js';
import { metricValue } from './support/cluster.js';
import { type RelayProcess, startRelayProcess } from './support/relay-process.js';

/** A raw WebSocket speaking the protocol by hand: every text frame received, in order. */
interface RawClient {
  ws: WebSocket;
  frames: string[];
  closed: Promise<number>;
  /** Resolves with the first frame received that matches. */
  next(match: (frame: string) => boolean, timeoutMs?: number): Promise<string>;
}

async function rawClient(url: string): Promise<RawClient> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const frames: string[] = [];
  ws.on('message', (data) => frames.push(data.toString()));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await once(ws, 'open');
  return {
    ws,
    frames,
    closed,
    async next(match, timeoutMs = 3_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = frames.find(match);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`);
        await settle(10);
      }
    },
  };
}

let relay: RelayProcess;
const pool = clientPool(() => relay.url);
const raws: RawClient[] = [];

beforeAll(async () => {
  relay = await startRelayProcess(['--history', '1000', '--ingest-rate', '100000', '--max-client-message', '2048']);
});
afterEach(async () => {
  pool.closeAll();
  for (const raw of raws.splice(0)) raw.ws.terminate();
  await settle(100);
});
afterAll(async () => {
  expect(await relay.stop()).toBe(0);
});

async function raw(): Promise<RawClient> {
  const client = await rawClient(relay.url);
  raws.push(client);
  return client;
}

describe('lean WebSocket: the wire format', () => {
  it('opens like engine.io, connects like socket.io and sends events and acks in their frames', async () => {
    const client = await raw();
    const openFrame = await client.next((f) => f.startsWith('0'));
    const handshake = JSON.parse(openFrame.slice(1)) as Record<string, unknown>;
    expect(handshake).toMatchObject({ upgrades: [], pingInterval: 25_000, pingTimeout: 20_000, maxPayload: 2048 });
    expect(handshake.sid).toMatch(/^[A-Za-z0-9_-]{16}$/);

    client.ws.send('40');
    const connected = await client.next((f) => f.startsWith('40'));
    expect(JSON.parse(connected.slice(2))).toEqual({ sid: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) });

    expect((await postSigned(relay.url, relay.secret, { id: 'raw-1', type: 'raw.test', data: { n: 1 } })).status).toBe(202);
    const event = await client.next((f) => f.startsWith('42'));
    const [name, envelope] = JSON.parse(event.slice(2)) as [string, Record<string, unknown>];
    expect(name).toBe('custom_event');
    expect(envelope).toMatchObject({ id: 'raw-1', channel: 'public', type: 'raw.test', data: { n: 1 } });

    client.ws.send('427["unsubscribe",{"channels":["public"]}]');
    expect(await client.next((f) => f.startsWith('437'))).toBe('437[{"ok":true,"channels":[]}]');
    client.ws.send('428["subscribe",{"channels":["private-x"]}]');
    const refused = JSON.parse((await client.next((f) => f.startsWith('438'))).slice(3)) as unknown[];
    expect(refused[0]).toMatchObject({ ok: false, error: 'channel_forbidden' });
  });

  it('refuses another namespace and a bad token with connect errors, and still accepts a good connect after', async () => {
    const client = await raw();
    client.ws.send('40/admin,');
    expect(await client.next((f) => f.startsWith('44/admin,'))).toBe('44/admin,{"message":"Invalid namespace"}');
    client.ws.send('40{"token":"wprt1.forged.token"}');
    const refused = JSON.parse((await client.next((f) => f.startsWith('44{'))).slice(2)) as { message: string; data: { error: string; message: string } };
    expect(refused.data.error).toBe('invalid_token');
    expect(refused.message).toBe(refused.data.message);
    // Like socket.io, the connection stays open after a connect error: the client may connect again.
    const token = mintToken({ secret: relay.secret, user: '9', channels: ['private-user-9'] });
    client.ws.send(`40${JSON.stringify({ token })}`);
    await client.next((f) => f.startsWith('40{'));
    expect((await postSigned(relay.url, relay.secret, { id: 'raw-private', channel: 'private-user-9', type: 'x' })).status).toBe(202);
    expect(await client.next((f) => f.includes('"raw-private"'))).toMatch(/^42\["custom_event",/);
  });

  it.each([
    ['text that is no packet', 'hello'],
    ['an event that is not JSON', '42["subscribe",'],
    ['a reserved event name', '42["disconnect"]'],
    ['a binary attachment packet', '451-["subscribe",{"_placeholder":true,"num":0}]'],
  ])('closes the connection on %s and counts an invalid frame', async (_what, frame) => {
    const before = await metricValue(relay.url, 'wp_realtime_rejections_total{reason="invalid_frame"}');
    const client = await raw();
    client.ws.send('40');
    await client.next((f) => f.startsWith('40'));
    client.ws.send(frame);
    expect(await client.closed).toBe(1002);
    expect(await metricValue(relay.url, 'wp_realtime_rejections_total{reason="invalid_frame"}')).toBe(before + 1);
  });

  it('closes the connection on a binary frame and on a message over --max-client-message', async () => {
    const binary = await raw();
    binary.ws.send(Buffer.from([1, 2, 3]));
    expect(await binary.closed).toBe(1002);

    const before = await metricValue(relay.url, 'wp_realtime_rejections_total{reason="message_too_large"}');
    const big = await raw();
    big.ws.send(`42["subscribe",${JSON.stringify({ channels: ['x'.repeat(3000)] })}]`);
    expect(await big.closed).toBe(1009);
    expect(await metricValue(relay.url, 'wp_realtime_rejections_total{reason="message_too_large"}')).toBe(before + 1);
  });

  it('ends the session on the client disconnect packet and forgets the connection', async () => {
    const client = await raw();
    client.ws.send('40');
    await client.next((f) => f.startsWith('40'));
    expect(await metricValue(relay.url, 'wp_realtime_connections')).toBeGreaterThanOrEqual(1);
    client.ws.send('41');
    expect(await client.closed).toBe(1000);
    await settle(100);
    expect(await metricValue(relay.url, 'wp_realtime_connections')).toBe(0);
  });
});

describe('lean WebSocket: next to socket.io clients', () => {
  it('gives a polling client, a recipe client (polling, then upgrade) and a WebSocket-first client every event once, in order', async () => {
    const leanBefore = await metricValue(relay.url, 'wp_realtime_broadcast_frames{path="websocket"}');
    const sent = await deliverToMixedTransports(pool, relay.url, relay.secret);
    // Exactly the WebSocket-first client's copies went through the lean connection.
    expect((await metricValue(relay.url, 'wp_realtime_broadcast_frames{path="websocket"}')) - leanBefore).toBe(sent.length);
  });

  it('counts lean connections against --max-connections-per-ip and refuses the upgrade past it', async () => {
    const limited = await startRelayProcess(['--max-connections-per-ip', '2']);
    try {
      const first = await rawClient(limited.url);
      const second = await rawClient(limited.url);
      const third = new WebSocket(`${limited.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
      const [status, body] = await new Promise<[number, string]>((resolve) =>
        third.once('unexpected-response', (_req, res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve([res.statusCode ?? 0, text]));
        }),
      );
      expect(status).toBe(403);
      expect(JSON.parse(body)).toEqual({ error: 'forbidden', message: 'too many connections from this address' });
      first.ws.close();
      await first.closed;
      await settle(100);
      const fourth = await rawClient(limited.url);
      expect(await fourth.next((f) => f.startsWith('0'))).toMatch(/^0\{/);
      second.ws.terminate();
      fourth.ws.terminate();
    } finally {
      await limited.stop();
    }
  });

  it('closes WebSocket-first clients as a restart (1012, a transport loss they reconnect after) when it drains', async () => {
    const draining = await startRelayProcess();
    const client = await connect(draining.url);
    const reason = new Promise<string>((resolve) => client.socket.once('disconnect', (why) => resolve(why)));
    const rawLean = await rawClient(draining.url);
    rawLean.ws.send('40');
    await rawLean.next((f) => f.startsWith('40'));
    expect(await draining.stop('SIGTERM')).toBe(0);
    expect(await reason).toBe('transport close');
    expect(await rawLean.closed).toBe(1012);
  });
});

/** An in-process relay with a short heartbeat, for the duration of one test. */
async function withHeartbeat(pingIntervalMs: number, pingTimeoutMs: number, test: (url: string, secret: string) => Promise<void>): Promise<void> {
  const secret = generateSecret();
  const inProcess: Relay = createRelay({ secret, port: 0, logLevel: 'silent', pingIntervalMs, pingTimeoutMs });
  const url = await inProcess.start();
  try {
    await test(url, secret);
  } finally {
    await inProcess.stop();
  }
}

async function answeringAndSilent(url: string): Promise<[RawClient, RawClient]> {
  const answering = await rawClient(url);
  const silent = await rawClient(url);
  raws.push(answering, silent);
  answering.ws.on('message', (data) => {
    if (data.toString() === '2') answering.ws.send('3');
  });
  for (const c of [answering, silent]) c.ws.send('40');
  return [answering, silent];
}

describe('lean WebSocket: heartbeat', () => {
  it('keeps a client that answers pings, and closes one that stops answering', () =>
    withHeartbeat(300, 300, async (url) => {
      const [answering, silent] = await answeringAndSilent(url);
      await settle(1_500);
      expect(answering.frames.filter((f) => f === '2').length).toBeGreaterThanOrEqual(3);
      expect(answering.ws.readyState).toBe(WebSocket.OPEN);
      expect(silent.ws.readyState).toBe(WebSocket.CLOSED);
    }));

  it('waits pingTimeout after the ping, even when that is longer than the ping interval', () =>
    withHeartbeat(200, 800, async (url) => {
      const [answering, silent] = await answeringAndSilent(url);
      const opened = Date.now();
      await silent.closed;
      // First ping about 200 ms after opening, then 800 ms without a pong.
      expect(Date.now() - opened).toBeGreaterThanOrEqual(900);
      expect(silent.frames.filter((f) => f === '2')).toHaveLength(1);
      expect(answering.ws.readyState).toBe(WebSocket.OPEN);
    }));

  it('keeps a socket.io client connected across many heartbeats, even short ones', () =>
    withHeartbeat(100, 100, async (url, secret) => {
      const client = await connect(url);
      pool.open.push(client);
      let disconnects = 0;
      client.socket.on('disconnect', () => disconnects++);
      await settle(1_500);
      expect(disconnects).toBe(0);
      expect((await postSigned(url, secret, { id: 'after-heartbeats', type: 'x' })).status).toBe(202);
      expect((await client.waitFor(1)).map((e) => e.id)).toEqual(['after-heartbeats']);
    }));
});

describe('lean WebSocket: refused upgrades', () => {
  /** Sends a WebSocket upgrade from a refused origin over a raw TCP socket. */
  function refusedUpgrade(url: string, halfOpen: boolean): Promise<Socket> {
    const { port } = new URL(url);
    const socket = createConnection({ host: '127.0.0.1', port: Number(port), allowHalfOpen: halfOpen });
    socket.on('error', () => {});
    socket.write(
      'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://evil.example\r\n\r\n',
    );
    return once(socket, 'connect').then(() => socket);
  }

  it('survives clients that reset right after a refused upgrade, and closes refused sockets the client keeps open', async () => {
    const guarded = await startRelayProcess(['--cors-origin', 'https://www.example.com']);
    try {
      const resets = await Promise.all(Array.from({ length: 100 }, () => refusedUpgrade(guarded.url, false)));
      for (const socket of resets) socket.resetAndDestroy();
      const halfOpen = await refusedUpgrade(guarded.url, true);
      let answer = '';
      halfOpen.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      await once(halfOpen, 'end');
      expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden/);
      expect(answer).toContain('"origin https://evil.example is not allowed"');
      expect((await fetch(`${guarded.url}/healthz`)).status).toBe(200);
      // The client keeps its side open; the relay must still have let go of the socket, or it could never stop.
      expect(halfOpen.destroyed).toBe(false);
      expect(await guarded.stop()).toBe(0);
      halfOpen.destroy();
    } catch (error) {
      await guarded.stop('SIGKILL');
      throw error;
    }
  });
});

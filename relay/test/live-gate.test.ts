/**
 * The live gate and the emitter message format, in process: a real socket.io server on the socket.io Redis Streams
 * adapter and a real Redis, a real client, and broadcasts written to the adapter's stream exactly as the publish
 * script writes them. Pins the two things the Redis broker relies on in socket.io's internals.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventEnvelope } from '../../protocol/index.js';
import { installLiveGate, type LiveGate } from '../live-gate.js';
import { EMITTER_FIELDS, eventBroadcastData, probeBroadcastData } from '../redis/emitter-message.js';
import { connect, settle, type TestClient } from './support/clients.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';

const STREAM = 'gate-test:broadcasts';
let redis: RedisServer;
let redisClient: ReturnType<typeof createClient>;
let io: Server;
let url: string;
let gate: LiveGate;
let deliveries = 0;
const probes: string[] = [];

function envelope(id: string): EventEnvelope {
  return { id, channel: 'public', type: 'gate.test', data: {}, time: new Date().toISOString() };
}

async function broadcastThroughStream(id: string): Promise<void> {
  await redisClient.xAdd(STREAM, '*', { ...EMITTER_FIELDS, data: eventBroadcastData(envelope(id)) });
}

beforeAll(async () => {
  redis = await startRedisServer();
  redisClient = createClient({ url: redis.url });
  redisClient.on('error', () => {});
  await redisClient.connect();
  const httpServer = createServer();
  io = new Server(httpServer, { adapter: createAdapter(redisClient, { streamName: STREAM }) });
  gate = installLiveGate(io.of('/'), { onDelivery: () => deliveries++, onProbe: (token) => probes.push(token) });
  io.on('connection', (socket) => void socket.join('public'));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  // The adapter starts reading the stream at "$" once its reader connects: wait until a probe comes back.
  while (!probes.includes('ready')) {
    await redisClient.xAdd(STREAM, '*', { ...EMITTER_FIELDS, data: probeBroadcastData('ready') });
    await settle(100);
  }
});

afterAll(async () => {
  await new Promise<void>((resolve) => io?.close(() => resolve()));
  redisClient?.destroy();
  await redis?.dispose();
});

it('delivers a broadcast written in the emitter format to the channel room, and counts it', async () => {
  const client: TestClient = await connect(url);
  const before = deliveries;
  await broadcastThroughStream('emitted-1');
  await client.waitFor(1);
  expect(client.events).toEqual([expect.objectContaining({ id: 'emitted-1', channel: 'public', type: 'gate.test' })]);
  expect(deliveries - before).toBe(1);
  client.close();
});

it('holds broadcasts for a replaying socket and releases them in order without the ids already sent', async () => {
  const client: TestClient = await connect(url);
  const socket = io.of('/').sockets.get(client.socket.id as string);
  expect(socket).toBeDefined();
  gate.hold(socket!);
  for (const id of ['held-1', 'held-2', 'held-3']) await broadcastThroughStream(id);
  await settle();
  expect(client.events).toEqual([]);
  gate.release(socket!, new Set(['held-1']));
  await client.waitFor(2);
  await settle();
  expect(client.events.map((event) => event.id)).toEqual(['held-2', 'held-3']);
  await broadcastThroughStream('after-release');
  await client.waitFor(3);
  expect(client.events.at(-1)?.id).toBe('after-release');
  client.close();
});

it('lets unflagged broadcasts through while holding (the in-memory broker needs no gate)', async () => {
  const client: TestClient = await connect(url);
  const socket = io.of('/').sockets.get(client.socket.id as string);
  gate.hold(socket!);
  io.local.to('public').emit('custom_event', envelope('local-1'));
  await client.waitFor(1);
  gate.release(socket!, new Set());
  expect(client.events.map((event) => event.id)).toEqual(['local-1']);
  client.close();
});

/** Real socket.io clients and signed HTTP posts against a relay, for tests. */
import { expect } from 'vitest';
import { io, type Socket, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { type EventEnvelope, SIGNATURE_HEADER, signatureHeader } from '../../../protocol/index.js';

export interface TestClient {
  socket: Socket;
  events: EventEnvelope[];
  gaps: { lastEventId: string }[];
  /** Resolves once `count` events have arrived (rejects after timeoutMs). */
  waitFor(count: number, timeoutMs?: number): Promise<EventEnvelope[]>;
  close(): void;
}

export function collect(socket: Socket): TestClient {
  const events: EventEnvelope[] = [];
  const gaps: { lastEventId: string }[] = [];
  socket.on('custom_event', (event: EventEnvelope) => events.push(event));
  socket.on('replay_gap', (gap: { lastEventId: string }) => gaps.push(gap));
  return {
    socket,
    events,
    gaps,
    async waitFor(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} events, got ${events.length}: ${JSON.stringify(events)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return events;
    },
    close: () => socket.close(),
  };
}

/** Resolves once the socket is connected; on connect_error closes it and rejects with that error. */
export function waitForConnect(socket: Socket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error: Error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Connects and resolves once connected; rejects with the connect_error message. */
export async function connect(url: string, options: Partial<ManagerOptions & SocketOptions> = {}): Promise<TestClient> {
  const socket = io(url, { reconnection: false, forceNew: true, transports: ['websocket'], ...options });
  const client = collect(socket);
  await waitForConnect(socket);
  return client;
}

export async function connectError(url: string, options: Partial<ManagerOptions & SocketOptions> = {}): Promise<Error & { data?: unknown }> {
  try {
    const client = await connect(url, options);
    client.close();
  } catch (error) {
    return error as Error & { data?: unknown };
  }
  throw new Error('expected the connection to be refused');
}

export interface PostResult {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export async function postRaw(url: string, body: string, headers: Record<string, string>): Promise<PostResult> {
  const response = await fetch(`${url}/v1/events`, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export function postSigned(url: string, secret: string, payload: unknown, timestamp?: number): Promise<PostResult> {
  const body = JSON.stringify(payload);
  return postRaw(url, body, { 'content-type': 'application/json', [SIGNATURE_HEADER]: signatureHeader(secret, body, timestamp) });
}

/** Gives socket.io a moment to prove a negative (an event that must not arrive). */
export function settle(ms = 300): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Clients a test file opens against one relay, closed together after each test or at the end. */
export interface ClientPool {
  open: TestClient[];
  connect(options?: Partial<ManagerOptions & SocketOptions>): Promise<TestClient>;
  closeAll(): void;
}

export function clientPool(url: () => string): ClientPool {
  const open: TestClient[] = [];
  return {
    open,
    async connect(options = {}) {
      const client = await connect(url(), options);
      open.push(client);
      return client;
    },
    closeAll() {
      for (const client of open.splice(0)) client.close();
    },
  };
}

/**
 * A polling client, a recipe client (default transports: polling, then upgrade) and a WebSocket-first client in one
 * room; 150 events posted in batches, some while the recipe client may still be upgrading. Asserts each client got
 * every event once, in order, and returns the ids sent; callers compare the relay's frame counters around it.
 */
export async function deliverToMixedTransports(pool: ClientPool, url: string, secret: string): Promise<string[]> {
  const polling = collect(io(url, { forceNew: true, reconnection: false, transports: ['polling'] }));
  const recipe = collect(io(url, { forceNew: true, reconnection: false }));
  pool.open.push(polling, recipe);
  await Promise.all([polling, recipe].map((c) => new Promise<void>((resolve) => c.socket.once('connect', () => resolve()))));
  const websocket = await pool.connect();

  const sent: string[] = [];
  for (let batch = 0; batch < 6; batch++) {
    const events = Array.from({ length: 25 }, (_, i) => ({ id: `mixed-${batch}-${i}`, type: 'mixed.test' }));
    expect((await postSigned(url, secret, events)).status).toBe(202);
    sent.push(...events.map((event) => event.id));
    if (batch === 2) await settle(200);
  }
  for (const c of [polling, recipe, websocket]) expect((await c.waitFor(sent.length, 10_000)).map((event) => event.id)).toEqual(sent);
  await settle();
  for (const c of [polling, recipe, websocket]) expect(c.events).toHaveLength(sent.length);
  return sent;
}

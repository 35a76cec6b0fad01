/**
 * One interface over every client library the compat suite runs (socket.io-client 4.x and 3.x in this process,
 * python-socketio as a child process), so that the behaviour table in ./behaviour.ts is written once and a difference
 * between clients or transports shows up as a failing row.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { io as ioV4 } from 'socket.io-client';
import { io as ioV3 } from 'socket.io-client-v3';
import type { EventEnvelope } from '../../../protocol/index.js';

/**
 * websocket: a WebSocket from the first request (the relay's lean path). polling: long-polling first, then the
 * client's upgrade to WebSocket (socket.io's path, what `io(url)` does). polling-only: long-polling throughout.
 */
export type Transport = 'websocket' | 'polling' | 'polling-only';

export const TRANSPORTS: readonly Transport[] = ['websocket', 'polling', 'polling-only'];

export interface OpenOptions {
  auth?: Record<string, unknown>;
  /** Whether the client reconnects by itself after a transport loss (default false). */
  reconnection?: boolean;
}

/** What a connection refused at its handshake told the client. */
export interface Refusal {
  message: string;
  data: unknown;
}

export interface CompatSession {
  readonly events: EventEnvelope[];
  readonly gaps: { lastEventId: string }[];
  /** Every other event the relay sent (name and arguments), e.g. token_expired. */
  readonly others: { name: string; args: unknown[] }[];
  /** How many times the client connected to the namespace, and lost it. */
  readonly counts: { connects: number; disconnects: number };
  /** The disconnect reasons the library reported ("io server disconnect", "transport close"…); null: it reports none. */
  readonly reasons: string[] | null;
  /** Resolves once the first handshake ends: connected, or refused with the relay's connect_error. */
  readonly ready: Promise<{ connected: true } | { connected: false; refusal: Refusal }>;
  /** Emits with an ack callback and resolves with the ack's arguments. */
  call(event: string, args: unknown[], timeoutMs?: number): Promise<unknown[]>;
  /** Emits without an ack callback. */
  send(event: string, args: unknown[]): void;
  /** The transport the client uses now: 'polling' or 'websocket'. */
  transportName(): Promise<string>;
  close(): Promise<void>;
}

/**
 * What a client library itself does differently, known and not the relay's doing; a row that meets one checks what
 * the relay did by other means (its metrics) instead of through the client.
 */
export type Quirk =
  /**
   * python-engineio 4.3 on long-polling: a POST answered with a non-2xx status (413 for an over-size message) resets
   * the client's state without a disconnect event, and without reconnecting (engineio/client.py `_write_loop`).
   * The row then checks what the relay did through its metrics only.
   */
  | 'silent-loss-after-http-error'
  /**
   * python-engineio 4.3 hands each received message to a new thread but handles the transport's close in its read
   * loop: when the relay ends a session (disconnect packet, then the close), the close can win, and the client takes
   * it for a transport loss and reconnects. Seen over polling and its upgraded WebSocket.
   */
  | 'may-reconnect-after-server-disconnect'
  /**
   * python-engineio 4.3 takes engine.io's close packet from the server for its own disconnect (engineio/client.py
   * `_receive_packet` calls `disconnect()`), so python-socketio does not reconnect after it. The relay's stop() sends
   * that packet to long-polling clients and then cuts what is left, so whether such a client comes back after a
   * restart depends on which of the two reaches it first.
   */
  | 'no-reconnect-after-close-packet'
  /**
   * python-engineio 4.3 runs the handler of every message it receives on a thread of its own (`_receive_packet`:
   * `run_async=True`, not configurable), so handlers may see events in another order than they came over the wire;
   * rows then check each event arrived once, not their order.
   */
  | 'handlers-may-run-out-of-order';

export interface CompatDriver {
  readonly name: string;
  readonly quirks: ReadonlyMap<Quirk, readonly Transport[]>;
  open(url: string, transport: Transport, options?: OpenOptions): CompatSession;
}

interface Recorder {
  events: EventEnvelope[];
  gaps: { lastEventId: string }[];
  others: { name: string; args: unknown[] }[];
  counts: { connects: number; disconnects: number };
  reasons: string[] | null;
}

function recorder(reasons: string[] | null): Recorder {
  return { events: [], gaps: [], others: [], counts: { connects: 0, disconnects: 0 }, reasons };
}

function record(into: Recorder, name: string, args: unknown[]): void {
  if (name === 'custom_event') into.events.push(args[0] as EventEnvelope);
  else if (name === 'replay_gap') into.gaps.push(args[0] as { lastEventId: string });
  else into.others.push({ name, args });
}

function ackTimeout(event: string, timeoutMs: number): Error {
  return new Error(`no ack for "${event}" within ${timeoutMs} ms`);
}

/** The part of the socket.io-client API both 3.x and 4.x share, and the suite uses. */
interface SocketIoLike {
  /** The Manager, and its engine.io client: public properties of both versions. */
  io: { engine?: { transport?: { name: string } } };
  on(event: string, listener: (...args: never[]) => void): unknown;
  onAny(listener: (name: string, ...args: unknown[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  close(): unknown;
}

type IoFactory = (url: string, options: Record<string, unknown>) => SocketIoLike;

function socketIoTransports(transport: Transport): string[] {
  if (transport === 'websocket') return ['websocket'];
  return transport === 'polling' ? ['polling', 'websocket'] : ['polling'];
}

function socketIoDriver(name: string, factory: IoFactory): CompatDriver {
  return {
    name,
    quirks: new Map(),
    open(url, transport, options = {}) {
      const socket = factory(url, {
        forceNew: true,
        transports: socketIoTransports(transport),
        auth: options.auth ?? {},
        reconnection: options.reconnection ?? false,
        reconnectionDelay: 100,
        reconnectionDelayMax: 500,
        randomizationFactor: 0,
      });
      const reasons: string[] = [];
      const seen = recorder(reasons);
      socket.onAny((event, ...args) => record(seen, event, args));
      socket.on('connect', () => seen.counts.connects++);
      socket.on('disconnect', (reason: string) => {
        seen.counts.disconnects++;
        reasons.push(reason);
      });
      const ready = new Promise<{ connected: true } | { connected: false; refusal: Refusal }>((resolve) => {
        socket.on('connect', () => resolve({ connected: true }));
        socket.on('connect_error', (error: Error & { data?: unknown }) => resolve({ connected: false, refusal: { message: error.message, data: error.data } }));
      });
      return {
        ...seen,
        ready,
        call(event, args, timeoutMs = 3_000) {
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(ackTimeout(event, timeoutMs)), timeoutMs);
            socket.emit(event, ...args, (...answer: unknown[]) => {
              clearTimeout(timer);
              resolve(answer);
            });
          });
        },
        send(event, args) {
          socket.emit(event, ...args);
        },
        async transportName() {
          return socket.io.engine?.transport?.name ?? 'none';
        },
        async close() {
          socket.close();
        },
      };
    },
  };
}

export const socketIoV4 = socketIoDriver('socket.io-client 4.x', (url, options) => ioV4(url, options) as unknown as SocketIoLike);
export const socketIoV3 = socketIoDriver('socket.io-client 3.x', (url, options) => ioV3(url, options) as unknown as SocketIoLike);

const PYTHON_CLIENT = fileURLToPath(new URL('./python_client.py', import.meta.url));

/**
 * Debian's python3-socketio is installed for the system interpreter; a pyenv or virtualenv python3 earlier on PATH
 * would not have it. WP_REALTIME_PYTHON points elsewhere.
 */
export const PYTHON = process.env.WP_REALTIME_PYTHON ?? '/usr/bin/python3';

interface PythonMessage {
  kind: 'connected' | 'connect_error' | 'connect_failed' | 'disconnected' | 'event' | 'ack' | 'transport' | 'error';
  data?: { message?: string; data?: unknown } | string | null;
  name?: string;
  args?: unknown[];
  id?: number;
}

function pythonTransports(transport: Transport): string[] {
  return socketIoTransports(transport);
}

export const pythonSocketIo: CompatDriver = {
  name: 'python-socketio',
  quirks: new Map<Quirk, readonly Transport[]>([
    ['silent-loss-after-http-error', ['polling-only']],
    ['may-reconnect-after-server-disconnect', TRANSPORTS],
    ['no-reconnect-after-close-packet', ['polling-only']],
    ['handlers-may-run-out-of-order', TRANSPORTS],
  ]),
  open(url, transport, options = {}) {
    const child: ChildProcessWithoutNullStreams = spawn(PYTHON, ['-u', PYTHON_CLIENT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // python-socketio 5.7 calls its disconnect handler without a reason.
    const seen = recorder(null);
    const acks = new Map<number, (args: unknown[]) => void>();
    let nextAck = 1;
    let settle: (value: { connected: true } | { connected: false; refusal: Refusal }) => void = () => {};
    const ready = new Promise<{ connected: true } | { connected: false; refusal: Refusal }>((resolve) => (settle = resolve));
    void exited.then(() => settle({ connected: false, refusal: { message: `python client exited: ${stderr}`, data: undefined } }));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as PythonMessage;
      switch (message.kind) {
        case 'connected':
          seen.counts.connects++;
          settle({ connected: true });
          break;
        case 'connect_error': {
          // python-socketio hands over the connect_error packet's payload as it came: { message, data }.
          const payload = typeof message.data === 'object' && message.data !== null ? message.data : { message: String(message.data) };
          settle({ connected: false, refusal: { message: payload.message ?? '', data: payload.data } });
          break;
        }
        case 'connect_failed':
          settle({ connected: false, refusal: { message: String(message.data ?? 'connect failed'), data: undefined } });
          break;
        case 'disconnected':
          seen.counts.disconnects++;
          break;
        case 'event':
          record(seen, message.name ?? '', message.args ?? []);
          break;
        case 'ack':
        case 'transport':
          acks.get(message.id ?? -1)?.(message.args ?? []);
          break;
        case 'error':
          // A command the python client could not carry out: kept where every row's checks see it.
          seen.others.push({ name: 'python_client_error', args: [message.data] });
          break;
      }
    });
    const command = (body: Record<string, unknown>): void => {
      if (child.stdin.writable) child.stdin.write(JSON.stringify(body) + '\n');
    };
    command({ op: 'connect', url, auth: options.auth ?? {}, transports: pythonTransports(transport), reconnection: options.reconnection ?? false });
    return {
      ...seen,
      ready,
      call(event, args, timeoutMs = 3_000) {
        const id = nextAck++;
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            acks.delete(id);
            reject(ackTimeout(event, timeoutMs));
          }, timeoutMs);
          acks.set(id, (answer) => {
            clearTimeout(timer);
            acks.delete(id);
            resolve(answer);
          });
          command({ op: 'call', id, event, args });
        });
      },
      send(event, args) {
        command({ op: 'emit', event, args });
      },
      async transportName() {
        const id = nextAck++;
        const answer = await new Promise<unknown[]>((resolve) => {
          acks.set(id, resolve);
          command({ op: 'transport', id });
        });
        acks.delete(id);
        return String(answer[0]);
      },
      async close() {
        command({ op: 'close' });
        child.stdin.end();
        const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(killer);
      },
    };
  },
};

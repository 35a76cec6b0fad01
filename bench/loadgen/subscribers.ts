/**
 * N subscribers of one server, all in this process: socket.io clients for the two socket.io relays, plain `ws`
 * clients for the raw baseline, and Pusher clients for the relay's Pusher front-end. Each delivery is reported by
 * event id to one callback.
 * The Pusher clients are the real pusher-js by default, as the socket.io targets use the real socket.io-client: what a
 * browser runs is what is measured. pusher-js keeps per-client timers and a connection state machine, so with
 * `--pusher-client lean` a minimal client instead sends exactly what pusher-js sends (connect with protocol=7,
 * pusher:subscribe, pusher:pong) and reads the same frames, costing the load generator as little as raw ws's clients.
 */
import { performance } from 'node:perf_hooks';
import PusherJs from 'pusher-js';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { summarizeLatencies } from '../stats.js';
import { BENCH_PUSHER_APP, subscriberProtocol, type Transport } from '../targets.js';
import type { ConnectCommand, ConnectResult } from './messages.js';

// pusher-js is CommonJS (module.exports = the class) while its types declare an ES default export.
const PusherClient = PusherJs as unknown as typeof PusherJs.default;

export type DeliveryListener = (eventId: string) => void;

interface Subscriber {
  close(): void;
}

export class SubscriberPool {
  private readonly subscribers: Subscriber[] = [];
  disconnects = 0;
  private closing = false;

  constructor(private readonly onDelivery: DeliveryListener) {}

  get size(): number {
    return this.subscribers.length;
  }

  async connect(command: ConnectCommand): Promise<ConnectResult> {
    // A pool is connected again after the warm-up's closeAll(): from here on a disconnect is a drop again.
    this.closing = false;
    const started = performance.now();
    const perConnection: number[] = [];
    const failures: Record<string, number> = {};
    let upgraded = 0;
    let nextIndex = 0;
    const deadline = started + command.timeoutMs;
    const worker = async (): Promise<void> => {
      while (nextIndex < command.subscribers && performance.now() < deadline) {
        const localAddress = command.sourceAddresses?.[nextIndex % command.sourceAddresses.length];
        nextIndex++;
        const t0 = performance.now();
        try {
          const subscriber = await this.open(command, deadline - t0, () => upgraded++, localAddress);
          this.subscribers.push(subscriber);
          perConnection.push(performance.now() - t0);
        } catch (error) {
          const reason = (error as Error).message || 'unknown';
          failures[reason] = (failures[reason] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(command.concurrency, command.subscribers) }, worker));
    const totalMs = performance.now() - started;
    if (command.transport === 'default') {
      // Connected clients upgrade in the background; give them until the deadline to finish.
      while (upgraded < this.subscribers.length && performance.now() < deadline) await sleep(50);
    }
    if (nextIndex < command.subscribers) failures['not attempted before the deadline'] = command.subscribers - nextIndex;
    const failed = command.subscribers - this.subscribers.length;
    const result: ConnectResult = { connected: this.subscribers.length, failed, failures, totalMs, perConnection: summarizeLatencies(perConnection) };
    if (command.transport === 'default') result.upgraded = upgraded;
    return result;
  }

  closeAll(): void {
    this.closing = true;
    for (const subscriber of this.subscribers.splice(0)) subscriber.close();
  }

  private open({ target, url, transport, pusherClient }: ConnectCommand, timeoutMs: number, onUpgrade: () => void, localAddress?: string): Promise<Subscriber> {
    switch (subscriberProtocol(target)) {
      case 'socket.io':
        return this.openSocketIo(url, transport, timeoutMs, onUpgrade, localAddress);
      case 'pusher':
        if (pusherClient === 'pusher-js') {
          if (localAddress !== undefined) throw new Error('pusher-js cannot bind a source address: use --pusher-client lean');
          return this.openPusherJs(url, timeoutMs);
        }
        return this.openPusher(url, timeoutMs, localAddress);
      case 'raw':
        return this.openWebSocket(url, timeoutMs, localAddress);
    }
  }

  /** The real pusher-js, subscribed to `public`: resolves once its subscription succeeded. */
  private openPusherJs(url: string, timeoutMs: number): Promise<Subscriber> {
    return new Promise((resolve, reject) => {
      const client = new PusherClient(BENCH_PUSHER_APP.key, {
        wsHost: new URL(url).hostname,
        wsPort: Number(new URL(url).port),
        forceTLS: false,
        enabledTransports: ['ws'],
        cluster: 'mt1',
        disableStats: true,
      });
      let subscribed = false;
      const timer = setTimeout(() => {
        client.disconnect();
        reject(new Error('no pusher-js subscription_succeeded in time'));
      }, Math.max(1000, timeoutMs));
      const channel = client.subscribe('public');
      channel.bind_global((event: string, data: unknown) => {
        if (event.startsWith('pusher:')) return;
        const id = (data as { id?: unknown } | null)?.id;
        if (typeof id === 'string') this.onDelivery(id);
      });
      channel.bind('pusher:subscription_succeeded', () => {
        if (subscribed) return;
        subscribed = true;
        clearTimeout(timer);
        // pusher-js reconnects by itself; a connection that left `connected` while measuring is a drop.
        client.connection.bind('state_change', ({ current }: { current: string }) => {
          if (current !== 'connected' && !this.closing) this.disconnects++;
        });
        resolve({ close: () => client.disconnect() });
      });
      channel.bind('pusher:subscription_error', (error: unknown) => {
        clearTimeout(timer);
        client.disconnect();
        reject(new Error(`pusher:subscription_error: ${JSON.stringify(error)}`));
      });
      client.connection.bind('failed', () => {
        clearTimeout(timer);
        reject(new Error('pusher-js: connection failed'));
      });
    });
  }

  /** A Pusher protocol 7 client subscribed to `public`: resolves once pusher_internal:subscription_succeeded came. */
  private openPusher(url: string, timeoutMs: number, localAddress?: string): Promise<Subscriber> {
    return new Promise((resolve, reject) => {
      const address = `${url.replace(/^http/, 'ws')}/app/${BENCH_PUSHER_APP.key}?protocol=7&client=wp-realtime-bench&version=1.0.0`;
      const socket = new WebSocket(address, { perMessageDeflate: false, handshakeTimeout: Math.max(1000, timeoutMs), localAddress });
      let subscribed = false;
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error('no pusher subscription_succeeded in time'));
      }, Math.max(1000, timeoutMs));
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { event?: string; channel?: string; data?: unknown };
        if (message.channel === 'public' && typeof message.data === 'string' && !message.event?.startsWith('pusher')) {
          const data = JSON.parse(message.data) as { id?: unknown };
          if (typeof data.id === 'string') this.onDelivery(data.id);
        } else if (message.event === 'pusher:connection_established') {
          socket.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'public' } }));
        } else if (message.event === 'pusher_internal:subscription_succeeded' && !subscribed) {
          subscribed = true;
          clearTimeout(timer);
          socket.once('close', () => {
            if (!this.closing) this.disconnects++;
          });
          resolve({ close: () => socket.terminate() });
        } else if (message.event === 'pusher:ping') {
          socket.send(JSON.stringify({ event: 'pusher:pong', data: {} }));
        } else if (message.event === 'pusher:error' || message.event === 'pusher:subscription_error') {
          clearTimeout(timer);
          socket.terminate();
          reject(new Error(`${message.event}: ${JSON.stringify(message.data)}`));
        }
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  private openSocketIo(url: string, transport: Transport, timeoutMs: number, onUpgrade: () => void, localAddress?: string): Promise<Subscriber> {
    return new Promise((resolve, reject) => {
      const socket: Socket = io(url, {
        forceNew: true,
        reconnection: false,
        timeout: Math.max(1000, timeoutMs),
        ...(transport === 'websocket' ? { transports: ['websocket'] } : {}),
        // engine.io-client hands localAddress to its `ws` WebSocket in Node (not in its typings).
        ...(localAddress === undefined ? {} : ({ localAddress } as Record<string, string>)),
      });
      socket.on('custom_event', (event: { id?: unknown }) => {
        if (typeof event?.id === 'string') this.onDelivery(event.id);
      });
      socket.once('connect', () => {
        if (socket.io.engine.transport.name === 'websocket') onUpgrade();
        else socket.io.engine.once('upgrade', onUpgrade);
        socket.once('disconnect', () => {
          if (!this.closing) this.disconnects++;
        });
        resolve({ close: () => socket.disconnect() });
      });
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
  }

  private openWebSocket(url: string, timeoutMs: number, localAddress?: string): Promise<Subscriber> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url.replace(/^http/, 'ws'), { perMessageDeflate: false, handshakeTimeout: Math.max(1000, timeoutMs), localAddress });
      socket.on('message', (data) => {
        const event = JSON.parse(String(data)) as { id?: unknown };
        if (typeof event.id === 'string') this.onDelivery(event.id);
      });
      socket.once('open', () => {
        socket.once('close', () => {
          if (!this.closing) this.disconnects++;
        });
        resolve({ close: () => socket.terminate() });
      });
      socket.once('error', reject);
    });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

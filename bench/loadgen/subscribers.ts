/**
 * N subscribers of one server, all in this process: socket.io clients for the two socket.io relays, plain `ws`
 * clients for the raw baseline, and lean Pusher-protocol clients over `ws` for the relay's Pusher front-end. Each
 * delivery is reported by event id to one callback.
 * Why not pusher-js per subscriber: its Node build keeps per-client timers, a connection state machine and a
 * default 4 s activity check each, so 5k of them would measure the load generator's CPU rather than the relay; the
 * lean client sends exactly what pusher-js sends (connect with protocol=7, pusher:subscribe, pusher:pong) and reads
 * the same frames. The browser proof with the real pusher-js is e2e/specs/pusher-wordpress.spec.ts.
 */
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { summarizeLatencies } from '../stats.js';
import { BENCH_PUSHER_APP, subscriberProtocol, type AnyTarget, type Transport } from '../targets.js';
import type { ConnectCommand, ConnectResult } from './messages.js';

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
          const subscriber = await this.open(command.target, command.url, command.transport, deadline - t0, () => upgraded++, localAddress);
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

  private open(target: AnyTarget, url: string, transport: Transport, timeoutMs: number, onUpgrade: () => void, localAddress?: string): Promise<Subscriber> {
    switch (subscriberProtocol(target)) {
      case 'socket.io':
        return this.openSocketIo(url, transport, timeoutMs, onUpgrade, localAddress);
      case 'pusher':
        return this.openPusher(url, timeoutMs, localAddress);
      case 'raw':
        return this.openWebSocket(url, timeoutMs, localAddress);
    }
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

/** A real socket.io client on the relay that records every `custom_event` it receives. */
import { io, type Socket } from 'socket.io-client';

export interface RelayEnvelope {
  id: string;
  channel: string;
  type: string;
  data: Record<string, unknown>;
  time: string;
}

export interface RelayListener {
  readonly events: RelayEnvelope[];
  /** When (Date.now()) this client received the event. */
  arrivedAt(event: RelayEnvelope): number;
  waitFor(predicate: (event: RelayEnvelope) => boolean, timeoutMs?: number, what?: string): Promise<RelayEnvelope>;
  close(): void;
}

export async function listenOnRelay(relayUrl: string, auth: { token?: string } = {}): Promise<RelayListener> {
  const socket: Socket = io(relayUrl, { auth, transports: ['websocket'], reconnection: true, reconnectionDelay: 200 });
  const events: RelayEnvelope[] = [];
  const arrivals = new WeakMap<RelayEnvelope, number>();
  socket.on('custom_event', (event: RelayEnvelope) => {
    arrivals.set(event, Date.now());
    events.push(event);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => {
      socket.close();
      reject(new Error(`relay refused the connection: ${error.message}`));
    });
  });
  return {
    events,
    arrivedAt: (event) => arrivals.get(event) ?? Number.NaN,
    async waitFor(predicate, timeoutMs = 15_000, what = 'the expected event') {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = events.find(predicate);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no ${what} reached the socket.io client within ${timeoutMs / 1000}s; received: ${JSON.stringify(events).slice(0, 1000)}`);
    },
    close: () => socket.close(),
  };
}

/** Whether a connection with this token is accepted (true) or refused with connect_error (false). */
export function relayAccepts(relayUrl: string, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = io(relayUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
    socket.once('connect', () => {
      socket.close();
      resolve(true);
    });
    socket.once('connect_error', () => {
      socket.close();
      resolve(false);
    });
  });
}

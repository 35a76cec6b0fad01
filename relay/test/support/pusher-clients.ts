/**
 * Pusher clients for the relay tests: pusher-js 8 (its Node build, over WebSocket) as the browser, authorized by the
 * `pusher` Node SDK 5 as the site's server would (channel authorization, presence channel_data, user sign-in).
 */
import Pusher from 'pusher';
import PusherJs from 'pusher-js';
import { settle } from './clients.js';

// pusher-js is CommonJS (module.exports = the class) while its types declare an ES default export: under NodeNext the
// default import is the class at run time and a namespace to the type checker.
export const PusherClient = PusherJs as unknown as typeof PusherJs.default;
export type PusherClient = InstanceType<typeof PusherClient>;

export const APP = { id: 'app-1', key: 'key-abc', secret: 'pusher-secret-0123456789' };
export const PUSHER_FLAGS = ['--pusher-app-id', APP.id, '--pusher-key', APP.key, '--pusher-secret', APP.secret, '--ingest-rate', '10000'];

export interface Received {
  channel: string;
  event: string;
  data: unknown;
}

export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** The server SDK, pointed at the relay. */
export function server(url: string, secret = APP.secret): Pusher {
  return new Pusher({ appId: APP.id, key: APP.key, secret, host: '127.0.0.1', port: String(portOf(url)), useTLS: false });
}

export type Authorize = (socketId: string, channel: string) => { auth: string; channel_data?: string };
export type Authenticate = (socketId: string) => { auth: string; user_data: string };

/** What a site's Pusher auth endpoint answers for a presence channel: the member is user `id` with `info`. */
export function presenceAuthorizer(url: string, id: string, info: Record<string, unknown> = { name: `User ${id}` }): Authorize {
  return (socketId, channel) => server(url).authorizeChannel(socketId, channel, { user_id: id, user_info: info });
}

/** What a site's user-authentication endpoint answers for pusher:signin. */
export function userAuthenticator(url: string, id: string, secret = APP.secret): Authenticate {
  return (socketId) => server(url, secret).authenticateUser(socketId, { id, user_info: { name: `User ${id}` } });
}

export function pusherOptions(url: string, authorize: Authorize, authenticate?: Authenticate): ConstructorParameters<typeof PusherClient>[1] {
  return {
    wsHost: '127.0.0.1',
    wsPort: portOf(url),
    forceTLS: false,
    enabledTransports: ['ws'],
    cluster: 'mt1',
    channelAuthorization: {
      endpoint: 'unused',
      transport: 'ajax',
      customHandler: ({ socketId, channelName }: { socketId: string; channelName: string }, callback: (error: Error | null, data: { auth: string } | null) => void) =>
        callback(null, authorize(socketId, channelName)),
    },
    userAuthentication: {
      endpoint: 'unused',
      transport: 'ajax',
      customHandler: ({ socketId }: { socketId: string }, callback: (error: Error | null, data: { auth: string; user_data: string } | null) => void) =>
        authenticate ? callback(null, authenticate(socketId)) : callback(new Error('no user authentication in this test'), null),
    },
  };
}

/** A pusher-js client as a browser would make it, authorizing private channels with the SDK (what WordPress does). */
export function browser(url: string, key = APP.key, authorize: Authorize = (socketId, channel) => server(url).authorizeChannel(socketId, channel), authenticate?: Authenticate): PusherClient {
  return new PusherClient(key, pusherOptions(url, authorize, authenticate));
}

export function connected(client: PusherClient): Promise<void> {
  return new Promise((resolve, reject) => {
    if (client.connection.state === 'connected') return resolve();
    const timer = setTimeout(() => reject(new Error(`pusher-js state ${client.connection.state}`)), 5_000);
    client.connection.bind('connected', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Subscribes and resolves once the relay confirmed it, or rejects with the relay's subscription error. */
export function subscribed(client: PusherClient, name: string, into: Received[]): Promise<void> {
  const channel = client.subscribe(name);
  channel.bind_global((event: string, data: unknown) => {
    if (!event.startsWith('pusher:') && !event.startsWith('pusher_internal:')) into.push({ channel: name, event, data });
  });
  return new Promise((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', () => resolve());
    channel.bind('pusher:subscription_error', (error: unknown) => reject(Object.assign(new Error('subscription refused'), { detail: error })));
  });
}

export async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await settle(20);
  }
}

/** Like until(), for a check that has to ask something (an HTTP status). */
export async function untilAnswer(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await settle(50);
  }
}

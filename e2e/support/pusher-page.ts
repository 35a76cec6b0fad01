/**
 * A WordPress page with the real pusher-js (8.x, its browser build) and Laravel Echo (2.x, its IIFE build) loaded
 * from node_modules, connected to the relay's Pusher front-end and authorizing through the plugin's routes
 * (POST /wp-json/<slug>/v1/pusher/auth and /pusher/user-auth) with the page's own cookies and a REST nonce, as a
 * theme migrating from Pusher would set them up. Everything either client receives is recorded in the page.
 */
import { join } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { packageRoot } from '../../stack/package-root.js';
import { e2ePusherApp, type E2ePusherApp } from './pusher-app.js';
import type { E2eStack } from './stack-env.js';

const PUSHER_JS = join(packageRoot(), 'node_modules', 'pusher-js', 'dist', 'web', 'pusher.min.js');
const ECHO_JS = join(packageRoot(), 'node_modules', 'laravel-echo', 'dist', 'echo.iife.js');

export interface Received {
  via: 'pusher-js' | 'echo';
  channel: string;
  event: string;
  data: unknown;
}

/** What a subscription came to: accepted, or pusher-js's subscription_error (`status` is the auth route's). */
export type SubscriptionOutcome = { ok: true } | { ok: false; status: number | null; type: string };

export interface PusherPage {
  page: Page;
  /** Subscribes the plain pusher-js client; resolves with the outcome. */
  subscribe(channel: string): Promise<SubscriptionOutcome>;
  /** Subscribes Laravel Echo (`echo.channel()` or, for private-/presence-, `echo.private()`), listening for `event`. */
  echoListen(channel: string, event: string): Promise<SubscriptionOutcome>;
  /** Joins a presence channel with pusher-js; resolves with the member ids once subscribed. */
  joinPresence(channel: string): Promise<{ ok: true; me: string; members: Record<string, unknown> } | { ok: false; status: number | null; type: string }>;
  /**
   * pusher-js's `signin()` (user authentication through the plugin's /pusher/user-auth, then `pusher:signin` to the
   * relay): the user_data the relay confirmed with pusher:signin_success, or null when either refused.
   */
  signin(): Promise<{ id: string; user_info?: Record<string, unknown> } | null>;
  /** Members of a joined presence channel now. */
  members(channel: string): Promise<Record<string, unknown>>;
  received(): Promise<Received[]>;
  /** Uncaught page errors. */
  errors: string[];
}

interface PageConfig {
  key: string;
  wsHost: string;
  wsPort: number;
  authEndpoint: string;
  userAuthEndpoint: string;
}

/** Opens a Pusher page in each of these contexts at once, for the run's Pusher app; the pages come in the same order. */
export function openPusherPages<const Contexts extends readonly BrowserContext[]>(
  contexts: Contexts,
  stack: E2eStack,
): Promise<{ [K in keyof Contexts]: PusherPage }> {
  const app = e2ePusherApp(stack.secret);
  return Promise.all(contexts.map((context) => openPusherPage(context, stack, app))) as Promise<{ [K in keyof Contexts]: PusherPage }>;
}

/** Opens the site's front page in `context` and connects both clients. */
export async function openPusherPage(context: BrowserContext, stack: E2eStack, app: E2ePusherApp): Promise<PusherPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(new URL('/', stack.wpUrl).href);
  await page.addScriptTag({ path: PUSHER_JS });
  await page.addScriptTag({ path: ECHO_JS });
  const relay = new URL(stack.relayUrl);
  const config: PageConfig = {
    key: app.key,
    wsHost: relay.hostname,
    wsPort: Number(relay.port),
    authEndpoint: `/wp-json/${stack.pluginSlug}/v1/pusher/auth`,
    userAuthEndpoint: `/wp-json/${stack.pluginSlug}/v1/pusher/user-auth`,
  };
  await page.evaluate(async (cfg: PageConfig) => {
    // A logged-in browser gets a REST nonce from admin-ajax (what wp_localize_script would print); a visitor gets "0".
    const nonceResponse = await fetch('/wp-admin/admin-ajax.php?action=rest-nonce', { credentials: 'same-origin' });
    const nonce = nonceResponse.ok ? await nonceResponse.text() : '';
    const headers: Record<string, string> = /^[0-9a-f]{10}$/.test(nonce) ? { 'X-WP-Nonce': nonce } : {};
    const w = window as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const common = {
      wsHost: cfg.wsHost,
      wsPort: cfg.wsPort,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      cluster: 'mt1',
    };
    const received: unknown[] = [];
    const pusher = new w['Pusher'](cfg.key, {
      ...common,
      channelAuthorization: { endpoint: cfg.authEndpoint, transport: 'ajax', headers },
      userAuthentication: { endpoint: cfg.userAuthEndpoint, transport: 'ajax', headers },
    });
    const echo = new w['Echo'].default({
      broadcaster: 'pusher',
      key: cfg.key,
      Pusher: w['Pusher'],
      ...common,
      authEndpoint: cfg.authEndpoint,
      auth: { headers },
      userAuthentication: { endpoint: cfg.userAuthEndpoint, headers },
    });
    w['__wpr'] = { pusher, echo, received, headers };
  }, config);

  return {
    page,
    errors,
    subscribe: (channel) =>
      page.evaluate(
        (name) =>
          new Promise<SubscriptionOutcome>((resolve) => {
            const w = (window as unknown as Record<string, any>)['__wpr']; // eslint-disable-line @typescript-eslint/no-explicit-any
            const subscription = w.pusher.subscribe(name);
            subscription.bind_global((event: string, data: unknown) => {
              if (!event.startsWith('pusher')) w.received.push({ via: 'pusher-js', channel: name, event, data });
            });
            subscription.bind('pusher:subscription_succeeded', () => resolve({ ok: true }));
            subscription.bind('pusher:subscription_error', (error: { status?: number; type?: string }) =>
              resolve({ ok: false, status: error.status ?? null, type: String(error.type) }),
            );
          }),
        channel,
      ),
    echoListen: (channel, event) =>
      page.evaluate(
        ([name, eventName]) =>
          new Promise<SubscriptionOutcome>((resolve) => {
            const w = (window as unknown as Record<string, any>)['__wpr']; // eslint-disable-line @typescript-eslint/no-explicit-any
            // Echo adds the private- prefix itself; a leading "." keeps it from prefixing the event with App\Events.
            const echoChannel = name.startsWith('private-') ? w.echo.private(name.slice('private-'.length)) : w.echo.channel(name);
            echoChannel.listen(`.${eventName}`, (data: unknown) => w.received.push({ via: 'echo', channel: name, event: eventName, data }));
            echoChannel.subscribed(() => resolve({ ok: true }));
            echoChannel.error((error: { status?: number; type?: string }) => resolve({ ok: false, status: error.status ?? null, type: String(error.type) }));
          }),
        [channel, event] as const,
      ),
    joinPresence: (channel) =>
      page.evaluate(
        (name) =>
          new Promise<{ ok: true; me: string; members: Record<string, unknown> } | { ok: false; status: number | null; type: string }>((resolve) => {
            const w = (window as unknown as Record<string, any>)['__wpr']; // eslint-disable-line @typescript-eslint/no-explicit-any
            const subscription = w.pusher.subscribe(name);
            subscription.bind('pusher:subscription_succeeded', (members: { me: { id: string }; members: Record<string, unknown> }) =>
              resolve({ ok: true, me: members.me.id, members: { ...members.members } }),
            );
            subscription.bind('pusher:subscription_error', (error: { status?: number; type?: string }) =>
              resolve({ ok: false, status: error.status ?? null, type: String(error.type) }),
            );
          }),
        channel,
      ),
    signin: () =>
      page.evaluate(async () => {
        const w = (window as unknown as Record<string, any>)['__wpr']; // eslint-disable-line @typescript-eslint/no-explicit-any
        w.pusher.signin();
        // Resolved on pusher:signin_success, and also when the authentication failed (user_data stays null).
        await w.pusher.user.signinDonePromise;
        return w.pusher.user.user_data as { id: string; user_info?: Record<string, unknown> } | null;
      }),
    members: (channel) =>
      page.evaluate((name) => {
        const w = (window as unknown as Record<string, any>)['__wpr']; // eslint-disable-line @typescript-eslint/no-explicit-any
        return { ...w.pusher.channel(name).members.members } as Record<string, unknown>;
      }, channel),
    received: () => page.evaluate(() => [...(window as unknown as Record<string, { received: Received[] }>)['__wpr']!.received]),
  };
}

/**
 * Issue 15, the WordPress side of Pusher compatibility, in Chromium against real WordPress: the real pusher-js and
 * Laravel Echo (Pusher connector) in a page of the site connect to the relay's Pusher front-end, subscribe to a
 * public and a private channel with the authorization of the plugin's POST /pusher/auth (a logged-in user gets their
 * own private channel; a visitor and another user are refused it), and receive events WordPress publishes through its
 * outbox (the signed trigger route, the PHP send API) and events the official `pusher` Node SDK sends through the
 * relay's HTTP API; two logged-in browsers on a post see each other in its presence channel (channel_data signed by
 * WordPress), and pusher:signin works with the plugin's /pusher/user-auth.
 * The spec runs its own relay on the stack's port, with the run's Pusher app (support/pusher-app.ts), and gives the
 * shared one back afterwards.
 */
import Pusher from 'pusher';
import { relayProcess, type RelayProcess } from '../../stack/relay-process.js';
import { expect, test, webhookArgs } from '../support/fixtures.js';
import { sendNotice, sendToUser } from '../support/notice.js';
import { e2ePusherApp, pusherRelayArgs } from '../support/pusher-app.js';
import { openPusherPages, type PusherPage, type Received } from '../support/pusher-page.js';
import { uniqueMarker } from '../support/trigger.js';
import { aliceBobAndVisitor } from '../support/users.js';

let pusherRelay: RelayProcess | null = null;

test.beforeAll(async ({ relay, stack }) => {
  await relay.stop();
  pusherRelay = relayProcess({
    port: stack.relayPort,
    host: stack.relayListenHost,
    secret: stack.secret,
    extraArgs: ['--log-level', 'warn', ...webhookArgs(stack), ...pusherRelayArgs(e2ePusherApp(stack.secret))],
  });
  await pusherRelay.start();
});

test.afterAll(async ({ relay }) => {
  await pusherRelay?.stop();
  await relay.start();
});

function sdk(stack: { relayUrl: string; secret: string }): Pusher {
  const app = e2ePusherApp(stack.secret);
  const relay = new URL(stack.relayUrl);
  return new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: relay.hostname, port: relay.port, useTLS: false });
}

/** Waits until the page has received an event with this title on this channel through this client. */
async function expectReceived(view: PusherPage, via: Received['via'], channel: string, title: string): Promise<void> {
  await expect
    .poll(async () => (await view.received()).filter((r) => r.via === via && r.channel === channel && (r.data as { title?: string })?.title === title).length, {
      timeout: 20_000,
      message: `${via} on ${channel}: "${title}"`,
    })
    .toBe(1);
}

function titlesOn(received: Received[], channel: string): string[] {
  return received.filter((r) => r.channel === channel).map((r) => String((r.data as { title?: unknown })?.title));
}

test('pusher-js and Laravel Echo read public and private channels authorized by WordPress, from the outbox and the pusher SDK', async ({
  browser,
  admin,
  anonymous,
  stack,
}) => {
  test.setTimeout(150_000);
  const { alice, contexts } = await aliceBobAndVisitor(browser, admin, stack.wpUrl);
  const aliceChannel = `private-user-${alice.id}`;
  try {
    const [aliceView, bobView, visitorView] = await openPusherPages(contexts, stack);

    // Alice: her own private channel through both clients; the public one too.
    expect(await aliceView.subscribe('public')).toEqual({ ok: true });
    expect(await aliceView.subscribe(aliceChannel)).toEqual({ ok: true });
    expect(await aliceView.echoListen('public', 'notice.test')).toEqual({ ok: true });
    expect(await aliceView.echoListen(aliceChannel, 'notice.test')).toEqual({ ok: true });
    // Bob (a subscriber too, so under-privileged for Alice's channel) is refused by WordPress (403); a visitor has no
    // session at all (401). Both still read the public channel.
    expect(await bobView.subscribe(aliceChannel)).toEqual({ ok: false, status: 403, type: 'AuthError' });
    expect(await bobView.echoListen(aliceChannel, 'notice.test')).toEqual({ ok: false, status: 403, type: 'AuthError' });
    expect(await visitorView.subscribe(aliceChannel)).toEqual({ ok: false, status: 401, type: 'AuthError' });
    for (const view of [bobView, visitorView]) expect(await view.subscribe('public')).toEqual({ ok: true });

    const marker = uniqueMarker('pusher');
    const fromTrigger = `trigger ${marker}`;
    const fromSendApi = `send api ${marker}`;
    const fromSdkPublic = `sdk public ${marker}`;
    const fromSdkPrivate = `sdk private ${marker}`;
    // WordPress: a signed trigger (outbox → relay) on public, and <prefix>_send_to_user() for Alice.
    await sendNotice(anonymous, stack, { title: fromTrigger, channel: 'public' });
    await sendToUser(admin, stack.pluginSlug, alice.id, fromSendApi);
    // The official pusher SDK through the relay's HTTP API, as a Pusher-based plugin's server code would.
    await sdk(stack).trigger('public', 'notice.test', { title: fromSdkPublic });
    await sdk(stack).trigger(aliceChannel, 'notice.test', { title: fromSdkPrivate });

    for (const via of ['pusher-js', 'echo'] as const) {
      for (const title of [fromTrigger, fromSdkPublic]) await expectReceived(aliceView, via, 'public', title);
      for (const title of [fromSendApi, fromSdkPrivate]) await expectReceived(aliceView, via, aliceChannel, title);
    }
    for (const view of [bobView, visitorView]) {
      for (const title of [fromTrigger, fromSdkPublic]) await expectReceived(view, 'pusher-js', 'public', title);
    }
    // Alice's events have reached her, so they have had their chance everywhere: Bob and the visitor saw none.
    for (const view of [bobView, visitorView]) {
      const received = await view.received();
      expect(titlesOn(received, aliceChannel)).toEqual([]);
      expect(received.map((r) => r.channel)).toEqual(['public', 'public']);
    }
    for (const view of [aliceView, bobView, visitorView]) expect(view.errors).toEqual([]);
  } finally {
    for (const context of contexts) await context.close();
  }
});

test('two browsers on a post see each other as presence members with the name WordPress signed; pusher:signin with /pusher/user-auth', async ({ browser, admin, stack }) => {
  test.setTimeout(150_000);
  const post = await admin.request('/wp-json/wp/v2/posts', { method: 'POST', withNonce: true, json: { title: `Presence ${uniqueMarker('post')}`, status: 'publish' } });
  expect(post.status, post.text.slice(0, 300)).toBe(201);
  const channel = `presence-post-${post.json<{ id: number }>().id}`;
  const { alice, bob, contexts } = await aliceBobAndVisitor(browser, admin, stack.wpUrl);
  try {
    const [aliceView, bobView, visitorView] = await openPusherPages(contexts, stack);
    const aliceJoined = await aliceView.joinPresence(channel);
    expect(aliceJoined).toMatchObject({ ok: true, me: String(alice.id) });
    const bobJoined = await bobView.joinPresence(channel);
    expect(bobJoined).toMatchObject({ ok: true, me: String(bob.id) });
    if (bobJoined.ok) expect(Object.keys(bobJoined.members).sort()).toEqual([String(alice.id), String(bob.id)].sort());
    // Alice's page learns of Bob through pusher_internal:member_added, with the member info WordPress signed.
    await expect.poll(async () => (await aliceView.members(channel))[String(bob.id)], { timeout: 15_000 }).toMatchObject({ name: bob.username });
    // A visitor is never a member (401 from WordPress).
    expect(await visitorView.joinPresence(channel)).toEqual({ ok: false, status: 401, type: 'AuthError' });
    // Sign-in: the relay accepts the user_data WordPress signed for Alice (pusher:signin_success); a visitor gets none.
    expect(await aliceView.signin()).toMatchObject({ id: String(alice.id), user_info: { name: alice.username } });
    expect(await visitorView.signin()).toBeNull();
    for (const view of [aliceView, bobView, visitorView]) expect(view.errors).toEqual([]);
  } finally {
    for (const context of contexts) await context.close();
  }
});

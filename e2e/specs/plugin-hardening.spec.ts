/**
 * Issue 12's plugin findings in a real WordPress: what a logged-in Author may publish (10), a client-supplied id
 * sent twice (11), and a password-protected post published by someone holding the post-password cookie (12).
 */
import { signatureHeader, SIGNATURE_HEADER } from '../../protocol/signature.js';
import { expect, test } from '../support/fixtures.js';
import { awaitDelivery, withMarker } from '../support/delivery.js';
import { outboxTotal } from '../support/plugin-status.js';
import { listenOnRelay, type RelayEnvelope, type RelayListener } from '../support/relay-listener.js';
import { signedTrigger, triggerPath, uniqueMarker } from '../support/trigger.js';
import { createUserSession } from '../support/users.js';
import { runCron, type WpClient } from '../support/wp-client.js';

const ALLOW_CHANNEL_HEADER = 'X-WP-Realtime-E2E-Allow-Channel';
const SHOW_DB_ERRORS_HEADER = 'X-WP-Realtime-E2E-Show-Db-Errors';

/** A socket.io client with the administrator's token: it reads public, private-user-<admin id> and role-administrator. */
async function adminListener(admin: WpClient, slug: string, relayUrl: string): Promise<{ listener: RelayListener; adminId: number }> {
  const response = await admin.request(`/wp-json/${slug}/v1/token`, { withNonce: true });
  expect(response.status, response.text).toBe(200);
  const { token, channels } = response.json<{ token: string; channels: string[] }>();
  expect(channels).toContain('role-administrator');
  const adminId = Number(channels.find((c) => c.startsWith('private-user-'))?.slice('private-user-'.length));
  expect(adminId).toBeGreaterThan(0);
  return { listener: await listenOnRelay(relayUrl, { token }), adminId };
}

function userTrigger(client: WpClient, path: string, body: string, headers: Record<string, string> = {}) {
  return client.request(path, { method: 'POST', withNonce: true, headers: { 'content-type': 'application/json', ...headers }, body });
}

/** Gives queued events time to go out (cron runs), then returns what the listener got that matches. */
async function settle(admin: WpClient, listener: RelayListener, predicate: (e: RelayEnvelope) => boolean): Promise<RelayEnvelope[]> {
  await runCron(admin);
  await new Promise((r) => setTimeout(r, 1500));
  return listener.events.filter(predicate);
}

test('an Author may publish only to public channels: private, role and reserved types are refused (403 naming why) and never delivered', async ({
  admin,
  anonymous,
  relay,
  stack,
}) => {
  test.setTimeout(300_000);
  const slug = stack.pluginSlug;
  const author = await createUserSession(admin, 'author');
  const { listener, adminId } = await adminListener(admin, slug, relay.url);
  try {
    const refusedMarkers: string[] = [];
    const totalBefore = await outboxTotal(admin, slug);
    for (const path of [triggerPath(slug), `/wp-json/${slug}/v1/events`]) {
      for (const [channel, type, code] of [
        [`private-user-${adminId}`, 'note.sent', 'channel_not_allowed'],
        ['role-administrator', 'note.sent', 'channel_not_allowed'],
        [`private-user-${author.id}`, 'note.sent', 'channel_not_allowed'],
        ['public', 'post.published', 'reserved_event_type'],
        ['public', 'comment.approved', 'reserved_event_type'],
      ] as const) {
        const marker = uniqueMarker('refused');
        refusedMarkers.push(marker);
        const response = await userTrigger(author.client, path, JSON.stringify({ type, channel, data: { marker, id: 1, title: 'fake' } }));
        expect.soft(response.status, `${path} ${channel} ${type}: ${response.text.slice(0, 200)}`).toBe(403);
        const body = response.json<{ code: string; message: string }>();
        expect.soft(body.code, `${path} ${channel} ${type}`).toBe(code);
        expect.soft(body.message.length, 'the message says why').toBeGreaterThan(10);
      }
    }
    expect(await outboxTotal(admin, slug), 'a refused event is not stored').toBe(totalBefore);

    // The allowed ones: public-* is queued, and public is delivered to the same listener (which proves it listened).
    const lobby = await userTrigger(author.client, triggerPath(slug), JSON.stringify({ type: 'chat.message', channel: 'public-chat', data: { marker: uniqueMarker('lobby') } }));
    expect(lobby.status, lobby.text).toBe(202);
    const allowed = uniqueMarker('author-public');
    const ok = await userTrigger(author.client, `/wp-json/${slug}/v1/events`, JSON.stringify({ type: 'chat.message', channel: 'public', data: { marker: allowed } }));
    expect(ok.status, ok.text).toBe(202);
    await awaitDelivery(admin, listener, withMarker(allowed), { what: `public ${allowed}` });

    // Signed requests keep full access, reserved types and role channels included.
    const signedMarker = uniqueMarker('signed-role');
    const signed = await signedTrigger(anonymous, slug, stack.secret, {
      body: JSON.stringify({ type: 'post.published', channel: 'role-administrator', data: { marker: signedMarker } }),
    });
    expect(signed.status, signed.text).toBe(202);
    await awaitDelivery(admin, listener, withMarker(signedMarker), { what: `signed role-administrator ${signedMarker}` });

    expect(await settle(admin, listener, (e) => refusedMarkers.includes(String(e.data?.['marker'])))).toEqual([]);
  } finally {
    listener.close();
  }
});

test('the <prefix>_user_publish_allowed filter opens a channel, and is given the user, channel and type', async ({ admin, relay, stack }) => {
  test.setTimeout(180_000);
  const slug = stack.pluginSlug;
  const author = await createUserSession(admin, 'author');
  const { listener } = await adminListener(admin, slug, relay.url);
  try {
    const marker = uniqueMarker('opened');
    const response = await userTrigger(author.client, `/wp-json/${slug}/v1/events`, JSON.stringify({ type: 'desk.note', channel: 'role-administrator', data: { marker } }), {
      [ALLOW_CHANNEL_HEADER]: 'role-administrator',
    });
    expect(response.status, response.text).toBe(202);
    const saw = JSON.parse(decodeURIComponent(response.headers.get('x-wp-realtime-e2e-filter-saw') ?? '{}')) as Record<string, unknown>;
    expect(saw).toEqual({ allowed: false, user: author.id, channel: 'role-administrator', type: 'desk.note' });
    const event = await awaitDelivery(admin, listener, withMarker(marker), { what: `opened role-administrator ${marker}` });
    expect(event).toMatchObject({ channel: 'role-administrator', type: 'desk.note' });
  } finally {
    listener.close();
  }
});

test('a client-supplied id sent again is answered "duplicate" (202, clean JSON even with DB errors shown) and delivered once', async ({ admin, anonymous, relay, stack }) => {
  test.setTimeout(300_000);
  const slug = stack.pluginSlug;
  const listener = await listenOnRelay(relay.url);
  try {
    const marker = uniqueMarker('dup');
    const id = `dup-${marker}`;
    const body = JSON.stringify({ id, type: 'order.paid', data: { marker } });
    const first = await signedTrigger(anonymous, slug, stack.secret, { body });
    expect(first.status, first.text).toBe(202);
    expect(first.json()).toEqual({ status: 'queued', id });

    // With the database errors shown first: before the fix, the duplicate-key error was printed ahead of the JSON.
    const variants: Array<Record<string, string>> = [{ [SHOW_DB_ERRORS_HEADER]: '1' }, {}];
    for (const extra of variants) {
      const again = await anonymous.request(triggerPath(slug), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signatureHeader(stack.secret, body), ...extra },
        body,
      });
      expect(again.text, 'no database error text in the answer').not.toMatch(/database error|Duplicate entry|UNIQUE constraint/i);
      expect(again.status, again.text).toBe(202);
      expect(again.json()).toEqual({ status: 'duplicate', id });
    }
    // The REST route and a logged-in Author (public channel) get the same answer.
    const author = await createUserSession(admin, 'author');
    const viaRest = await userTrigger(author.client, `/wp-json/${slug}/v1/events`, body, { [SHOW_DB_ERRORS_HEADER]: '1' });
    expect(viaRest.text).not.toMatch(/database error|Duplicate entry|UNIQUE constraint/i);
    expect(viaRest.status, viaRest.text).toBe(202);
    expect(viaRest.json()).toEqual({ status: 'duplicate', id });

    await awaitDelivery(admin, listener, withMarker(marker), { what: `order.paid ${marker}` });
    expect((await settle(admin, listener, withMarker(marker))).map((e) => e.id)).toEqual([id]);
  } finally {
    listener.close();
  }
});

test('a password-protected post sends no post.published, even when its publisher holds the post-password cookie', async ({ admin, relay }) => {
  test.setTimeout(300_000);
  const listener = await listenOnRelay(relay.url);
  try {
    const password = `pw-${uniqueMarker('post')}`;
    const publish = async (title: string, postPassword?: string) => {
      const response = await admin.request('/wp-json/wp/v2/posts', {
        method: 'POST',
        withNonce: true,
        json: { title, content: 'x', status: 'publish', ...(postPassword ? { password: postPassword } : {}) },
      });
      expect(response.status, response.text).toBe(201);
    };
    await publish(`first protected ${uniqueMarker('p')}`, password);
    // The post-password form: WordPress sets the wp-postpass_<hash> cookie, so post_password_required() turns false
    // for every post with this password in this client's later requests.
    const form = await admin.request('/wp-login.php?action=postpass', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ post_password: password }).toString(),
    });
    expect(form.status, form.text.slice(0, 200)).toBeLessThan(400);
    const secretTitle = `protected ${uniqueMarker('secret')}`;
    await publish(secretTitle, password);
    const publicTitle = `public after ${uniqueMarker('public')}`;
    await publish(publicTitle);
    // Events go out in order: once the public one arrived, the protected one had its chance.
    await awaitDelivery(admin, listener, (e) => e.type === 'post.published' && e.data?.['title'] === publicTitle, { what: publicTitle });
    // get_the_title() prefixes "Protected: " to such a post's title, so match on the title's unique part.
    expect(listener.events.filter((e) => String(e.data?.['title']).includes(secretTitle))).toEqual([]);
  } finally {
    listener.close();
  }
});

/** The built-in post.published event, from a post published through the REST API. */
import { expect, test } from '../support/fixtures.js';
import { awaitDelivery } from '../support/delivery.js';
import { listenOnRelay } from '../support/relay-listener.js';
import { runCron } from '../support/wp-client.js';

test('publishing a post emits post.published on the public channel', async ({ admin, relay }) => {
  const listener = await listenOnRelay(relay.url);
  try {
    const title = `Live post ${Date.now().toString(36)}`;
    const created = await admin.request('/wp-json/wp/v2/posts', { method: 'POST', withNonce: true, json: { title, content: 'Hello', status: 'publish' } });
    expect(created.status, created.text).toBe(201);
    const post = created.json<{ id: number; link: string }>();

    const event = await awaitDelivery(admin, listener, (e) => e.type === 'post.published' && e.data?.['id'] === post.id, {
      what: `post.published for post ${post.id}`,
    });
    expect(event.channel).toBe('public');
    expect(event.data).toMatchObject({ id: post.id, title, url: post.link });
    expect(typeof event.data['time'] === 'string' || typeof event.data['time'] === 'number').toBe(true);
    expect(Object.keys(event.data)).toEqual(expect.arrayContaining(['id', 'title', 'url', 'time']));
    // The contract names the field only as "author name"; whatever its key, the author's display name is there.
    const me = (await admin.request('/wp-json/wp/v2/users/me', { withNonce: true })).json<{ name: string }>();
    expect(Object.values(event.data)).toContain(me.name);

    // Saving the published post again is an update, not a second publication.
    const updated = await admin.request(`/wp-json/wp/v2/posts/${post.id}`, { method: 'POST', withNonce: true, json: { content: 'Edited' } });
    expect(updated.status).toBe(200);
    await runCron(admin);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(listener.events.filter((e) => e.type === 'post.published' && e.data?.['id'] === post.id)).toHaveLength(1);
  } finally {
    listener.close();
  }
});

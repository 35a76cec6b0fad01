/**
 * Deactivation and uninstall. Runs in its own Playwright project after every other spec, because deleting the
 * plugin takes it away from the rest of the run.
 */
import { expect, test } from '../support/fixtures.js';
import { leftovers } from '../support/plugin-status.js';
import { eventBody, signedTrigger, triggerPath, uniqueMarker } from '../support/trigger.js';

test.describe.configure({ mode: 'serial' });

const pluginId = (slug: string): string => `${slug}/${slug}`;
const prefixOf = (slug: string): string => slug.replaceAll('-', '_');

test('deactivation removes the endpoint (404) and its cron events; re-activation brings it back', async ({ admin, anonymous, stack }) => {
  const slug = stack.pluginSlug;
  const deactivated = await admin.request(`/wp-json/wp/v2/plugins/${pluginId(slug)}`, { method: 'POST', withNonce: true, json: { status: 'inactive' } });
  expect(deactivated.status, deactivated.text).toBe(200);

  const afterDeactivation = await signedTrigger(anonymous, slug, stack.secret, { body: eventBody('gone.test', uniqueMarker('inactive')) });
  expect(afterDeactivation.status).toBe(404);
  expect((await leftovers(admin, prefixOf(slug))).cron, 'cron events left scheduled after deactivation').toEqual([]);

  const activated = await admin.request(`/wp-json/wp/v2/plugins/${pluginId(slug)}`, { method: 'POST', withNonce: true, json: { status: 'active' } });
  expect(activated.status, activated.text).toBe(200);
  const afterActivation = await signedTrigger(anonymous, slug, stack.secret, { path: triggerPath(slug), body: eventBody('back.test', uniqueMarker('active')) });
  expect(afterActivation.status, afterActivation.text).toBe(202);
});

test('uninstall (delete through the REST API) leaves no option, table or cron event behind', async ({ admin, stack }) => {
  const slug = stack.pluginSlug;
  const before = await leftovers(admin, prefixOf(slug));
  // Proves the probe sees the plugin's data at all, so the empty lists below mean something.
  expect(before.tables.length, 'the plugin created its outbox table').toBeGreaterThan(0);
  expect(before.options.length, 'the plugin stored options').toBeGreaterThan(0);

  const deactivated = await admin.request(`/wp-json/wp/v2/plugins/${pluginId(slug)}`, { method: 'POST', withNonce: true, json: { status: 'inactive' } });
  expect(deactivated.status, deactivated.text).toBe(200);
  const deleted = await admin.request(`/wp-json/wp/v2/plugins/${pluginId(slug)}`, { method: 'DELETE', withNonce: true });
  expect(deleted.status, deleted.text).toBe(200);

  expect(await leftovers(admin, prefixOf(slug))).toEqual({ options: [], tables: [], cron: [] });
});

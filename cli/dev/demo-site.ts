/** Sets up the running demo site as its admin would: the plugin active, and a published page holding the block. */
import { RuntimeFailure } from '../errors.js';
import type { WpSession } from './wp-session.js';

function field(body: unknown, key: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
}

export async function ensurePluginActive(session: WpSession, slug: string): Promise<void> {
  const route = `/wp/v2/plugins/${slug}/${slug}`;
  const current = await session.rest(route);
  if (current.status === 200 && field(current.body, 'status') === 'active') return;
  const activated = await session.rest(route, 'POST', { status: 'active' });
  if (activated.status !== 200 || field(activated.body, 'status') !== 'active') {
    throw new RuntimeFailure(`dev: could not activate the plugin ${slug} (HTTP ${activated.status}: ${activated.text.slice(0, 200)})`);
  }
}

/** Returns the page's public URL. */
export async function createDemoPage(session: WpSession, namespace: string): Promise<string> {
  const reply = await session.rest('/wp/v2/pages', 'POST', {
    title: 'Live Notifications demo',
    status: 'publish',
    content: `<!-- wp:${namespace}/live-notifications {"heading":"Live updates"} /-->`,
  });
  const link = field(reply.body, 'link');
  if (reply.status !== 201 || typeof link !== 'string') {
    throw new RuntimeFailure(`dev: could not create the demo page (HTTP ${reply.status}: ${reply.text.slice(0, 200)})`);
  }
  return link;
}

/** The plugin answers its own REST route: proof that it loaded, not only that WordPress says it is active. */
export async function assertPluginAnswers(siteUrl: string, slug: string): Promise<void> {
  const response = await fetch(`${siteUrl}/wp-json/${slug}/v1/ping`, {
    headers: { cookie: 'playground_auto_login_already_happened=1' },
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status !== 200) throw new RuntimeFailure(`dev: the plugin's /wp-json/${slug}/v1/ping answered HTTP ${response.status}`);
}

/**
 * Saves the relay URL browsers use on the plugin's settings page, as an admin would. It differs from the one
 * WordPress uses under Docker (host.docker.internal is the host only from inside the containers); there is no
 * wp-config constant for it. The form's other fields are sent with their defaults (every event source on).
 */
export async function saveBrowserRelayUrl(session: WpSession, slug: string, functionPrefix: string, browserRelayUrl: string): Promise<void> {
  const settingsPage = await session.page(`/wp-admin/options-general.php?page=${slug}`);
  const form = settingsPage.text.slice(settingsPage.text.indexOf('action="options.php"'));
  const nonce = /name="_wpnonce" value="([0-9a-f]+)"/.exec(form)?.[1];
  if (settingsPage.status !== 200 || !nonce) {
    throw new RuntimeFailure(`dev: the plugin's settings page did not load (HTTP ${settingsPage.status})`);
  }
  const option = `${functionPrefix}_settings`;
  const saved = await session.submitForm('/wp-admin/options.php', {
    option_page: `${functionPrefix}_settings_group`,
    action: 'update',
    _wpnonce: nonce,
    _wp_http_referer: `/wp-admin/options-general.php?page=${slug}`,
    [`${option}[browser_relay_url]`]: browserRelayUrl,
    [`${option}[public_channel]`]: '1',
    [`${option}[post_published]`]: '1',
    [`${option}[comment_approved]`]: '1',
  });
  if (saved.status !== 302) throw new RuntimeFailure(`dev: saving the plugin's settings answered HTTP ${saved.status}`);
}

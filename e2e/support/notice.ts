/** Signed events with a visible title, as an external service would send them to the plugin's trigger endpoint. */
import { expect } from '@playwright/test';
import type { E2eStack } from './stack-env.js';
import { signedTrigger } from './trigger.js';
import type { WpClient } from './wp-client.js';

export interface Notice {
  title: string;
  type?: string;
  channel?: string;
  url?: string;
  /** Default: the pretty trigger URL. */
  path?: string;
}

/** Sends the notice and expects 202; returns the event id WordPress assigned. */
export async function sendNotice(client: WpClient, stack: E2eStack, notice: Notice): Promise<string> {
  const data: Record<string, unknown> = { title: notice.title };
  if (notice.url !== undefined) data['url'] = notice.url;
  const body = JSON.stringify({ type: notice.type ?? 'notice.test', channel: notice.channel, data });
  const response = await signedTrigger(client, stack.pluginSlug, stack.secret, { body, path: notice.path });
  expect(response.status, `signed trigger: ${response.text.slice(0, 300)}`).toBe(202);
  return String(response.json<{ id: unknown }>().id);
}

/**
 * Sends an event with this title to one user through the plugin's own `<prefix>_send_to_user()` (the e2e probe's
 * admin-only route calls it, as a site's PHP code would); returns the event id.
 */
export async function sendToUser(admin: WpClient, slug: string, user: number, title: string): Promise<string> {
  const sent = await admin.request('/wp-json/e2e-probe/v1/send-to-user', {
    method: 'POST',
    withNonce: true,
    json: { prefix: slug.replace(/-/g, '_'), user, title },
  });
  expect(sent.status, sent.text.slice(0, 300)).toBe(200);
  return sent.json<{ id: string }>().id;
}

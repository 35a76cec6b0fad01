/** Reads the generated plugin's admin-only status and the probe plugin's reports. */
import type { WpClient } from './wp-client.js';

export interface PluginStatus {
  outbox: { pending: number; sent: number; dead: number };
  relay: { reachable: boolean };
  lastError: unknown;
}

export async function pluginStatus(admin: WpClient, slug: string): Promise<PluginStatus> {
  const response = await admin.request(`/wp-json/${slug}/v1/status`, { withNonce: true });
  if (response.status !== 200) throw new Error(`GET /wp-json/${slug}/v1/status answered HTTP ${response.status}: ${response.text.slice(0, 300)}`);
  return response.json<PluginStatus>();
}

export async function outboxDepth(admin: WpClient, slug: string): Promise<number> {
  const status = await pluginStatus(admin, slug);
  if (typeof status.outbox?.pending !== 'number') throw new Error(`status has no outbox.pending count: ${JSON.stringify(status)}`);
  return status.outbox.pending;
}

export interface Leftovers {
  options: string[];
  tables: string[];
  cron: string[];
}

/** Options, tables and cron hooks whose names start with the prefix (from the e2e probe plugin). */
export async function leftovers(admin: WpClient, prefix: string): Promise<Leftovers> {
  const response = await admin.request(`/wp-json/e2e-probe/v1/leftovers?prefix=${encodeURIComponent(prefix)}`, { withNonce: true });
  if (response.status !== 200) throw new Error(`probe leftovers answered HTTP ${response.status}: ${response.text.slice(0, 300)}`);
  return response.json<Leftovers>();
}

/** Every event the outbox holds in any state: unchanged by dispatching, so it shows whether anything was queued. */
export async function outboxTotal(admin: WpClient, slug: string): Promise<number> {
  const { outbox } = await pluginStatus(admin, slug);
  return outbox.pending + outbox.sent + outbox.dead;
}

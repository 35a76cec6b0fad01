/** What the global setup started, handed to the test workers through environment variables. */
export interface E2eStack {
  wpUrl: string;
  adminUser: string;
  adminPassword: string;
  relayPort: number;
  relayUrl: string;
  /** 127.0.0.1, or 0.0.0.0 when WordPress runs in Docker and must reach the relay from a container. */
  relayListenHost: string;
  secret: string;
  pluginSlug: string;
  pluginDir: string;
  /** playground, docker, apache or nginx. */
  runtime: string;
  /** Whether the harness plays the system cron (Playground only): specs then drive WP-Cron while they wait. */
  pumpsCron: boolean;
}

const KEYS = {
  wpUrl: 'WP_REALTIME_E2E_WP_URL',
  adminUser: 'WP_REALTIME_E2E_ADMIN_USER',
  adminPassword: 'WP_REALTIME_E2E_ADMIN_PASSWORD',
  relayPort: 'WP_REALTIME_E2E_RELAY_PORT',
  relayUrl: 'WP_REALTIME_E2E_RELAY_URL',
  relayListenHost: 'WP_REALTIME_E2E_RELAY_LISTEN_HOST',
  secret: 'WP_REALTIME_E2E_SECRET',
  pluginSlug: 'WP_REALTIME_E2E_PLUGIN_SLUG',
  pluginDir: 'WP_REALTIME_E2E_PLUGIN_DIR',
  runtime: 'WP_REALTIME_E2E_RUNTIME',
  pumpsCron: 'WP_REALTIME_E2E_PUMPS_CRON',
} as const satisfies Record<keyof E2eStack, string>;

export function publishStack(stack: E2eStack): void {
  for (const [field, key] of Object.entries(KEYS)) process.env[key] = String(stack[field as keyof E2eStack]);
}

export function e2eStack(): E2eStack {
  const read = (key: string): string => {
    const value = process.env[key];
    if (!value) throw new Error(`${key} is not set; run the specs through Playwright with e2e/playwright.config.ts (its global setup starts the stack)`);
    return value;
  };
  return {
    wpUrl: read(KEYS.wpUrl),
    adminUser: read(KEYS.adminUser),
    adminPassword: read(KEYS.adminPassword),
    relayPort: Number(read(KEYS.relayPort)),
    relayUrl: read(KEYS.relayUrl),
    relayListenHost: read(KEYS.relayListenHost),
    secret: read(KEYS.secret),
    pluginSlug: read(KEYS.pluginSlug),
    pluginDir: read(KEYS.pluginDir),
    runtime: read(KEYS.runtime),
    pumpsCron: read(KEYS.pumpsCron) === 'true',
  };
}

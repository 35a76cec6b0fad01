/**
 * Brings up the stack the specs run against: scaffolds the test plugin with the real CLI, starts a real WordPress
 * (wp-env; Playground offline) with the e2e probe and a per-run secret as wp-config constants, then installs the
 * plugin into the site (a copy, not a mount, so the uninstall spec can delete it) and activates it through the REST
 * API. The relay itself is a worker fixture (support/fixtures.ts) so specs can stop and restart it.
 * The runtime is WP_REALTIME_E2E_RUNTIME (playground, docker, apache, nginx; default: Docker when an engine runs,
 * else Playground), the core WP_REALTIME_WP_CORE (default Debian's 6.1.9).
 * Under Playground WP-Cron runs like on a site with a system cron: DISABLE_WP_CRON, and a pump requesting
 * /wp-cron.php for the whole run (the plugin delivers from an immediate cron event there, and WP-Cron's own
 * loopback never arrives). On the real stacks WP-Cron stays as WordPress ships it: no constant, no pump.
 * Returns the teardown.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../stack/package-root.js';
import { chooseRuntime, hostUrlFromWordPress, isWordPressRuntime, listenHostFor, WORDPRESS_RUNTIMES, type WordPressRuntime } from '../stack/runtime.js';
import { startCronPump } from '../stack/cron-pump.js';
import { startWordPress } from '../stack/wordpress.js';
import { e2ePusherApp, pusherConstants } from './support/pusher-app.js';
import { publishStack } from './support/stack-env.js';
import { WpClient } from './support/wp-client.js';

const PLUGIN_SLUG = 'acme-live';
const RELAY_PORT = Number(process.env['WP_REALTIME_E2E_RELAY_PORT'] ?? 3901);
const WP_PORT = Number(process.env['WP_REALTIME_E2E_WP_PORT'] ?? 8890);
/**
 * Start-to-start spacing of wp-cron.php requests. Only retries need it: the plugin delivers through its own loopback
 * under Playground too. Kept slow because Playground has one PHP worker and each run boots WordPress (0.7 s quiet,
 * 2–5 s on a loaded machine): at 250 ms it ran back to back and everything else, the editor's scripts included,
 * queued behind it (docs/testing.md).
 */
const CRON_PUMP_INTERVAL_MS = 10_000;

const DB_PORT = process.env['WP_REALTIME_E2E_DB_PORT'] ? Number(process.env['WP_REALTIME_E2E_DB_PORT']) : undefined;

function requestedRuntime(): WordPressRuntime | undefined {
  const value = process.env['WP_REALTIME_E2E_RUNTIME'];
  if (value === undefined || value === '') return undefined;
  if (!isWordPressRuntime(value)) throw new Error(`WP_REALTIME_E2E_RUNTIME must be one of ${WORDPRESS_RUNTIMES.join(', ')}, got "${value}"`);
  return value;
}

function scaffoldPlugin(root: string, dir: string, relayUrl: string): void {
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [join(root, 'bin', 'wp-realtime.js'), 'scaffold', PLUGIN_SLUG, '--dir', dir, '--force', '--relay-url', relayUrl],
    { cwd: root, encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`wp-realtime scaffold ${PLUGIN_SLUG} failed (exit ${result.status}): ${result.stderr || result.stdout}`);
  }
  process.stderr.write(`[e2e] scaffolded ${PLUGIN_SLUG} into ${relative(root, dir)} in ${Date.now() - started} ms\n`);
}

async function activatePlugin(url: string, user: string, password: string, folder: string): Promise<void> {
  const admin = new WpClient(url);
  await admin.login(user, password);
  const response = await admin.request(`/wp-json/wp/v2/plugins/${folder}/${PLUGIN_SLUG}`, {
    method: 'POST',
    withNonce: true,
    json: { status: 'active' },
  });
  if (response.status !== 200) throw new Error(`activating ${PLUGIN_SLUG} failed: HTTP ${response.status} ${response.text.slice(0, 500)}`);
  process.stderr.write(`[e2e] activated ${PLUGIN_SLUG}\n`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = packageRoot();
  const secret = randomBytes(32).toString('base64url');
  const runtime = await chooseRuntime(requestedRuntime());
  // The relay URL as WordPress sees it; tests reach the relay on loopback either way.
  const relayUrlForWordPress = hostUrlFromWordPress(runtime, RELAY_PORT);
  // Separate instances (state folder, plugin copy) let two suites run side by side on other ports.
  const instance = process.env.WP_REALTIME_E2E_INSTANCE || 'e2e';
  const pluginDir = join(root, '.wp-realtime', instance, 'plugins', PLUGIN_SLUG);
  scaffoldPlugin(root, pluginDir, relayUrlForWordPress);

  const started = Date.now();
  const pumpsCron = runtime === 'playground';
  const wordpress = await startWordPress({
    projectDir: root,
    port: WP_PORT,
    dbPort: DB_PORT,
    constants: {
      ACME_LIVE_SECRET: secret,
      ACME_LIVE_RELAY_URL: relayUrlForWordPress,
      // The plugin's Pusher routes answer only with these; the Pusher specs start a relay with the same app.
      ...pusherConstants(e2ePusherApp(secret)),
      ...(pumpsCron ? { DISABLE_WP_CRON: true } : {}),
    },
    instance,
    runtime,
    configPlugins: false,
    extraPlugins: [join(root, 'e2e', 'fixtures', 'wp-realtime-e2e-probe')],
    onProgress: (line) => process.stderr.write(`[e2e wordpress] ${line}\n`),
  });
  process.stderr.write(`[e2e] WordPress (${wordpress.runtime}) started in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  try {
    await activatePlugin(wordpress.url, wordpress.adminUser, wordpress.adminPassword, await wordpress.installPlugin(pluginDir));
  } catch (error) {
    await wordpress.stop();
    throw error;
  }

  publishStack({
    wpUrl: wordpress.url,
    adminUser: wordpress.adminUser,
    adminPassword: wordpress.adminPassword,
    relayPort: RELAY_PORT,
    relayUrl: `http://127.0.0.1:${RELAY_PORT}`,
    relayListenHost: listenHostFor(runtime),
    secret,
    pluginSlug: PLUGIN_SLUG,
    pluginDir,
    runtime,
    pumpsCron,
  });
  // Each wp-cron.php run, for reading a slow or missed delivery against the site's own logs afterwards.
  const cronLogFile = join(root, '.wp-realtime', instance, 'cron-pump.log');
  const cronLog = pumpsCron ? createWriteStream(cronLogFile) : null;
  const cronPump = pumpsCron
    ? startCronPump({
        siteUrl: wordpress.url,
        intervalMs: CRON_PUMP_INTERVAL_MS,
        onError: (error) => {
          cronLog?.write(`${new Date().toISOString()} failed: ${error.message}\n`);
          process.stderr.write(`[e2e cron] /wp-cron.php failed: ${error.message}\n`);
        },
        onRun: (run) => cronLog?.write(`${new Date(run.startedAt).toISOString()} ${run.ms} ms HTTP ${run.status}\n`),
      })
    : null;
  return async () => {
    if (cronPump) {
      await cronPump.stop();
      cronLog?.end();
      process.stderr.write(`[e2e] cron pump made ${cronPump.runs} requests (each in ${relative(root, cronLogFile)})\n`);
    }
    await wordpress.stop();
  };
}

/**
 * The WordPress the benchmark measures: the harness's WordPress (Playground offline, or a real stack: Apache +
 * mod_php or nginx + php-fpm on MariaDB) on its own instance and ports, a plugin scaffolded by the real CLI and
 * activated through REST, the variants fixture as a must-use plugin, and a relay process on its own port.
 * Under Playground DISABLE_WP_CRON is set, as in the dev stack: nothing delivers unless a cron pump runs. On the real
 * stacks WP-Cron stays as WordPress ships it and the plugin sends right after the response (docs/delivery.md).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { packageRoot } from '../../stack/package-root.js';
import { relayProcess, type RelayProcess } from '../../stack/relay-process.js';
import { hostUrlFromWordPress, listenHostFor } from '../../stack/runtime.js';
import { startWordPress, type RunningWordPress } from '../../stack/wordpress.js';
import { WpClient } from '../../e2e/support/wp-client.js';
import { isRealStack, type BenchRuntime } from './runtimes.js';

export const BENCH_SLUG = 'bench-live';
const FIXTURE = 'wp-realtime-bench-variants.php';

export interface BenchSite {
  wordpress: RunningWordPress;
  relay: RelayProcess;
  relayPort: number;
  relayListenHost: string;
  secret: string;
  slug: string;
  triggerPath: string;
  admin: WpClient;
  runtime: BenchRuntime;
  /** The core's $wp_version, read from the site's wp-includes/version.php. */
  wordpressVersion: string;
  stop(): Promise<void>;
}

export interface BenchSiteOptions {
  instance: string;
  wpPort: number;
  relayPort: number;
  /** Real stacks: MariaDB's loopback port. */
  dbPort: number;
  runtime: BenchRuntime;
  log: (line: string) => void;
}

async function coreVersion(pluginsDir: string): Promise<string> {
  const source = await readFile(join(pluginsDir, '..', '..', 'wp-includes', 'version.php'), 'utf8').catch(() => '');
  return /\$wp_version\s*=\s*'([^']+)'/.exec(source)?.[1] ?? 'unknown';
}

function scaffold(root: string, dir: string, relayUrl: string): void {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'wp-realtime.js'), 'scaffold', BENCH_SLUG, '--dir', dir, '--force', '--relay-url', relayUrl], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`wp-realtime scaffold ${BENCH_SLUG} failed (exit ${result.status}): ${result.stderr || result.stdout}`);
}

export async function startBenchSite(options: BenchSiteOptions): Promise<BenchSite> {
  const root = packageRoot();
  const runtime = options.runtime;
  const realStack = isRealStack(runtime);
  const relayUrlForWordPress = hostUrlFromWordPress(runtime, options.relayPort);
  const secret = randomBytes(32).toString('base64url');
  const constantPrefix = BENCH_SLUG.toUpperCase().replaceAll('-', '_');
  const triggerPath = `/${BENCH_SLUG}/v1/event-trigger`;
  const pluginDir = join(root, '.wp-realtime', options.instance, 'plugins', BENCH_SLUG);
  scaffold(root, pluginDir, relayUrlForWordPress);
  options.log(`scaffolded ${BENCH_SLUG} with the CLI`);

  const wordpress = await startWordPress({
    projectDir: root,
    instance: options.instance,
    port: options.wpPort,
    runtime,
    dbPort: realStack ? options.dbPort : undefined,
    configPlugins: false,
    constants: {
      [`${constantPrefix}_SECRET`]: secret,
      [`${constantPrefix}_RELAY_URL`]: relayUrlForWordPress,
      // Only under Playground, where a pump plays the system cron; the real stacks keep WP-Cron as shipped.
      ...(realStack ? {} : { DISABLE_WP_CRON: true }),
      WP_REALTIME_BENCH_PLUGIN: `${BENCH_SLUG}/${BENCH_SLUG}.php`,
      WP_REALTIME_BENCH_RELAY_URL: relayUrlForWordPress,
      WP_REALTIME_BENCH_SECRET: secret,
      WP_REALTIME_BENCH_TRIGGER_PATH: triggerPath,
    },
    onProgress: (line) => options.log(`wordpress: ${line}`),
  });
  // On the real stacks the relay tells the site when it is ready (docs/delivery.md), as a production set-up would: a
  // relay coming back after the down or black-holed block ends the plugin's 30 s pause at once. Under Playground the
  // loopback never arrives, so the cron pump does that job.
  const webhookArgs = realStack ? ['--webhook-url', `${wordpress.url}/wp-json/${BENCH_SLUG}/v1/webhook`] : [];
  const relay = relayProcess({ port: options.relayPort, host: listenHostFor(runtime), secret, extraArgs: ['--log-level', 'warn', ...webhookArgs] });
  try {
    // Must-use plugins load before regular ones, which the fixture needs to take the plugin out per request.
    const muPlugins = join(dirname(wordpress.pluginsDir), 'mu-plugins');
    await mkdir(muPlugins, { recursive: true });
    await copyFile(join(root, 'bench', 'wordpress', 'fixture', FIXTURE), join(muPlugins, FIXTURE));
    const folder = await wordpress.installPlugin(pluginDir);
    const admin = new WpClient(wordpress.url);
    await admin.login(wordpress.adminUser, wordpress.adminPassword);
    const activated = await admin.request(`/wp-json/wp/v2/plugins/${folder}/${BENCH_SLUG}`, { method: 'POST', withNonce: true, json: { status: 'active' } });
    if (activated.status !== 200) throw new Error(`activating ${BENCH_SLUG} failed: HTTP ${activated.status} ${activated.text.slice(0, 300)}`);
    options.log(`activated ${BENCH_SLUG}; variants fixture installed as a must-use plugin`);
    return {
      wordpress,
      relay,
      relayPort: options.relayPort,
      relayListenHost: listenHostFor(runtime),
      secret,
      slug: BENCH_SLUG,
      triggerPath,
      admin,
      runtime,
      wordpressVersion: await coreVersion(wordpress.pluginsDir),
      async stop() {
        await relay.stop();
        await wordpress.stop();
      },
    };
  } catch (error) {
    await wordpress.stop();
    throw error;
  }
}

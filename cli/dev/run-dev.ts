/**
 * `wp-realtime dev`: an in-memory relay, a WordPress (wp-env; Playground offline) with a freshly scaffolded demo
 * plugin sharing a generated secret with the relay, a cron pump, and a page holding the block. Runs until
 * SIGINT/SIGTERM, then stops everything it started, newest first.
 */
import { generateSecret } from '../../protocol/index.js';
import { createRelay } from '../../relay/index.js';
import { hostUrlFromWordPress, listenHostFor, startCronPump, startWordPress } from '../../stack/index.js';
import { RuntimeFailure, writeErrorLine } from '../errors.js';
import { cliInvocation } from '../invocation.js';
import { renderBanner } from './banner.js';
import { devInstance, leftoverWordPress, prepareDemoProject } from './demo-plugin.js';
import { assertPluginAnswers, createDemoPage, ensurePluginActive, saveBrowserRelayUrl } from './demo-site.js';
import { preflight } from './preflight.js';
import { progress } from './progress.js';
import { shutdown } from './shutdown.js';
import { WpSession } from './wp-session.js';

export interface DevOptions {
  port: number;
  relayPort: number;
  slug: string;
  cwd: string;
  /** A real stack (Apache + mod_php or nginx + php-fpm, MariaDB) instead of wp-env. */
  server?: 'apache' | 'nginx';
  dbPort?: number;
}

/** Thrown when a stop signal arrives during start-up: not a failure, the command just ends. */
class StopRequested extends Error {}

function explain(error: unknown, detail: (line: string) => void): RuntimeFailure {
  if (error instanceof RuntimeFailure) return error;
  const [first = 'unknown error', ...rest] = (error as Error).message.split('\n');
  // The one-line error the CLI prints is the headline; wp-env's or Playground's output behind it goes above it.
  for (const line of rest.filter((l) => l.trim()).slice(-30)) detail(line);
  return new RuntimeFailure(`dev: ${first}`);
}

export async function runDev(options: DevOptions): Promise<void> {
  const steps = progress();
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const stopper = shutdown(() => {
    writeErrorLine('dev: forced to stop; WordPress may still run (the next `wp-realtime dev` on this port stops it)');
    process.exit(1);
  });
  stopper.requested.then((signal) => say(`\n${signal}: stopping (press Ctrl-C again to force) …`), () => undefined);
  const step = async <T>(title: string, work: () => Promise<T>): Promise<T> => {
    if (stopper.isRequested) throw new StopRequested();
    const result = await steps.step(title, work);
    if (stopper.isRequested) throw new StopRequested();
    return result;
  };

  try {
    const runtime = await step('checking ports, the built block and how to run WordPress', () =>
      preflight({ wordpress: options.port, relay: options.relayPort, leftoverWordPress: leftoverWordPress(options.cwd, options.port), server: options.server }),
    );
    const siteUrl = `http://localhost:${options.port}`;
    const secret = generateSecret();
    const relayUrlForWordPress = hostUrlFromWordPress(runtime, options.relayPort);

    const project = await step(`scaffolding the demo plugin ${options.slug}`, () =>
      prepareDemoProject(options.cwd, options.slug, relayUrlForWordPress),
    );

    const relayUrl = await step(`starting the relay on port ${options.relayPort} (in memory)`, async () => {
      const relay = createRelay({
        secret,
        port: options.relayPort,
        host: listenHostFor(runtime),
        corsOrigins: [siteUrl, `http://127.0.0.1:${options.port}`],
        drainTimeoutMs: 2_000,
        logLevel: 'warn',
      });
      try {
        await relay.start();
      } catch (error) {
        throw new RuntimeFailure(`dev: the relay could not listen on port ${options.relayPort} (${(error as Error).message}); choose another --relay-port`);
      }
      stopper.onStop('the relay', () => relay.stop());
      return `http://127.0.0.1:${options.relayPort}`;
    });

    const realStack = runtime === 'apache' || runtime === 'nginx';
    const how = realStack ? `${runtime === 'apache' ? 'Apache + mod_php' : 'nginx + php-fpm'}, MariaDB` : `wp-env, ${runtime} runtime`;
    const wordpress = await step(`starting WordPress on port ${options.port} (${how})`, async () => {
      const started = await startWordPress({
        projectDir: project.projectDir,
        instance: devInstance(options.port),
        runtime,
        port: options.port,
        dbPort: options.dbPort,
        constants: {
          [`${project.constantPrefix}_SECRET`]: secret,
          [`${project.constantPrefix}_RELAY_URL`]: relayUrlForWordPress,
          // wp-env: the cron pump below plays the system cron (see stack/cron-pump.ts for why WP-Cron cannot there).
          // Real stacks keep WP-Cron as WordPress ships it.
          ...(realStack ? {} : { DISABLE_WP_CRON: true }),
        },
        extraPlugins: [project.pluginDir],
        onProgress: steps.detail,
      });
      stopper.onStop('WordPress', () => started.stop());
      return started;
    });

    const pageUrl = await step('activating the plugin, saving the relay URL for browsers, publishing a page with the block', async () => {
      const session = await WpSession.login(siteUrl, wordpress.adminUser, wordpress.adminPassword);
      await ensurePluginActive(session, options.slug);
      await assertPluginAnswers(siteUrl, options.slug);
      await saveBrowserRelayUrl(session, options.slug, project.functionPrefix, relayUrl);
      return createDemoPage(session, project.namespace);
    });

    // Last: WordPress's first cron run (update checks that time out offline) would slow the set-up requests above.
    // Every 10 s: it only runs retries (the plugin delivers through its own loopback), and Playground's single PHP
    // worker serves nothing else while a wp-cron.php run boots WordPress (docs/testing.md).
    if (!realStack) await step('starting the cron pump (requests /wp-cron.php every 10 seconds)', async () => {
      let lastError = '';
      const pump = startCronPump({
        siteUrl,
        intervalMs: 10_000,
        onError: (error) => {
          if (error.message !== lastError) say(`cron pump: ${error.message}`);
          lastError = error.message;
        },
      });
      stopper.onStop('the cron pump', () => pump.stop());
    });

    process.stdout.write(
      renderBanner({
        siteUrl,
        pageUrl,
        relayUrl,
        adminUser: wordpress.adminUser,
        adminPassword: wordpress.adminPassword,
        secret,
        secretConstant: `${project.constantPrefix}_SECRET`,
        runtime,
        seconds: steps.totalSeconds,
        cli: cliInvocation(options.cwd),
      }),
    );
    await stopper.requested;
  } catch (error) {
    // A terminal's Ctrl-C reaches wp-env too, which then fails: that is the stop the user asked for, not a failure.
    if (!(error instanceof StopRequested) && !stopper.isRequested) {
      const failure = explain(error, steps.detail);
      say('start-up failed; stopping what was started');
      await stopper.stopAll(steps.detail);
      stopper.dispose();
      throw failure;
    }
  }
  const clean = await stopper.stopAll(steps.detail);
  stopper.dispose();
  if (!clean) throw new RuntimeFailure('dev: some parts did not stop cleanly (see above)');
  say('wp-realtime dev stopped');
}

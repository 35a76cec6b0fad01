/**
 * Starts and stops a real WordPress for a project with @wordpress/env, from the project's `.wp-env.json`.
 * Docker runtime where an engine runs; otherwise Playground with a local core from Debian's `wordpress` package,
 * which works offline. Per-run settings (port, secrets as wp-config constants, extra plugins, the core) go into a
 * generated override under the instance's gitignored home; the committed config stays secret-free.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { CORE_ENV, coreSourceDir, ensureLocalCore, freshSiteCopy } from './local-core.js';
import { waitForPlaygroundReady } from './playground-ready.js';
import { assertPortFree } from './ports.js';
import { startRealStack } from './real-stack.js';
import { chooseRuntime, type WordPressRuntime } from './runtime.js';
import { runWpEnv } from './wp-env-cli.js';
import { assertPluginFolder, projectPlugins, readProjectConfig, writeInstanceConfigs, type WpConfigValue } from './wp-env-config.js';
import { wpEnvPaths, type WpEnvPaths } from './wp-env-paths.js';

export type { WpConfigValue } from './wp-env-config.js';

export interface StartWordPressOptions {
  /** The folder holding `.wp-env.json`. */
  projectDir: string;
  /** Separates concurrent WordPress instances of one project (own state, own wp-env home). Default "dev". */
  instance?: string;
  /** Default: Docker when an engine runs, otherwise Playground; `apache` / `nginx` run a real stack (real-stack.ts). */
  runtime?: WordPressRuntime;
  /**
   * The WordPress core to run (a directory holding wp-includes/version.php). Default: $WP_REALTIME_WP_CORE, else
   * Debian's /usr/share/wordpress (6.1.9). Docker fetches the latest release unless a core is given.
   */
  coreDir?: string;
  /** Real stacks: MariaDB's loopback port (default: a free one). */
  dbPort?: number;
  /** Overrides the config's "port" (default 8888). */
  port?: number;
  /** wp-config constants for this run only (secrets belong here, never in `.wp-env.json`). */
  constants?: Record<string, WpConfigValue>;
  /** Plugin folders mounted and activated in addition to the config's "plugins". */
  extraPlugins?: string[];
  /** false leaves out the config's own "plugins" (e.g. to install one with installPlugin() instead). */
  configPlugins?: boolean;
  /** Playground only: start from an empty database (default true). */
  freshSite?: boolean;
  onProgress?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface RunningWordPress {
  url: string;
  adminUser: string;
  adminPassword: string;
  runtime: WordPressRuntime;
  /** The site's wp-content/plugins (real stacks and Playground: a directory on this machine). */
  pluginsDir: string;
  /**
   * Copies a plugin folder into the site's wp-content/plugins, as an upload through the admin would, and returns
   * the plugin's folder name. Unlike a mounted plugin, WordPress can delete it again (uninstall tests). Activate it
   * through the REST API or the admin.
   */
  installPlugin(sourceDir: string): Promise<string>;
  stop(): Promise<void>;
}

const ADMIN_USER = 'admin';
const ADMIN_PASSWORD = 'password';

/** wp-env asks wordpress.org for the latest version even with a local core; offline it falls back to this cache. */
async function seedLatestVersion(paths: WpEnvPaths, version: string): Promise<void> {
  const cacheFile = join(paths.workDir, 'wp-env-cache.json');
  await mkdir(paths.workDir, { recursive: true });
  const cache = existsSync(cacheFile) ? (JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, unknown>) : {};
  if (typeof cache['latestWordPressVersion'] === 'string') return;
  await writeFile(cacheFile, JSON.stringify({ ...cache, latestWordPressVersion: version }));
}

export async function startWordPress(options: StartWordPressOptions): Promise<RunningWordPress> {
  const progress = options.onProgress ?? ((line: string) => process.stderr.write(`[wordpress] ${line}\n`));
  const paths = wpEnvPaths(options.projectDir, options.instance ?? 'dev');
  const project = await readProjectConfig(paths);
  const runtime = await chooseRuntime(options.runtime);
  const port = options.port ?? (project['port'] as number | undefined) ?? 8888;
  progress(`runtime: ${runtime}${options.runtime ? '' : ' (chosen automatically)'}; port ${port}`);
  const plugins = [
    ...(options.configPlugins === false ? [] : projectPlugins(paths, project)),
    ...(options.extraPlugins ?? []).map((p) => resolve(paths.projectDir, p)),
  ];
  if (runtime === 'apache' || runtime === 'nginx') {
    await assertPortFree(port, 'WordPress');
    for (const plugin of plugins) await assertPluginFolder(plugin);
    const started = Date.now();
    const projectConstants = (project['config'] ?? {}) as Record<string, WpConfigValue>;
    const stack = await startRealStack({
      server: runtime,
      projectDir: options.projectDir,
      instance: options.instance ?? 'dev',
      port,
      dbPort: options.dbPort,
      coreDir: coreSourceDir(options.coreDir),
      constants: { ...projectConstants, ...(options.constants ?? {}) },
      plugins,
      adminUser: ADMIN_USER,
      adminPassword: ADMIN_PASSWORD,
      coreCacheDir: paths.coreCacheDir,
      progress,
    });
    progress(`WordPress ${stack.version} ready at ${stack.url} after ${((Date.now() - started) / 1000).toFixed(1)}s (login ${ADMIN_USER} / ${ADMIN_PASSWORD})`);
    return { url: stack.url, adminUser: ADMIN_USER, adminPassword: ADMIN_PASSWORD, runtime, pluginsDir: stack.pluginsDir, installPlugin: stack.installPlugin, stop: stack.stop };
  }
  const siteDir = paths.siteDir(runtime);
  const wpEnv = (args: string[], onLine?: (line: string) => void): Promise<string> =>
    runWpEnv({ args, projectDir: paths.projectDir, home: paths.home, configFile: paths.configFile, onLine });

  if (existsSync(join(paths.workDir, 'playground.pid')) && existsSync(paths.configFile)) {
    progress('stopping this instance\'s WordPress left over from an earlier run');
    await wpEnv(['stop']).catch(() => undefined);
  }
  await assertPortFree(port, 'WordPress');

  for (const plugin of plugins.filter((p) => isAbsolute(p))) await assertPluginFolder(plugin);

  let core: string | undefined;
  if (runtime === 'playground') {
    const source = coreSourceDir(options.coreDir);
    progress(`preparing WordPress core from ${source}`);
    const localCore = await ensureLocalCore(paths.coreCacheDir, source);
    core = options.freshSite === false && existsSync(siteDir) ? siteDir : await freshSiteCopy(localCore, siteDir);
    await seedLatestVersion(paths, localCore.version);
  } else if (options.coreDir || process.env[CORE_ENV]) {
    // Docker: wp-env mounts the given core instead of downloading the latest release.
    core = coreSourceDir(options.coreDir);
  }
  await writeInstanceConfigs(paths, project, { port, plugins, constants: options.constants ?? {}, core });
  const removeOverride = (): Promise<void> => rm(paths.overrideFile, { force: true });

  const started = Date.now();
  try {
    progress(`starting WordPress (wp-env start${runtime === 'playground' ? ' --runtime=playground' : ''})`);
    let lastLine = '';
    await wpEnv(runtime === 'playground' ? ['start', '--runtime=playground'] : ['start'], (line) => {
      if (line !== lastLine) progress(line);
      lastLine = line;
    });
    if (runtime === 'playground') {
      progress('waiting for Playground to finish its blueprint (plugins, wp-config constants)');
      await waitForPlaygroundReady(join(paths.workDir, 'playground.log'), options.readyTimeoutMs ?? 120_000);
    }
  } catch (error) {
    await wpEnv(['stop']).catch(() => undefined);
    await removeOverride();
    throw error;
  }
  const url = `http://localhost:${port}`;
  progress(`WordPress ready at ${url} after ${((Date.now() - started) / 1000).toFixed(1)}s (login ${ADMIN_USER} / ${ADMIN_PASSWORD})`);

  let stopped: Promise<void> | null = null;
  return {
    url,
    adminUser: ADMIN_USER,
    adminPassword: ADMIN_PASSWORD,
    runtime,
    pluginsDir: join(siteDir, 'wp-content', 'plugins'),
    async installPlugin(sourceDir) {
      await assertPluginFolder(sourceDir);
      const name = basename(resolve(sourceDir));
      const target = join(siteDir, 'wp-content', 'plugins', name);
      await rm(target, { recursive: true, force: true });
      await cp(sourceDir, target, { recursive: true });
      return name;
    },
    stop() {
      stopped ??= (async () => {
        try {
          await wpEnv(['stop']);
        } finally {
          await removeOverride();
        }
      })();
      return stopped;
    },
  };
}

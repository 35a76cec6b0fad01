/**
 * Starts and stops a real WordPress for a project with @wordpress/env, from the project's `.wp-env.json`.
 * Per-run settings (port, secrets as wp-config constants, extra plugins, the offline core) go into
 * `.wp-env.override.json`, which is removed again on stop, so the committed config stays secret-free.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StackError } from './errors.js';
import { ensureLocalCore, freshSiteCopy } from './local-core.js';
import { waitForPlaygroundReady } from './playground-ready.js';
import { assertPortFree } from './ports.js';
import { chooseRuntime, type WpEnvRuntime } from './runtime.js';
import { runWpEnv } from './wp-env-cli.js';
import { wpEnvPaths, type WpEnvPaths } from './wp-env-paths.js';

export type WpConfigValue = string | number | boolean;

export interface StartWordPressOptions {
  /** The folder holding `.wp-env.json`. */
  projectDir: string;
  /** Default: Docker when an engine runs, otherwise Playground. */
  runtime?: WpEnvRuntime;
  /** Overrides the config's "port" (default 8888). */
  port?: number;
  /** wp-config constants for this run only (secrets belong here, never in `.wp-env.json`). */
  constants?: Record<string, WpConfigValue>;
  /** Plugin folders mounted and activated in addition to the config's "plugins". */
  extraPlugins?: string[];
  /** Playground only: start from an empty database (default true). */
  freshSite?: boolean;
  onProgress?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface RunningWordPress {
  url: string;
  adminUser: string;
  adminPassword: string;
  runtime: WpEnvRuntime;
  stop(): Promise<void>;
}

interface ProjectConfig {
  port?: number;
  plugins?: string[];
}

async function readProjectConfig(paths: WpEnvPaths): Promise<ProjectConfig> {
  if (!existsSync(paths.configFile)) {
    throw new StackError(`${paths.configFile} not found; the WordPress stack needs a .wp-env.json in ${paths.projectDir}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(paths.configFile, 'utf8'));
  } catch (error) {
    throw new StackError(`${paths.configFile} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StackError(`${paths.configFile} must hold a JSON object`);
  }
  const { port, plugins } = parsed as Record<string, unknown>;
  if (port !== undefined && !Number.isInteger(port)) throw new StackError(`${paths.configFile}: "port" must be a whole number`);
  if (plugins !== undefined && !(Array.isArray(plugins) && plugins.every((p) => typeof p === 'string'))) {
    throw new StackError(`${paths.configFile}: "plugins" must be a list of paths`);
  }
  return { port: port as number | undefined, plugins: plugins as string[] | undefined };
}

/** wp-env asks wordpress.org for the latest version even with a local core; offline it falls back to this cache. */
async function seedLatestVersion(paths: WpEnvPaths, version: string): Promise<void> {
  const cacheFile = join(paths.workDir, 'wp-env-cache.json');
  await mkdir(paths.workDir, { recursive: true });
  const cache = existsSync(cacheFile) ? (JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, unknown>) : {};
  if (typeof cache['latestWordPressVersion'] === 'string') return;
  await writeFile(cacheFile, JSON.stringify({ ...cache, latestWordPressVersion: version }));
}

/** Playground only reports a missing plugin deep inside its log, after a long wait; check up front. */
async function assertPluginFolder(folder: string): Promise<void> {
  const entries = await readdir(folder).catch(() => null);
  if (!entries) throw new StackError(`plugin folder ${folder} (listed for wp-env) does not exist; create it first (e.g. wp-realtime scaffold)`);
  for (const entry of entries.filter((name) => name.endsWith('.php'))) {
    if (/^[ \t/*#@]*Plugin Name:/im.test(await readFile(join(folder, entry), 'utf8'))) return;
  }
  throw new StackError(`plugin folder ${folder} has no PHP file with a "Plugin Name:" header`);
}

const ADMIN_USER = 'admin';
const ADMIN_PASSWORD = 'password';

export async function startWordPress(options: StartWordPressOptions): Promise<RunningWordPress> {
  const progress = options.onProgress ?? ((line: string) => process.stderr.write(`[wordpress] ${line}\n`));
  const paths = wpEnvPaths(options.projectDir);
  const config = await readProjectConfig(paths);
  const runtime = await chooseRuntime(options.runtime);
  const port = options.port ?? config.port ?? 8888;
  progress(`runtime: ${runtime}${options.runtime ? '' : ' (chosen automatically)'}; port ${port}`);

  if (existsSync(join(paths.workDir, 'playground.pid'))) {
    progress('stopping a WordPress left over from an earlier run');
    await runWpEnv({ args: ['stop'], projectDir: paths.projectDir, home: paths.home }).catch(() => undefined);
  }
  await assertPortFree(port, 'WordPress');

  const plugins = [...(config.plugins ?? []), ...(options.extraPlugins ?? [])].map((p) => resolve(paths.projectDir, p));
  for (const plugin of plugins) await assertPluginFolder(plugin);
  const override: Record<string, unknown> = { port, config: options.constants ?? {} };
  if (options.extraPlugins?.length) {
    override['plugins'] = plugins;
  }
  if (runtime === 'playground') {
    progress('preparing WordPress core from the local Debian install');
    const core = await ensureLocalCore(paths.coreCacheDir);
    const siteDir = join(paths.home, 'site');
    override['core'] = options.freshSite === false && existsSync(siteDir) ? siteDir : await freshSiteCopy(core, siteDir);
    await seedLatestVersion(paths, core.version);
  }
  await writeFile(paths.overrideFile, `${JSON.stringify(override, null, 2)}\n`, { mode: 0o600 });

  const removeOverride = (): Promise<void> => rm(paths.overrideFile, { force: true });
  const started = Date.now();
  try {
    progress(`starting WordPress (wp-env start${runtime === 'playground' ? ' --runtime=playground' : ''})`);
    let lastLine = '';
    await runWpEnv({
      args: runtime === 'playground' ? ['start', '--runtime=playground'] : ['start'],
      projectDir: paths.projectDir,
      home: paths.home,
      onLine: (line) => {
        if (line !== lastLine) progress(line);
        lastLine = line;
      },
    });
    if (runtime === 'playground') {
      progress('waiting for Playground to finish its blueprint (plugins, wp-config constants)');
      await waitForPlaygroundReady(join(paths.workDir, 'playground.log'), options.readyTimeoutMs ?? 120_000);
    }
  } catch (error) {
    await runWpEnv({ args: ['stop'], projectDir: paths.projectDir, home: paths.home }).catch(() => undefined);
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
    stop() {
      stopped ??= (async () => {
        try {
          await runWpEnv({ args: ['stop'], projectDir: paths.projectDir, home: paths.home });
        } finally {
          await removeOverride();
        }
      })();
      return stopped;
    },
  };
}

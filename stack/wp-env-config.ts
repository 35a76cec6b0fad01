/**
 * The wp-env configs one instance is started with: a copy of the project's committed `.wp-env.json` (paths made
 * absolute, because the copy lives elsewhere) and an override holding this run's settings and secrets.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { StackError } from './errors.js';
import type { WpEnvPaths } from './wp-env-paths.js';

export type WpConfigValue = string | number | boolean;
type RawConfig = Record<string, unknown>;

export async function readProjectConfig(paths: WpEnvPaths): Promise<RawConfig> {
  const file = paths.projectConfigFile;
  if (!existsSync(file)) throw new StackError(`${file} not found; the WordPress stack needs a .wp-env.json in ${paths.projectDir}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new StackError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new StackError(`${file} must hold a JSON object`);
  const config = parsed as RawConfig;
  if (config['port'] !== undefined && !Number.isInteger(config['port'])) throw new StackError(`${file}: "port" must be a whole number`);
  for (const key of ['plugins', 'themes']) {
    const list = config[key];
    if (list !== undefined && !(Array.isArray(list) && list.every((p) => typeof p === 'string'))) {
      throw new StackError(`${file}: "${key}" must be a list of paths or sources`);
    }
  }
  return config;
}

/** Local sources (`./x`, `../x`, `/x`) become absolute; remote ones (`owner/repo`, URLs) stay as they are. */
function absoluteSource(projectDir: string, source: string): string {
  return source.startsWith('.') || isAbsolute(source) ? resolve(projectDir, source) : source;
}

/** Playground only reports a missing plugin deep inside its log, after a long wait; check up front. */
export async function assertPluginFolder(folder: string): Promise<void> {
  const entries = await readdir(folder).catch(() => null);
  if (!entries) throw new StackError(`plugin folder ${folder} does not exist; create it first (e.g. wp-realtime scaffold)`);
  for (const entry of entries.filter((name) => name.endsWith('.php'))) {
    if (/^[ \t/*#@]*Plugin Name:/im.test(await readFile(join(folder, entry), 'utf8'))) return;
  }
  throw new StackError(`plugin folder ${folder} has no PHP file with a "Plugin Name:" header`);
}

export interface InstanceConfig {
  port: number;
  plugins: string[];
  constants: Record<string, WpConfigValue>;
  /** A local core directory (Playground), or undefined to let wp-env fetch one. */
  core?: string;
}

export async function writeInstanceConfigs(paths: WpEnvPaths, project: RawConfig, instance: InstanceConfig): Promise<void> {
  const copy: RawConfig = { ...project, plugins: instance.plugins };
  if (Array.isArray(project['themes'])) copy['themes'] = (project['themes'] as string[]).map((t) => absoluteSource(paths.projectDir, t));
  if (typeof project['core'] === 'string') copy['core'] = absoluteSource(paths.projectDir, project['core']);
  const mappings = project['mappings'];
  if (mappings && typeof mappings === 'object') {
    copy['mappings'] = Object.fromEntries(
      Object.entries(mappings as Record<string, string>).map(([target, source]) => [target, absoluteSource(paths.projectDir, source)]),
    );
  }
  const override: RawConfig = { port: instance.port, config: instance.constants };
  if (instance.core) override['core'] = instance.core;
  await mkdir(paths.home, { recursive: true });
  await writeFile(paths.configFile, `${JSON.stringify(copy, null, 2)}\n`);
  // The override carries this run's secrets: readable by the owner only.
  await writeFile(paths.overrideFile, `${JSON.stringify(override, null, 2)}\n`, { mode: 0o600 });
}

export function projectPlugins(paths: WpEnvPaths, project: RawConfig): string[] {
  return ((project['plugins'] as string[] | undefined) ?? []).map((p) => absoluteSource(paths.projectDir, p));
}

/**
 * Where one WordPress instance of a project keeps its state. Each instance (e.g. `dev` for `wp-realtime dev`, `e2e`
 * for the test suite) gets its own WP_ENV_HOME and its own generated wp-env config under the gitignored
 * `.wp-env-home/`, so two instances of one checkout never stop or overwrite each other, and per-run secrets never
 * sit next to the committed `.wp-env.json`.
 *
 * The work-directory rule mirrors wp-env 11's load-config.js (`wp-env-<folder>-<md5(config path)[0..8]>`): the
 * harness must seed that directory before wp-env first runs, so an offline machine never asks wordpress.org for the
 * latest version.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

export const INSTANCE_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;

export interface WpEnvPaths {
  projectDir: string;
  /** The project's committed `.wp-env.json`. */
  projectConfigFile: string;
  /** Shared by all instances: copies of WordPress core made from a local install (Playground runtime only). */
  coreCacheDir: string;
  /** This instance's private WP_ENV_HOME. */
  home: string;
  /** The config wp-env is started with (`--config`): the project's, with plugin paths made absolute. */
  configFile: string;
  /** Per-run settings (port, wp-config constants, core); wp-env reads it next to `configFile`. */
  overrideFile: string;
  /** wp-env's per-config work directory: runtime choice, wp-env-cache.json, playground.log, blueprint. */
  workDir: string;
  /** The site's files: Playground mounts this per-run copy of core; Docker keeps its downloaded core here. */
  siteDir: (runtime: 'docker' | 'playground') => string;
}

export function wpEnvPaths(projectDir: string, instance: string): WpEnvPaths {
  if (!INSTANCE_PATTERN.test(instance)) throw new RangeError(`instance name must match ${INSTANCE_PATTERN.source}, got "${instance}"`);
  const absoluteProject = resolve(projectDir);
  const stateDir = join(absoluteProject, '.wp-env-home');
  const home = join(stateDir, instance);
  const configFile = join(home, '.wp-env.json');
  const hash = createHash('md5').update(configFile).digest('hex');
  // wp-env honours the older, hash-only folder name when it already exists.
  const legacyWorkDir = join(home, hash);
  const workDir = existsSync(legacyWorkDir) ? legacyWorkDir : join(home, `wp-env-${basename(home)}-${hash.slice(0, 8)}`);
  return {
    projectDir: absoluteProject,
    projectConfigFile: join(absoluteProject, '.wp-env.json'),
    coreCacheDir: join(stateDir, 'core'),
    home,
    configFile,
    overrideFile: join(home, '.wp-env.override.json'),
    workDir,
    siteDir: (runtime) => (runtime === 'playground' ? join(home, 'site') : join(workDir, 'WordPress')),
  };
}

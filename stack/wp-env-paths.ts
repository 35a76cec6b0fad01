/**
 * Where @wordpress/env keeps its state for a project. The cache-directory rule mirrors wp-env 11's
 * load-config.js (`wp-env-<folder>-<md5(config path)[0..8]>`) because the harness must pre-seed that directory
 * before wp-env first runs, so that an offline machine never asks wordpress.org for the latest version.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

export interface WpEnvPaths {
  projectDir: string;
  configFile: string;
  overrideFile: string;
  /** A private WP_ENV_HOME (gitignored) so that runs never touch, or collide with, a user's ~/.wp-env. */
  home: string;
  /** wp-env's per-config work directory: runtime choice, wp-env-cache.json, playground.log, blueprint. */
  workDir: string;
  /** Copies of WordPress core made from a local install (Playground runtime only). */
  coreCacheDir: string;
}

export function wpEnvPaths(projectDir: string): WpEnvPaths {
  const absoluteProject = resolve(projectDir);
  const configFile = join(absoluteProject, '.wp-env.json');
  const home = join(absoluteProject, '.wp-env-home');
  const hash = createHash('md5').update(configFile).digest('hex');
  // wp-env honours the older, hash-only folder name when it already exists.
  const legacyWorkDir = join(home, hash);
  const workDir = existsSync(legacyWorkDir) ? legacyWorkDir : join(home, `wp-env-${basename(absoluteProject)}-${hash.slice(0, 8)}`);
  return {
    projectDir: absoluteProject,
    configFile,
    overrideFile: join(absoluteProject, '.wp-env.override.json'),
    home,
    workDir,
    coreCacheDir: join(home, 'core'),
  };
}

/**
 * A WordPress core directory made from the Debian `wordpress` package, for machines without internet access.
 * Debian's tree links into other packages and carries its own wp-config.php and .htaccess, so the copy dereferences
 * links and drops both; Playground then installs a fresh site from these files.
 */
import { createHash } from 'node:crypto';
import { cp, readFile, rename, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StackError } from './errors.js';

export const DEBIAN_WORDPRESS_DIR = '/usr/share/wordpress';
/** Another core directory for every runtime (e.g. a 6.5.5 or 7.1 core); the option in code wins over it. */
export const CORE_ENV = 'WP_REALTIME_WP_CORE';

/** The core directory to use: the option, else $WP_REALTIME_WP_CORE, else Debian's package. */
export function coreSourceDir(option?: string): string {
  const chosen = option || process.env[CORE_ENV] || DEBIAN_WORDPRESS_DIR;
  return resolve(chosen);
}

export interface LocalCore {
  /** Pristine copy, reused across runs. */
  pristineDir: string;
  version: string;
}

export async function readCoreVersion(coreDir: string): Promise<string> {
  const versionFile = join(coreDir, 'wp-includes', 'version.php');
  const source = await readFile(versionFile, 'utf8').catch(() => {
    throw new StackError(`${versionFile} is missing; ${coreDir} is not a WordPress core directory`);
  });
  const match = /\$wp_version\s*=\s*'([^']+)'/.exec(source);
  if (!match?.[1]) throw new StackError(`could not read $wp_version from ${versionFile}`);
  return match[1];
}

/** Copies Debian's WordPress into the cache once per version and returns the pristine copy. */
export async function ensureLocalCore(cacheDir: string, sourceDir = DEBIAN_WORDPRESS_DIR): Promise<LocalCore> {
  if (!existsSync(join(sourceDir, 'wp-includes', 'version.php'))) {
    throw new StackError(
      sourceDir === DEBIAN_WORDPRESS_DIR
        ? `WordPress core not found in ${sourceDir}; install it with: apt-get install -y --no-install-recommends wordpress wordpress-theme-twentytwentythree php-cli`
        : `${sourceDir} is not a WordPress core directory (no wp-includes/version.php); check ${CORE_ENV} or the core option`,
    );
  }
  const version = await readCoreVersion(sourceDir);
  // Two cores of one version (Debian's 6.1.9 and another build) must not share a copy.
  const source = sourceDir === DEBIAN_WORDPRESS_DIR ? '' : `-${createHash('sha256').update(sourceDir).digest('hex').slice(0, 8)}`;
  const pristineDir = join(cacheDir, `wordpress-${version}${source}`);
  if (existsSync(join(pristineDir, 'wp-includes', 'version.php'))) return { pristineDir, version };

  // Copy into a temporary name and rename, so an interrupted copy is never mistaken for a complete one.
  const partialDir = `${pristineDir}.partial-${process.pid}`;
  await rm(partialDir, { recursive: true, force: true });
  await cp(sourceDir, partialDir, { recursive: true, dereference: true });
  await rm(join(partialDir, 'wp-config.php'), { force: true });
  await rm(join(partialDir, '.htaccess'), { force: true });
  // Playground's own builds carry these; a plain core does not.
  for (const extra of ['wp-content/database', 'wordpress-remote-asset-paths', '.default_theme']) await rm(join(partialDir, extra), { recursive: true, force: true });
  // Another instance may have finished the same copy meanwhile; either copy is fine.
  if (existsSync(pristineDir)) await rm(partialDir, { recursive: true, force: true });
  else await rename(partialDir, pristineDir);
  return { pristineDir, version };
}

/**
 * A disposable site directory for one run. Playground writes wp-config.php and its SQLite database into the
 * mounted core, so each fresh start gets its own copy and never inherits the previous run's data.
 */
export async function freshSiteCopy(core: LocalCore, siteDir: string): Promise<string> {
  await rm(siteDir, { recursive: true, force: true });
  await cp(core.pristineDir, siteDir, { recursive: true });
  await stat(join(siteDir, 'wp-load.php'));
  return siteDir;
}

/**
 * A WordPress core directory made from the Debian `wordpress` package, for machines without internet access.
 * Debian's tree links into other packages and carries its own wp-config.php and .htaccess, so the copy dereferences
 * links and drops both; Playground then installs a fresh site from these files.
 */
import { cp, readFile, rename, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StackError } from './errors.js';

export const DEBIAN_WORDPRESS_DIR = '/usr/share/wordpress';

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
      `WordPress core not found in ${sourceDir}; install it with: apt-get install -y --no-install-recommends wordpress wordpress-theme-twentytwentythree php-cli`,
    );
  }
  const version = await readCoreVersion(sourceDir);
  const pristineDir = join(cacheDir, `wordpress-${version}`);
  if (existsSync(join(pristineDir, 'wp-includes', 'version.php'))) return { pristineDir, version };

  // Copy into a temporary name and rename, so an interrupted copy is never mistaken for a complete one.
  const partialDir = `${pristineDir}.partial-${process.pid}`;
  await rm(partialDir, { recursive: true, force: true });
  await cp(sourceDir, partialDir, { recursive: true, dereference: true });
  await rm(join(partialDir, 'wp-config.php'), { force: true });
  await rm(join(partialDir, '.htaccess'), { force: true });
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

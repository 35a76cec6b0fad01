/**
 * A full WordPress 6.5.5 core from the npm package `@wp-playground/wordpress-builds` (fetched with `npm pack`, never
 * a dependency: it is ~160 MB). The package ships the release trimmed in two halves — `src/wordpress/wp-6.5.zip`
 * (the PHP, plus Playground's own wp-config.php and SQLite files) and `public/wp-6.5/` (the static assets the zip
 * lacks) — which merged are the release's core. Playground's additions are dropped.
 *
 *   node dist/stack/wordpress-builds-core.js <wordpress-builds-0.9.19.tgz> <target dir> [6.5]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackError } from './errors.js';
import { readCoreVersion } from './local-core.js';

/** Files Playground adds to its builds that a WordPress release does not have. */
const PLAYGROUND_EXTRAS = ['wp-config.php', 'wp-content/database', 'wordpress-remote-asset-paths', '.default_theme'];

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new StackError(`${command} ${args.join(' ')} failed: ${(result.stderr || result.error?.message || '').slice(-2000)}`);
}

export async function buildCoreFromWordPressBuilds(tarball: string, targetDir: string, branch = '6.5'): Promise<string> {
  const target = resolve(targetDir);
  if (existsSync(join(target, 'wp-includes', 'version.php'))) return readCoreVersion(target);
  if (!existsSync(tarball)) throw new StackError(`${tarball} not found; fetch it with: npm pack @wp-playground/wordpress-builds@0.9.19`);
  await mkdir(dirname(target), { recursive: true });
  const work = await mkdtemp(`${target}.partial-`);
  try {
    const zip = `package/src/wordpress/wp-${branch}.zip`;
    const assets = `package/public/wp-${branch}`;
    run('tar', ['-xzf', tarball, '-C', work, zip, assets]);
    const core = join(work, 'core');
    run('unzip', ['-q', join(work, zip), '-d', core]);
    // The zip holds one top-level folder (wordpress/) in these builds; accept a flat one too.
    const root = existsSync(join(core, 'wordpress', 'wp-includes')) ? join(core, 'wordpress') : core;
    await cp(join(work, assets), root, { recursive: true, force: false, errorOnExist: false });
    for (const extra of PLAYGROUND_EXTRAS) await rm(join(root, extra), { recursive: true, force: true });
    const version = await readCoreVersion(root);
    await rename(root, target);
    return version;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [tarball, target, branch] = process.argv.slice(2);
  if (!tarball || !target) {
    process.stderr.write('usage: node dist/stack/wordpress-builds-core.js <wordpress-builds-*.tgz> <target dir> [6.5]\n');
    process.exit(2);
  }
  buildCoreFromWordPressBuilds(tarball, target, branch).then(
    (version) => process.stdout.write(`WordPress ${version} core in ${resolve(target)}\n`),
    (error: Error) => {
      process.stderr.write(`wordpress-builds-core: ${error.message}\n`);
      process.exit(1);
    },
  );
}

/**
 * The scaffolded plugin must be readable by a web server running as another user: directories 0777 and files 0666
 * narrowed by the umask (0755/0644 under umask 022), the plugin's root included, also with --force and in the zip.
 * Issue 11 item 5: the root used to stay 0700 (staged with mkdtemp, then renamed), so nginx answered 404 for the
 * block's script and php-fpm's user did not see the plugin.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, REPO_ROOT, tempDir, type RunResult } from './scaffold-helpers.js';

const CLI = join(REPO_ROOT, 'bin/wp-realtime.js');
const IS_ROOT = process.getuid?.() === 0;

/** The CLI as a process under this umask (set by a shell, since Node cannot set a child's umask). */
function runCliWithUmask(umask: string, args: string[], cwd: string): RunResult {
  const { WP_REALTIME_RELAY_URL: _ignored, ...env } = process.env;
  const result = spawnSync('/bin/sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, CLI, ...args], { cwd, encoding: 'utf8', env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Permission bits of dir itself and of everything below it, as { 'relative/path': 0o755 }. */
function modesOf(dir: string, prefix = '.'): Record<string, number> {
  const modes: Record<string, number> = { [prefix]: statSync(dir).mode & 0o7777 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) Object.assign(modes, modesOf(join(dir, entry.name), path));
    else modes[path] = statSync(join(dir, entry.name)).mode & 0o7777;
  }
  return modes;
}

/** Every path whose mode is not the one expected for its kind, with its actual mode in octal. */
function wrongModes(dir: string, dirMode: number, fileMode: number): string[] {
  return Object.entries(modesOf(dir))
    .filter(([path, mode]) => mode !== (statSync(join(dir, path)).isDirectory() ? dirMode : fileMode))
    .map(([path, mode]) => `${path} ${mode.toString(8)}`);
}

beforeAll(assertBuilt);

describe('scaffolded files are readable by the web server', () => {
  it('umask 022: directories 0755 (the root too), files 0644', () => {
    const cwd = tempDir('modes022');
    const run = runCliWithUmask('022', ['scaffold', 'acme-live'], cwd);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const root = join(cwd, 'acme-live');
    expect(statSync(root).mode & 0o7777).toBe(0o755);
    expect(Object.keys(modesOf(root)).length).toBeGreaterThan(20);
    expect(wrongModes(root, 0o755, 0o644)).toEqual([]);
  });

  it('umask 027: directories 0750, files 0640 (the umask is respected, nothing is widened)', () => {
    const cwd = tempDir('modes027');
    expect(runCliWithUmask('027', ['scaffold', 'acme-live', '--no-block'], cwd).code).toBe(0);
    expect(wrongModes(join(cwd, 'acme-live'), 0o750, 0o640)).toEqual([]);
  });

  it('--force: the replacing plugin gets the same modes', () => {
    const cwd = tempDir('modesforce');
    mkdirSync(join(cwd, 'acme-live'), { mode: 0o700 });
    writeFileSync(join(cwd, 'acme-live/stale.txt'), 'old', { mode: 0o600 });
    expect(runCliWithUmask('022', ['scaffold', 'acme-live', '--force'], cwd).code).toBe(0);
    expect(wrongModes(join(cwd, 'acme-live'), 0o755, 0o644)).toEqual([]);
  });

  it('--zip: the zip file is 0644 and its entries carry unix modes 0755 (directories) and 0644 (files)', () => {
    const cwd = tempDir('modeszip');
    expect(runCliWithUmask('022', ['scaffold', 'acme-live', '--zip'], cwd).code).toBe(0);
    const zip = join(cwd, 'acme-live.zip');
    expect(statSync(zip).mode & 0o7777).toBe(0o644);
    expect(wrongModes(join(cwd, 'acme-live'), 0o755, 0o644)).toEqual([]);
    // zipinfo prints each entry's unix mode from its external attributes, e.g. "-rw-r--r--  3.0 unx …".
    const listing = spawnSync('zipinfo', [zip], { encoding: 'utf8' });
    expect(listing.status, listing.stderr).toBe(0);
    const entries = listing.stdout.split('\n').filter((line) => / unx /.test(line));
    expect(entries.length).toBeGreaterThan(20);
    const odd = entries.filter((line) => !(line.startsWith('drwxr-xr-x ') && line.trimEnd().endsWith('/')) && !line.startsWith('-rw-r--r-- '));
    expect(odd).toEqual([]);
    expect(entries.some((line) => line.startsWith('drwxr-xr-x ') && line.trimEnd().endsWith('acme-live/'))).toBe(true);
  });

  it.runIf(IS_ROOT)('scaffolded as root with umask 022, every file is readable by another user (www-data)', () => {
    const cwd = tempDir('modesroot');
    // The temp dir itself is 0700 (mkdtemp); a plugins directory as WordPress has it is 0755.
    const plugins = join(cwd, 'wp-content/plugins');
    mkdirSync(plugins, { recursive: true, mode: 0o755 });
    spawnSync('chmod', ['0755', cwd, join(cwd, 'wp-content')]);
    expect(runCliWithUmask('022', ['scaffold', 'acme-live', '--dir', join(plugins, 'acme-live')], cwd).code).toBe(0);
    // From / : the test's own working directory (a checkout under a 0700 mktemp dir, say) need not be open to www-data.
    const asWebServer = spawnSync('runuser', ['-u', 'www-data', '--', 'sh', '-c', 'find "$0" -type f -exec cat {} + | wc -c', join(plugins, 'acme-live')], {
      encoding: 'utf8',
      cwd: '/',
    });
    expect(asWebServer.stderr).toBe('');
    expect(asWebServer.status).toBe(0);
    expect(Number(asWebServer.stdout.trim())).toBeGreaterThan(10_000);
  });
});

/** `wp-realtime scaffold`: every option, through the built CLI as a real process. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, listTree, readTree, REPO_ROOT, runCli, tempDir } from './scaffold-helpers.js';

const BLOCK_BUILT = existsSync(join(REPO_ROOT, 'block/build'));

function unzipList(zip: string): string[] {
  const result = spawnSync('unzip', ['-Z1', zip], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`unzip -Z1 failed: ${result.stderr}`);
  return result.stdout.split('\n').filter(Boolean);
}

function unzipFile(zip: string, entry: string): Buffer {
  const result = spawnSync('unzip', ['-p', zip, entry]);
  if (result.status !== 0) throw new Error(`unzip -p failed: ${result.stderr.toString()}`);
  return result.stdout;
}

beforeAll(assertBuilt);

describe('scaffold writes a plugin', () => {
  it('defaults: ./<slug>, the slug as title, every part of the plugin', () => {
    const cwd = tempDir('default');
    const run = runCli(['scaffold', 'acme-live', '--no-block'], cwd);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const files = listTree(join(cwd, 'acme-live'));
    for (const expected of ['acme-live.php', 'readme.txt', 'uninstall.php', 'includes/class-acme-live-signer.php', 'includes/class-acme-live-outbox.php']) {
      expect(files).toContain(expected);
    }
    expect(files.some((f) => f.includes('block'))).toBe(false);
    const main = readFileSync(join(cwd, 'acme-live/acme-live.php'), 'utf8');
    expect(main).toMatch(/^ \* Plugin Name: +Acme Live$/m);
    expect(main).toMatch(/^ \* Requires at least: 6\.1$/m);
    expect(main).toMatch(/^ \* Requires PHP: +7\.4$/m);
    expect(main).toMatch(/^ \* License: +GPL-2\.0-or-later$/m);
    expect(main).toMatch(/^ \* Text Domain: +acme-live$/m);
    expect(main).toContain('function acme_live_trigger( $type, $data = array(), $channel = \'public\' )');
    expect(main).not.toContain('_Block');
    expect(run.stdout).toContain('acme-live.php');
    const readme = readFileSync(join(cwd, 'acme-live/readme.txt'), 'utf8');
    expect(readme.startsWith('=== Acme Live ===\n')).toBe(true);
    for (const section of ['Description', 'Installation', 'Frequently Asked Questions', 'Changelog', 'External services']) {
      expect(readme).toContain(`== ${section} ==`);
    }
  });

  it('honest metadata: the tested WordPress versions from one place, no placeholder Author or Contributors', () => {
    const cwd = tempDir('meta');
    expect(runCli(['scaffold', 'acme-live', '--no-block'], cwd).code).toBe(0);
    const main = readFileSync(join(cwd, 'acme-live/acme-live.php'), 'utf8');
    const readme = readFileSync(join(cwd, 'acme-live/readme.txt'), 'utf8');
    // What the suite proves: CI on 6.1.9 and 6.5.5, the same suite by hand on 7.1 (scaffold/context.ts).
    expect(readme).toMatch(/^Requires at least: 6\.1$/m);
    expect(readme).toMatch(/^Tested up to: 7\.1$/m);
    expect(main).toMatch(/^ \* Requires at least: 6\.1$/m);
    // Without --author / --contributors the lines are left out rather than invented.
    expect(main).not.toMatch(/^ \* Author:/m);
    expect(readme).not.toMatch(/^Contributors:/m);

    const given = tempDir('meta-given');
    const run = runCli(['scaffold', 'acme-live', '--no-block', '--author', 'Jane Doe', '--contributors', 'janedoe, bob-smith,janedoe'], given);
    expect(run.stderr).toBe('');
    expect(readFileSync(join(given, 'acme-live/acme-live.php'), 'utf8')).toMatch(/^ \* Author: +Jane Doe$/m);
    expect(readFileSync(join(given, 'acme-live/readme.txt'), 'utf8')).toMatch(/^=== Acme Live ===\nContributors: janedoe, bob-smith\nTags: /);
  });

  it('--name, --relay-url and --dir land in the plugin', () => {
    const cwd = tempDir('options');
    const run = runCli(
      ['scaffold', 'shop-alerts', '--no-block', '--name', "Bob's \\ Shop Alerts", '--relay-url', 'https://relay.example.com/', '--dir', 'out/plugins/shop-alerts'],
      cwd,
    );
    expect(run.code).toBe(0);
    const root = join(cwd, 'out/plugins/shop-alerts');
    expect(readFileSync(join(root, 'shop-alerts.php'), 'utf8')).toMatch(/^ \* Plugin Name: +Bob's \\ Shop Alerts$/m);
    const options = readFileSync(join(root, 'includes/class-shop-alerts-options.php'), 'utf8');
    expect(options).toContain("'relay_url'         => 'https://relay.example.com',");
    // The name reaches PHP string literals escaped, so php -l stays clean (checked in scaffold-php.test.ts).
    expect(readFileSync(join(root, 'includes/class-shop-alerts-settings-page.php'), 'utf8')).toContain("'Bob\\'s \\\\ Shop Alerts'");
  });

  it('WP_REALTIME_RELAY_URL is the default relay URL and --relay-url wins over it', () => {
    const cwd = tempDir('env');
    expect(runCli(['scaffold', 'env-one', '--no-block'], cwd, { WP_REALTIME_RELAY_URL: 'http://10.0.0.5:3000' }).code).toBe(0);
    expect(readFileSync(join(cwd, 'env-one/includes/class-env-one-options.php'), 'utf8')).toContain("=> 'http://10.0.0.5:3000'");
    const flagWins = runCli(['scaffold', 'env-two', '--no-block', '--relay-url', 'http://10.0.0.6:3000'], cwd, {
      WP_REALTIME_RELAY_URL: 'http://10.0.0.5:3000',
    });
    expect(flagWins.code).toBe(0);
    expect(readFileSync(join(cwd, 'env-two/includes/class-env-two-options.php'), 'utf8')).toContain("=> 'http://10.0.0.6:3000'");
  });

  it('--force replaces an existing plugin whole (no stale files survive)', () => {
    const cwd = tempDir('force');
    mkdirSync(join(cwd, 'acme-live'));
    writeFileSync(join(cwd, 'acme-live/stale.txt'), 'old');
    const refused = runCli(['scaffold', 'acme-live', '--no-block'], cwd);
    expect(refused.code).toBe(2);
    expect(listTree(join(cwd, 'acme-live'))).toEqual(['stale.txt']);
    const forced = runCli(['scaffold', 'acme-live', '--no-block', '--force'], cwd);
    expect(forced.code).toBe(0);
    const files = listTree(join(cwd, 'acme-live'));
    expect(files).toContain('acme-live.php');
    expect(files).not.toContain('stale.txt');
    expect(listTree(cwd).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('an existing empty directory is used without --force', () => {
    const cwd = tempDir('empty');
    mkdirSync(join(cwd, 'acme-live'));
    expect(runCli(['scaffold', 'acme-live', '--no-block'], cwd).code).toBe(0);
    expect(existsSync(join(cwd, 'acme-live/acme-live.php'))).toBe(true);
  });

  it('--dry-run lists the files and writes nothing', () => {
    const cwd = tempDir('dry');
    const run = runCli(['scaffold', 'acme-live', '--no-block', '--dry-run', '--zip'], cwd);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('acme-live.php');
    expect(run.stdout).toContain('includes/class-acme-live-endpoint.php');
    expect(listTree(cwd)).toEqual([]);
  });

  it('--json prints a machine-readable summary that matches the disk', () => {
    const cwd = tempDir('json');
    const run = runCli(['scaffold', 'acme-live', '--no-block', '--json', '--zip', '--namespace', 'acme'], cwd);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      slug: 'acme-live',
      name: 'Acme Live',
      namespace: 'acme',
      block: false,
      dryRun: false,
      dir: join(cwd, 'acme-live'),
      zip: join(cwd, 'acme-live.zip'),
      names: {
        functionPrefix: 'acme_live',
        classPrefix: 'Acme_Live',
        constantPrefix: 'ACME_LIVE',
        textDomain: 'acme-live',
        queryVar: 'acme_live_event',
        restNamespace: 'acme-live/v1',
      },
    });
    expect(summary.files).toEqual(listTree(join(cwd, 'acme-live')).filter((f) => !f.endsWith('/')));
  });

  it('--zip writes <slug>.zip next to the dir, with the plugin under a <slug>/ top folder', () => {
    const cwd = tempDir('zip');
    const run = runCli(['scaffold', 'acme-live', '--no-block', '--zip', '--dir', 'plugins/acme-live'], cwd);
    expect(run.code).toBe(0);
    const zip = join(cwd, 'plugins/acme-live.zip');
    const entries = unzipList(zip);
    expect(entries.every((entry) => entry.startsWith('acme-live/'))).toBe(true);
    expect(entries).toContain('acme-live/acme-live.php');
    expect(entries).toContain('acme-live/includes/class-acme-live-signer.php');
    for (const [path, contents] of readTree(join(cwd, 'plugins/acme-live'))) {
      expect(unzipFile(zip, `acme-live/${path}`).equals(contents)).toBe(true);
    }
  });

  it('is deterministic: the same command twice gives the same bytes, zip included', () => {
    const first = tempDir('det1');
    const second = tempDir('det2');
    const args = ['scaffold', 'acme-live', '--no-block', '--zip', '--name', 'Acme Live', '--relay-url', 'http://127.0.0.1:3000'];
    expect(runCli(args, first).code).toBe(0);
    expect(runCli(args, second).code).toBe(0);
    const a = readTree(first);
    const b = readTree(second);
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [path, contents] of a) expect(contents.equals(b.get(path) as Buffer), path).toBe(true);
    expect(a.get('acme-live.zip')?.length).toBeGreaterThan(1000);
  });
});

describe('the block', () => {
  it.runIf(!BLOCK_BUILT)('without block/build, scaffolding with the block exits 1, says how to build it, writes nothing', () => {
    const cwd = tempDir('noblock');
    const run = runCli(['scaffold', 'acme-live'], cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('npm run build:block');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(listTree(cwd)).toEqual([]);
  });

  it.runIf(BLOCK_BUILT)('with block/build, the block ships under build/live-notifications in the given namespace', () => {
    const cwd = tempDir('block');
    const run = runCli(['scaffold', 'acme-live', '--namespace', 'acme', '--json'], cwd);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const root = join(cwd, 'acme-live');
    const blockJson = JSON.parse(readFileSync(join(root, 'build/live-notifications/block.json'), 'utf8')) as { name: string; textdomain: string };
    expect(blockJson.name).toBe('acme/live-notifications');
    expect(blockJson.textdomain).toBe('acme-live');
    expect(existsSync(join(root, 'includes/class-acme-live-block.php'))).toBe(true);
    const main = readFileSync(join(root, 'acme-live.php'), 'utf8');
    expect(main).toContain("require_once ACME_LIVE_PATH . 'includes/class-acme-live-block.php';");
    expect(main).toContain('( new Acme_Live_Block() )->register();');
    // The Who's Here block: its own folder, renamed the same way, registered by its own class.
    const whosHere = JSON.parse(readFileSync(join(root, 'build/whos-here/block.json'), 'utf8')) as { name: string; textdomain: string };
    expect(whosHere).toMatchObject({ name: 'acme/whos-here', textdomain: 'acme-live' });
    expect(existsSync(join(root, 'build/live-notifications/whos-here'))).toBe(false);
    expect(readFileSync(join(root, 'build/whos-here/index.js'), 'utf8')).toContain('acme/whos-here');
    expect(readFileSync(join(root, 'build/whos-here/view.js'), 'utf8')).toContain('wp-block-acme-whos-here');
    expect(main).toContain('( new Acme_Live_Whos_Here_Block() )->register();');
  });
});

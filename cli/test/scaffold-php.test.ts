/** The generated PHP: lint-clean under php-cli, guarded, and named only after its own slug. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, listTree, phpFiles, REPO_ROOT, runCli, tempDir } from './scaffold-helpers.js';
import { RELAY_METRIC_NAME } from '../../scaffold/block-assets.js';

// With a built block, the plugins under test ship it too, so its PHP is held to the same rules.
const BLOCK_ARGS = existsSync(join(REPO_ROOT, 'block/build')) ? [] : ['--no-block'];

beforeAll(assertBuilt);

interface Names {
  slug: string;
  functionPrefix: string;
  classPrefix: string;
  constantPrefix: string;
}

const SLUGS: Names[] = [
  { slug: 'acme-live', functionPrefix: 'acme_live', classPrefix: 'Acme_Live', constantPrefix: 'ACME_LIVE' },
  { slug: 'shop2-alerts-x9', functionPrefix: 'shop2_alerts_x9', classPrefix: 'Shop2_Alerts_X9', constantPrefix: 'SHOP2_ALERTS_X9' },
  { slug: 'zed', functionPrefix: 'zed', classPrefix: 'Zed', constantPrefix: 'ZED' },
];

function scaffold(names: Names): string {
  const cwd = tempDir(names.slug);
  // A name with quotes and backslashes proves values are escaped where they enter PHP literals.
  const run = runCli(['scaffold', names.slug, ...BLOCK_ARGS, '--name', `It's "${names.slug}" \\o/`, '--relay-url', 'http://127.0.0.1:3000'], cwd);
  expect(run.code, run.stderr).toBe(0);
  return join(cwd, names.slug);
}

describe.each(SLUGS)('generated PHP for $slug', (names) => {
  let root = '';
  beforeAll(() => {
    root = scaffold(names);
  });

  it('passes php -l, file by file', () => {
    const files = phpFiles(root);
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      const lint = spawnSync('php', ['-l', join(root, file)], { encoding: 'utf8' });
      expect(lint.status, `${file}: ${lint.stdout}${lint.stderr}`).toBe(0);
    }
  });

  it('guards every PHP file with ABSPATH before any code runs', () => {
    for (const file of phpFiles(root)) {
      const source = readFileSync(join(root, file), 'utf8');
      const guard = source.indexOf("if ( ! defined( 'ABSPATH' )");
      expect(guard, file).toBeGreaterThan(0);
      // Nothing but the opening tag and comments before the guard.
      const before = source.slice(0, guard).replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(before.trim(), file).toBe('<?php');
    }
  });

  it('leaves no template syntax and no name that is not derived from the slug', () => {
    const foreign = ['{{', 'myplugin', 'wp_realtime_', 'Wp_Realtime', 'WP_REALTIME_', ...(names.slug === 'acme-live' ? [] : ['acme'])];
    for (const file of listTree(root).filter((f) => !f.endsWith('/'))) {
      // The protocol's own header name is one wp-realtime name a plugin must carry; the relay's metric names, which
      // the console reads from /metrics, are the others.
      const source = readFileSync(join(root, file), 'utf8').replace(/(HTTP_)?X[-_]WP[-_]REALTIME[-_]SIGNATURE/gi, '').replace(RELAY_METRIC_NAME, '');
      for (const word of foreign) {
        const at = source.toLowerCase().indexOf(word.toLowerCase());
        expect(at, `${file} contains "${source.slice(Math.max(0, at - 30), at + word.length + 10)}"`).toBe(-1);
      }
    }
  });

  it('prefixes every global function, class, constant and hook with the slug', () => {
    const all = phpFiles(root)
      .map((file) => readFileSync(join(root, file), 'utf8'))
      .join('\n');
    const functions = [...all.matchAll(/^function (\w+)/gm)].map((m) => m[1]);
    const classes = [...all.matchAll(/^class (\w+)/gm)].map((m) => m[1]);
    const constants = [...all.matchAll(/define\( '(\w+)'/g)].map((m) => m[1]);
    const hooks = [...all.matchAll(/(?:do_action|apply_filters)\(\s*'([\w.-]+)'/g)].map((m) => m[1]);
    expect(functions.length).toBeGreaterThan(0);
    expect(classes.length).toBeGreaterThan(8);
    for (const fn of functions) expect(fn, fn).toMatch(new RegExp(`^${names.functionPrefix}_`));
    for (const cls of classes) expect(cls, cls).toMatch(new RegExp(`^${names.classPrefix}_`));
    for (const constant of constants) expect(constant, constant).toMatch(new RegExp(`^${names.constantPrefix}_`));
    for (const hook of hooks) expect(hook, hook).toMatch(new RegExp(`^${names.functionPrefix}_`));
    expect(all).toContain(`'${names.functionPrefix}_event'`);
    expect(all).toContain(`'^${names.slug}/v1/event-trigger/?$'`);
    expect(all).toContain(`'${names.slug}/v1'`);
  });

  it('loads under bare php-cli with a stub ABSPATH up to the first WordPress call (no parse or class errors)', () => {
    // The signer must be usable without WordPress; the vectors test exercises it fully.
    const signer = join(root, `includes/class-${names.slug}-signer.php`);
    const script = `define('ABSPATH', '/'); require '${signer}'; echo (new ${names.classPrefix}_Signer(str_repeat('s', 40)))->sign('{}', 1);`;
    const run = spawnSync('php', ['-r', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^t=1,v1=[0-9a-f]{64}$/);
  });
});

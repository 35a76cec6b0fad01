// The built block, renamed for a generated plugin: nothing of the placeholder `wp-realtime` may survive, and the
// result is identical from one run to the next. Needs `npm run build:block` first (npm test builds).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertOnlyKnownPlaceholders, BLOCK_BUILD_DIR, blockFiles, type ScaffoldFile } from '../../scaffold/block-assets.js';
import { phpLint, phpRun } from './support/php.js';

let files: ScaffoldFile[];
let workDir: string;
const text = (path: string): string => {
  const file = files.find((candidate) => candidate.path === `build/live-notifications/${path}`);
  if (!file) throw new Error(`no ${path} among ${files.map((f) => f.path).join(', ')}`);
  return file.contents.toString('utf8');
};

beforeAll(async () => {
  if (!existsSync(join(BLOCK_BUILD_DIR, 'block.json'))) throw new Error('block/build is missing: run `npm run build:block` first');
  files = await blockFiles({ namespace: 'acme-live', textDomain: 'acme-text' });
  workDir = await mkdtemp(join(tmpdir(), 'block-assets-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('block assets for a generated plugin', () => {
  it('ships the editor script, view script, styles, asset files and block.json', () => {
    expect(files.map((file) => file.path)).toEqual(
      expect.arrayContaining(
        ['block.json', 'index.js', 'index.asset.php', 'index.css', 'view.js', 'view.asset.php', 'style-index.css'].map(
          (name) => `build/live-notifications/${name}`,
        ),
      ),
    );
  });

  it('leaves no trace of the placeholder in any file, library code included', () => {
    for (const file of files) expect(file.contents.toString('utf8'), file.path).not.toContain('wp-realtime');
  });

  it('renames the block, its text domain and its CSS class', async () => {
    const metadata = JSON.parse(text('block.json')) as Record<string, unknown>;
    expect(metadata).toMatchObject({ name: 'acme-live/live-notifications', textdomain: 'acme-text', apiVersion: 3, title: 'Live Notifications' });
    expect(text('index.js')).toContain('"acme-live/live-notifications"');
    expect(text('index.js')).toMatch(/\("Heading","acme-text"\)/);
    expect(text('view.js')).toMatch(/\("Offline","acme-text"\)/);
    expect(text('view.js')).toContain('wp-block-acme-live-live-notifications');
    expect(text('style-index.css')).toContain('.wp-block-acme-live-live-notifications__list');
    // The source's own build, for contrast: the placeholder really was there.
    expect(await readFile(join(BLOCK_BUILD_DIR, 'index.js'), 'utf8')).toContain('"wp-realtime/live-notifications"');
  });

  it('keeps a namespace that itself contains the placeholder word', async () => {
    const renamed = await blockFiles({ namespace: 'my-wp-realtime', textDomain: 'my-wp-realtime' });
    const metadata = renamed.find((file) => file.path.endsWith('block.json'))!.contents.toString('utf8');
    expect(JSON.parse(metadata)).toMatchObject({ name: 'my-wp-realtime/live-notifications', textdomain: 'my-wp-realtime' });
  });

  it('is deterministic', async () => {
    const again = await blockFiles({ namespace: 'acme-live', textDomain: 'acme-text' });
    expect(again.map((file) => [file.path, file.contents.toString('base64')])).toEqual(
      files.map((file) => [file.path, file.contents.toString('base64')]),
    );
  });

  it('refuses a placeholder in a form it does not know', () => {
    expect(() => assertOnlyKnownPlaceholders('x.js', 'const key = "wp-realtime:cache";')).toThrow(/x\.js holds the placeholder/);
    expect(() => assertOnlyKnownPlaceholders('x.js', 'const key = "acme:cache";')).not.toThrow();
  });

  it('gives the asset files an ABSPATH guard, valid PHP and the scripts WordPress 6.1 has', async () => {
    for (const name of ['index.asset.php', 'view.asset.php']) {
      const path = join(workDir, name);
      await writeFile(path, text(name));
      expect(await phpLint(path)).toContain('No syntax errors');
      expect(text(name)).toMatch(/defined\( 'ABSPATH' \)/);
      // Without ABSPATH the file exits before returning anything.
      expect(await phpRun('var_export(include $argv[1]);', [path])).toBe('');
    }
    const asset = (name: string) =>
      phpRun("define('ABSPATH', '/'); echo json_encode(include $argv[1]);", [join(workDir, name)]).then(
        (json) => JSON.parse(json) as { dependencies: string[]; version: string },
      );
    const editor = await asset('index.asset.php');
    const view = await asset('view.asset.php');
    expect(editor.dependencies).not.toContain('react-jsx-runtime');
    expect(editor.dependencies).toEqual(expect.arrayContaining(['wp-blocks', 'wp-block-editor', 'wp-components', 'wp-element', 'wp-i18n']));
    expect(view.dependencies.sort()).toEqual(['wp-api-fetch', 'wp-i18n']);
    expect(view.version).toMatch(/^[0-9a-f]{20}$/);
    const otherPlugin = await blockFiles({ namespace: 'other', textDomain: 'other' });
    expect(otherPlugin.find((file) => file.path.endsWith('view.asset.php'))!.contents.toString()).not.toContain(view.version);
  });
});

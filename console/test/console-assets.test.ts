// The built console as the scaffolder ships it: in build/console, every text-domain literal renamed, the asset
// file guarded, and the relay's metric names (its own, not the plugin's) kept as they are.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_BUILD_DIR, CONSOLE_TARGET_DIR, consoleFiles, type ScaffoldFile } from '../../scaffold/block-assets.js';
import { METRIC_NAMES } from '../src/metrics.js';

let files: ScaffoldFile[];
beforeAll(async () => {
  if (!existsSync(join(CONSOLE_BUILD_DIR, 'index.js'))) throw new Error('console/build is missing: run `npm run build:console` first');
  files = await consoleFiles({ namespace: 'acme-live', textDomain: 'acme-text' });
});

describe('console assets', () => {
  it('ships the script, its asset file and styles under build/console', () => {
    const paths = files.map((f) => f.path);
    for (const name of ['index.js', 'index.asset.php', 'index.css']) expect(paths).toContain(`${CONSOLE_TARGET_DIR}/${name}`);
  });

  it('renames the text domain and keeps the relay metric names', () => {
    const script = files.find((f) => f.path === `${CONSOLE_TARGET_DIR}/index.js`)!.contents.toString('utf8');
    expect(script).toContain('"acme-text"');
    expect(script).not.toMatch(/["'`]wp-realtime["'`]/);
    for (const name of Object.values(METRIC_NAMES)) expect(script).toContain(`"${name}"`);
  });

  it('guards the asset file and lists the WordPress scripts it needs', () => {
    const asset = files.find((f) => f.path === `${CONSOLE_TARGET_DIR}/index.asset.php`)!.contents.toString('utf8');
    expect(asset).toMatch(/^<\?php\nif \( ! defined\( 'ABSPATH' \) \) \{/);
    for (const handle of ['wp-api-fetch', 'wp-components', 'wp-data', 'wp-element', 'wp-i18n']) expect(asset).toContain(`'${handle}'`);
  });
});

// The PHP that registers and renders the block in a generated plugin: rendered from its template with the
// scaffolder's Handlebars settings (strict: an unknown name fails; no HTML escaping) and its naming rules, checked
// with `php -l`, then run under php-cli with WordPress core's real escaping.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveNames } from '../../scaffold/naming.js';
import { parseConfig } from '../src/client/config.js';
import { phpLint, phpRun } from './support/php.js';

const TEMPLATE = 'includes/class-{{slug}}-block.php.hbs';
const TEMPLATE_DIR = fileURLToPath(new URL('../../plugin-template', import.meta.url));
const HARNESS = fileURLToPath(new URL('./support/render-block.php', import.meta.url));
const BLOCK_JSON = fileURLToPath(new URL('../src/block.json', import.meta.url));
const WORDPRESS = '/usr/share/wordpress';

const context = { ...deriveNames('acme-live'), name: 'Acme Live', namespace: 'acme-blocks', relayUrl: '', block: true, version: '0.1.0' };
let workDir: string;
let classFile: string;
let source: string;

function decodeAttribute(value: string): string {
  const entities: Record<string, string> = { '&quot;': '"', '&#039;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
  return value.replace(/&(?:quot|#039|lt|gt|amp);/g, (entity) => entities[entity] ?? entity);
}

async function render(attributes: object): Promise<string> {
  const names = { constantPrefix: context.constantPrefix, classPrefix: context.classPrefix, textDomain: context.textDomain, namespace: context.namespace };
  return phpRun(`$argv = array_merge(array('x'), array_slice($argv, 1)); require '${HARNESS}';`, [
    WORDPRESS,
    classFile,
    BLOCK_JSON,
    JSON.stringify(names),
    JSON.stringify(attributes),
  ]);
}

function configOf(html: string): unknown {
  const match = /data-live-notifications="([^"]*)"/.exec(html);
  if (!match) throw new Error(`no config attribute in ${html}`);
  return JSON.parse(decodeAttribute(match[1]!));
}

beforeAll(async () => {
  if (!existsSync(join(WORDPRESS, 'wp-includes/formatting.php'))) throw new Error(`WordPress core is missing at ${WORDPRESS}: apt-get install wordpress`);
  workDir = await mkdtemp(join(tmpdir(), 'block-php-'));
  const template = await readFile(join(TEMPLATE_DIR, TEMPLATE), 'utf8');
  source = Handlebars.create().compile(template, { strict: true, noEscape: true })(context);
  classFile = join(workDir, 'class-acme-live-block.php');
  await writeFile(classFile, source);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('the generated block class', () => {
  it('is valid PHP with an ABSPATH guard and the plugin prefixes', async () => {
    expect(await phpLint(classFile)).toContain('No syntax errors');
    expect(source).toMatch(/^<\?php[\s\S]*?if \( ! defined\( 'ABSPATH' \) \) \{\s*exit;\s*\}/);
    expect(source).toContain('class Acme_Live_Block {');
    expect(source).toContain("ACME_LIVE_PATH . self::BUILD_DIR");
    expect(source).toContain("wp_set_script_translations( $handle, 'acme-live' )");
    expect(source).not.toMatch(/\{\{|\}\}|wp-realtime/);
  });

  it('exits without output when loaded outside WordPress', async () => {
    expect(await phpRun(`require '${classFile}'; echo 'reached';`)).toBe('');
  });

  it('renders the wrapper, config, heading, status and an empty polite list', async () => {
    const html = await render({ heading: 'Latest news', maxItems: 7, eventTypes: ['post.published', 'comment.*'], showTime: false });
    expect(html).toMatch(/^<div class="wp-block-acme-blocks-live-notifications" data-live-notifications="/);
    expect(html).toContain('<h2 class="wp-block-acme-blocks-live-notifications__heading">Latest news</h2>');
    expect(html).toContain('<p class="wp-block-acme-blocks-live-notifications__status">Connecting…</p>');
    expect(html).toContain('<ul class="wp-block-acme-blocks-live-notifications__list" aria-live="polite"></ul>');
    expect(configOf(html)).toEqual({
      tokenPath: '/acme-live/v1/token',
      heading: 'Latest news',
      maxItems: 7,
      eventTypes: ['post.published', 'comment.*'],
      showTime: false,
    });
  });

  it('hands the view script a config it accepts', async () => {
    const html = await render({ heading: 'News', maxItems: 3, eventTypes: [], showTime: true });
    const match = /data-live-notifications="([^"]*)"/.exec(html)!;
    expect(parseConfig(decodeAttribute(match[1]!))).toEqual({
      ok: true,
      config: { tokenPath: '/acme-live/v1/token', heading: 'News', maxItems: 3, eventTypes: [], showTime: true },
    });
  });

  it('escapes hostile attribute values and bounds the rest', async () => {
    const hostile = '"><img src=x onerror=alert(1)>';
    const html = await render({ heading: hostile, maxItems: 50, eventTypes: ['ok.type', '<script>', 'Bad', 'ok.type'], showTime: true });
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>');
    expect(configOf(html)).toMatchObject({ maxItems: 50, eventTypes: ['ok.type'] });
    expect((configOf(html) as { heading: string }).heading).not.toContain('<img');
    // Out of block.json's bounds, WordPress drops the value and the default applies.
    expect(configOf(await render({ maxItems: 500, eventTypes: [7] }))).toMatchObject({ maxItems: 5, eventTypes: [] });
    expect(configOf(await render({}))).toEqual({ tokenPath: '/acme-live/v1/token', heading: 'Live notifications', maxItems: 5, eventTypes: [], showTime: true });
  });

  it('omits the heading element when the heading is empty, and never prints a secret', async () => {
    const html = await render({ heading: '', maxItems: 5, eventTypes: [], showTime: true });
    expect(html).not.toContain('<h2');
    expect(html.toLowerCase()).not.toContain('secret');
    expect(source).not.toMatch(/SECRET|secret'/);
  });
});

/**
 * The built Live Notifications block (block/build, made by `npm run build:block`) and the built live console
 * (console/build, `npm run build:console`) as files for a generated plugin, renamed for that plugin: both are built
 * once under the placeholder namespace and text domain `wp-realtime` and rewritten here, so a site needs no Node. The rewrite is exact and checked: a placeholder left in any file is
 * an error, never a silently half-renamed plugin.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, found from here whether this runs compiled (dist/scaffold/) or from source (scaffold/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const BLOCK_BUILD_DIR = join(packageRoot(), 'block', 'build');
/** Where the block lands inside the generated plugin. */
export const BLOCK_TARGET_DIR = 'build/live-notifications';
/**
 * The blocks besides Live Notifications, each built into its own folder of block/build (wp-scripts finds every
 * block.json under block/src) and shipped as `build/<name>` of the plugin, registered by its own PHP class.
 */
export const EXTRA_BLOCKS = ['whos-here'] as const;
/** Every block name the built files spell as `wp-realtime/<name>` and `wp-block-wp-realtime-<name>`. */
const BLOCK_NAMES = ['live-notifications', ...EXTRA_BLOCKS];
export const CONSOLE_BUILD_DIR = join(packageRoot(), 'console', 'build');
/** Where the console lands inside the generated plugin (class-<slug>-console-page.php loads it from there). */
export const CONSOLE_TARGET_DIR = 'build/console';
export const PLACEHOLDER_NAMESPACE = 'wp-realtime';
export const PLACEHOLDER_TEXT_DOMAIN = 'wp-realtime';

export interface ScaffoldFile {
  /** Path relative to the plugin root, with forward slashes. */
  path: string;
  contents: Buffer;
}

export interface BlockAssetOptions {
  namespace: string;
  textDomain: string;
}

/** One built bundle shipped in the plugin. */
interface BuiltBundle {
  buildDir: string;
  targetDir: string;
  /** Makes the bundle's webpack chunk global its own, so the block and the console of one plugin never share one. */
  chunkSuffix: string;
  /** Subfolders of buildDir that land in a folder of their own, `build/<subfolder>` of the plugin. */
  ownFolders: readonly string[];
  buildCommand: string;
  what: string;
}

const BLOCK_BUNDLE: BuiltBundle = { buildDir: BLOCK_BUILD_DIR, targetDir: BLOCK_TARGET_DIR, chunkSuffix: 'live_notifications', ownFolders: EXTRA_BLOCKS, buildCommand: 'npm run build:block', what: 'the block' };
const CONSOLE_BUNDLE: BuiltBundle = { buildDir: CONSOLE_BUILD_DIR, targetDir: CONSOLE_TARGET_DIR, chunkSuffix: 'console', ownFolders: [], buildCommand: 'npm run build:console', what: 'the console' };

const TEXT_FILE = /\.(js|json|css|php|txt|map)$/;
const ABSPATH_GUARD = "if ( ! defined( 'ABSPATH' ) ) {\n\texit;\n}\n";

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : Promise.resolve([join(dir, entry.name)]))),
  );
  return nested.flat().sort();
}

/** block.json is data: set its two fields instead of matching text. */
function renameBlockJson(text: string, { namespace, textDomain }: BlockAssetOptions): string {
  const metadata = JSON.parse(text) as Record<string, unknown>;
  metadata.name = String(metadata.name).replace(new RegExp(`^${PLACEHOLDER_NAMESPACE}/`), `${namespace}/`);
  metadata.textdomain = textDomain;
  return `${JSON.stringify(metadata, null, '\t')}\n`;
}

const BLOCK_CLASS_PLACEHOLDER = new RegExp(`wp-block-${PLACEHOLDER_NAMESPACE}-(${BLOCK_NAMES.join('|')})`, 'g');
const BLOCK_NAME_PLACEHOLDER = new RegExp(`(["'\`])${PLACEHOLDER_NAMESPACE}/(${BLOCK_NAMES.join('|')})\\1`, 'g');

/** webpack's chunk-loading global, named from the package: renamed so two generated plugins never share one. */
const PLACEHOLDER_CHUNK_GLOBAL = 'webpackChunkwp_realtime';

/**
 * The forms the placeholder takes in the built scripts and styles: the block name literal, the block's CSS
 * class, the text domain literal of every `__()` call, and webpack's chunk-loading global.
 */
function renameCode(text: string, { namespace, textDomain }: BlockAssetOptions, chunkSuffix: string): string {
  return text
    .replaceAll(PLACEHOLDER_CHUNK_GLOBAL, `webpackChunk${namespace.replace(/[^A-Za-z0-9]/g, '_')}_${chunkSuffix}`)
    .replace(BLOCK_CLASS_PLACEHOLDER, (_all, block: string) => `wp-block-${namespace}-${block}`)
    .replace(BLOCK_NAME_PLACEHOLDER, (_all, quote: string, block: string) => `${quote}${namespace}/${block}${quote}`)
    .replace(/(["'`])wp-realtime\1/g, `$1${textDomain}$1`);
}

/** `<name>.asset.php`: the ABSPATH guard every plugin PHP file carries, and a version that follows the renamed script. */
function rewriteAssetPhp(text: string, renamedScript: string | undefined): string {
  let php = text.replace(/^<\?php\s*/, `<?php\n${ABSPATH_GUARD}\n`);
  if (renamedScript !== undefined) {
    const version = createHash('sha256').update(renamedScript).digest('hex').slice(0, 20);
    php = php.replace(/'version' => '[^']*'/, `'version' => '${version}'`);
  }
  return php.endsWith('\n') ? php : `${php}\n`;
}

/**
 * Throws when a file holds the placeholder in a form the rename does not know. Checked on the file renamed with
 * empty names, so a namespace that itself contains "wp-realtime" (e.g. `my-wp-realtime`) is no false alarm.
 */
/** The relay's Prometheus metric names (read by the console's health panel): the relay's names, not the plugin's. */
export const RELAY_METRIC_NAME = /(["'`])wp_realtime_[a-z_]+\1/g;

export function assertOnlyKnownPlaceholders(path: string, renamedWithEmptyNames: string): void {
  const at = renamedWithEmptyNames.replace(RELAY_METRIC_NAME, '').search(/wp[-_]realtime/);
  if (at !== -1) {
    const context = renamedWithEmptyNames.slice(Math.max(0, at - 40), at + 40);
    throw new Error(`${path} holds the placeholder "${PLACEHOLDER_NAMESPACE}" in a form the rename does not know (…${context}…); teach scaffold/block-assets.ts this form`);
  }
}

export function blockFiles(options: BlockAssetOptions): Promise<ScaffoldFile[]> {
  return bundleFiles(BLOCK_BUNDLE, options);
}

export function consoleFiles(options: BlockAssetOptions): Promise<ScaffoldFile[]> {
  return bundleFiles(CONSOLE_BUNDLE, options);
}

async function bundleFiles(bundle: BuiltBundle, options: BlockAssetOptions): Promise<ScaffoldFile[]> {
  let files: string[];
  try {
    files = await listFiles(bundle.buildDir);
  } catch {
    throw new Error(`${bundle.what} is not built (${bundle.buildDir} is missing); run \`${bundle.buildCommand}\``);
  }
  const targetPath = (file: string): string => {
    const path = relative(bundle.buildDir, file).split('\\').join('/');
    const own = bundle.ownFolders.find((folder) => path.startsWith(`${folder}/`));
    return own === undefined ? `${bundle.targetDir}/${path}` : `${dirname(bundle.targetDir)}/${path}`;
  };
  const texts = new Map<string, string>();
  for (const file of files.filter((name) => TEXT_FILE.test(name) && !name.endsWith('.asset.php'))) {
    const raw = await readFile(file, 'utf8');
    const rename = (text: string, names: BlockAssetOptions): string =>
      basename(file) === 'block.json' ? renameBlockJson(text, names) : renameCode(text, names, bundle.chunkSuffix);
    assertOnlyKnownPlaceholders(targetPath(file), rename(raw, { namespace: '', textDomain: '' }));
    texts.set(file, rename(raw, options));
  }
  for (const file of files.filter((name) => name.endsWith('.asset.php'))) {
    const raw = await readFile(file, 'utf8');
    assertOnlyKnownPlaceholders(targetPath(file), raw);
    texts.set(file, rewriteAssetPhp(raw, texts.get(file.replace(/\.asset\.php$/, '.js'))));
  }
  return Promise.all(
    files.map(async (file) => {
      const text = texts.get(file);
      return { path: targetPath(file), contents: text === undefined ? await readFile(file) : Buffer.from(text) };
    }),
  );
}

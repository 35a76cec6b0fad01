/**
 * The built Live Notifications block (block/build, made by `npm run build:block`) as files for a generated plugin,
 * renamed for that plugin: the block is built once under the placeholder namespace and text domain `wp-realtime`
 * and rewritten here, so a site needs no Node.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BLOCK_BUILD_DIR = fileURLToPath(new URL('../../block/build', import.meta.url));
/** Where the block lands inside the generated plugin. */
export const BLOCK_TARGET_DIR = 'build/live-notifications';
export const PLACEHOLDER_NAMESPACE = 'wp-realtime';

export interface ScaffoldFile {
  /** Path relative to the plugin root, with forward slashes. */
  path: string;
  contents: Buffer;
}

export interface BlockAssetOptions {
  namespace: string;
  textDomain: string;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : Promise.resolve([join(dir, entry.name)]))),
  );
  return nested.flat().sort();
}

function rename(text: string, { namespace, textDomain }: BlockAssetOptions): string {
  return text
    .replaceAll(`"${PLACEHOLDER_NAMESPACE}/live-notifications"`, `"${namespace}/live-notifications"`)
    .replaceAll(`wp-block-${PLACEHOLDER_NAMESPACE}-live-notifications`, `wp-block-${namespace}-live-notifications`)
    .replaceAll(`"textdomain": "${PLACEHOLDER_NAMESPACE}"`, `"textdomain": "${textDomain}"`)
    .replaceAll(`"${PLACEHOLDER_NAMESPACE}")`, `"${textDomain}")`);
}

export async function blockFiles(options: BlockAssetOptions): Promise<ScaffoldFile[]> {
  let files: string[];
  try {
    files = await listFiles(BLOCK_BUILD_DIR);
  } catch {
    throw new Error(`the block is not built (${BLOCK_BUILD_DIR} is missing); run \`npm run build:block\``);
  }
  return Promise.all(
    files.map(async (file) => {
      const raw = await readFile(file);
      const isText = /\.(js|json|css|php|txt|map)$/.test(file);
      return {
        path: `${BLOCK_TARGET_DIR}/${relative(BLOCK_BUILD_DIR, file).split('\\').join('/')}`,
        contents: isText ? Buffer.from(rename(raw.toString('utf8'), options)) : raw,
      };
    }),
  );
}

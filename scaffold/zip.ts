/**
 * The plugin as a zip for Plugins → Add New → Upload: everything under one top folder named after the slug.
 * Byte-for-byte reproducible: sorted entries, a fixed timestamp and fixed permissions.
 */
import yazl from 'yazl';
import type { ScaffoldFile } from './block-assets.js';

/** Zip's DOS timestamps cannot go before 1980; any fixed date makes the archive reproducible. */
const FIXED_MTIME = new Date(Date.UTC(2020, 0, 1, 0, 0, 0));
const FILE_MODE = 0o100644;
const DIR_MODE = 0o40755;

function directoriesOf(paths: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs];
}

export function zipPlugin(topFolder: string, files: readonly ScaffoldFile[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const byPath = new Map(files.map((file) => [`${topFolder}/${file.path}`, file.contents]));
  const entries = [...directoriesOf([...byPath.keys()]).map((dir) => `${dir}/`), ...byPath.keys()].sort();
  for (const entry of entries) {
    const contents = byPath.get(entry);
    if (contents === undefined) zip.addEmptyDirectory(entry, { mtime: FIXED_MTIME, mode: DIR_MODE });
    else zip.addBuffer(contents, entry, { mtime: FIXED_MTIME, mode: FILE_MODE, compress: true });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

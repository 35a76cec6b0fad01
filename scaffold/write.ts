/**
 * Puts a plugin on disk all at once: files go to a temporary sibling directory that is renamed into place, so a
 * failure half way leaves no half plugin, and an overwritten plugin is replaced whole, never merged.
 *
 * Modes: every directory, the plugin's root included, is made with 0777 and every file with 0666, both narrowed by
 * the process umask (umask 022 gives 0755/0644). The web server usually runs as another user than the one who
 * scaffolds, so it must be able to read what is written here.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ScaffoldFile } from './block-assets.js';

/** Why `path` cannot receive the plugin directory (or its zip file), or null; only reads the disk. */
export async function targetProblem(path: string, overwrite: boolean, kind: 'directory' | 'file' = 'directory'): Promise<string | null> {
  const existing = await stat(path).catch(() => null);
  if (existing && kind === 'directory') {
    if (!existing.isDirectory()) return `${path} exists and is not a directory`;
    if (!overwrite && (await readdir(path)).length > 0) {
      return `${path} already exists and is not empty; pass --force to replace it or --dir to choose another`;
    }
  }
  if (existing && kind === 'file') {
    if (existing.isDirectory()) return `${path} exists and is a directory`;
    if (!overwrite) return `${path} already exists; pass --force to replace it`;
  }
  return writableAncestorProblem(dirname(path));
}

/** The nearest existing ancestor must be a writable directory, or nothing can be created below it. */
async function writableAncestorProblem(dir: string): Promise<string | null> {
  let current = dir;
  for (;;) {
    const found = await stat(current).catch(() => null);
    if (found) {
      if (!found.isDirectory()) return `cannot create ${dir}: ${current} is not a directory`;
      try {
        await access(current, constants.W_OK | constants.X_OK);
        return null;
      } catch {
        return `cannot write to ${current}: permission denied; choose another --dir`;
      }
    }
    const parent = dirname(current);
    if (parent === current) return `cannot create ${dir}`;
    current = parent;
  }
}

async function replaceWith(staged: string, target: string): Promise<void> {
  const previous = await stat(target).catch(() => null);
  if (!previous) {
    await rename(staged, target);
    return;
  }
  const retired = `${staged}.old`;
  await rename(target, retired);
  try {
    await rename(staged, target);
  } catch (error) {
    await rename(retired, target);
    throw error;
  }
  await rm(retired, { recursive: true, force: true });
}

export async function writePluginDir(target: string, files: readonly ScaffoldFile[]): Promise<void> {
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  // Not mkdtemp: it makes the directory 0700 whatever the umask, and the rename below would keep that mode on the
  // plugin's root, which nginx and php-fpm's user then cannot read. mkdir fails if the name exists (no race).
  const staged = join(parent, `.${basename(target)}.tmp-${randomBytes(6).toString('hex')}`);
  await mkdir(staged);
  try {
    for (const file of files) {
      const destination = join(staged, ...file.path.split('/'));
      await mkdir(dirname(destination), { recursive: true });
      await writeFile(destination, file.contents);
    }
    await replaceWith(staged, target);
  } catch (error) {
    await rm(staged, { recursive: true, force: true });
    throw error;
  }
}

export async function writeFileAtomically(target: string, contents: Buffer): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const staged = `${target}.tmp-${process.pid}`;
  try {
    await writeFile(staged, contents);
    await rename(staged, target);
  } catch (error) {
    await rm(staged, { force: true });
    throw error;
  }
}

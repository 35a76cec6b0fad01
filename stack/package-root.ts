/** The wp-realtime checkout or installed package this code runs from (works from stack/*.ts and dist/stack/*.js). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'bin', 'wp-realtime.js'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('could not find bin/wp-realtime.js above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

/**
 * How to run this CLI from where the user stands, for the commands it prints (dev's emit hint).
 *
 * Inside the wp-realtime checkout, `npx wp-realtime` is slow (3–6 s): npm 11's exec sees that the project's own
 * package.json names the `wp-realtime` bin, links the project into its npx cache and loads the project's whole
 * dependency tree and that cache entry's before it starts anything (libnpmexec lib/index.js, `hasPkgBin`). Nothing in
 * the project can switch that off while package.json publishes the bin (scripts/prepare.mjs at least skips the
 * rebuild that link's install used to run), so inside the checkout the hint is `node bin/wp-realtime.js`, which
 * starts in well under a second. Anywhere else (a project that installed the package) `npx wp-realtime` finds
 * node_modules/.bin at once.
 */
import { join, relative, sep } from 'node:path';
import { packageRoot } from '../stack/package-root.js';

export function cliInvocation(cwd: string, root = packageRoot()): string {
  const inside = relative(root, cwd);
  if (inside.startsWith('..') || root.split(sep).includes('node_modules')) return 'npx wp-realtime';
  return `node ${relative(cwd, join(root, 'bin', 'wp-realtime.js'))}`;
}

// npm's "prepare": builds dist/ and the block/console bundles on `npm ci` / `npm install` in a checkout, and before
// `npm pack` / `npm publish`.
//
// npm also runs "prepare" when `npx wp-realtime` is typed inside the checkout: npm 11's exec sees that this
// package.json names the `wp-realtime` bin, links the checkout into its npx cache (libnpmexec lib/index.js, the
// `hasPkgBin` branch) and the link's install runs the target's "prepare" (npm_command is "exec" then). That rebuild
// took 40+ s on a fresh npx cache and rewrote dist/ under whatever was running from it, for a command that only
// wanted to start the CLI the checkout already has. So under exec we build nothing; if dist/ is missing,
// bin/wp-realtime.js says to run `npm run build`.
import { spawnSync } from 'node:child_process';

if (process.env.npm_command === 'exec') {
  process.exit(0);
}

// npm_execpath is the npm that runs this script (npm sets it for every lifecycle script): the build runs under the
// same npm, with its output on this terminal.
const npm = process.env.npm_execpath;
const build = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
if (build.error) {
  process.stderr.write(`wp-realtime: prepare: could not start \`npm run build\`: ${build.error.message}\n`);
  process.exit(1);
}
process.exit(build.status ?? 1);

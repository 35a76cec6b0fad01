/**
 * `npx wp-realtime --help` typed in the checkout's root, as README shows it, with an empty npx cache each time (what
 * a fresh clone after `npm ci` has; CI runs this from one).
 *
 * npm 11 cannot take its fast path here: libnpmexec's exec (lib/index.js, the `hasPkgBin` loop over pkgPaths, which
 * always include the project root) finds that this package.json names the `wp-realtime` bin, so it links the checkout
 * into its npx cache and loads the project's dependency tree twice (lib/index.js: `localArb.loadActual()` and, through
 * the link, `npxArb.loadActual()`) before it starts the CLI. That costs 3–6 s on a quiet 2-core machine and
 * cannot go under 2 s while the root package.json publishes the bin. What the project controls is the rest: the
 * link's install used to run "prepare", a 40+ s rebuild of dist/ (scripts/prepare.mjs now skips it under exec).
 * So this test holds npx to the cost of npm's own tree loading, proves dist/ is left alone, and that the answer is
 * the real help.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../stack/package-root.js';

const ROOT = packageRoot();
const BUILT_CLI = join(ROOT, 'dist', 'cli', 'index.js');
// npm's two loads of the dependency tree alone took 3.6 s here (best of 3) at a load average of 4 and 12 s at 8; the
// rebuild this guards against took 40+ s at 3. The bound sits between the two so that a busy runner is no failure.
const NPX_BUDGET_MS = 30_000;

/** The environment of a shell a user types npx in: no npm_* variables from the npm that may be running vitest. */
function userShellEnv(npmCache: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return {
    ...env,
    npm_config_cache: npmCache,
    // npm's check for a newer npm asks the registry; that answer's time is not this project's.
    npm_config_update_notifier: 'false',
  };
}

function timedNpxHelp(): { ms: number; status: number | null; stdout: string; stderr: string } {
  const scratch = mkdtempSync(join(tmpdir(), 'wp-realtime-npx-'));
  try {
    const started = process.hrtime.bigint();
    const run = spawnSync('npx', ['wp-realtime', '--help'], {
      cwd: ROOT,
      env: userShellEnv(join(scratch, 'npm-cache')),
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      timeout: 120_000,
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (run.error) throw new Error(`could not run npx: ${run.error.message}`);
    return { ms, status: run.status, stdout: run.stdout, stderr: run.stderr };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

describe('npx wp-realtime in the checkout', () => {
  it('answers --help with the real help, with an empty npx cache, without rebuilding dist/', () => {
    const builtBefore = statSync(BUILT_CLI, { throwIfNoEntry: false });
    expect(builtBefore, `${BUILT_CLI} is missing: run \`npm run build\` (npm ci runs it)`).toBeDefined();
    const realHelp = spawnSync(process.execPath, [join(ROOT, 'bin', 'wp-realtime.js'), '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(realHelp.status).toBe(0);
    expect(realHelp.stdout).toContain('Usage: wp-realtime');

    // The best of three, each with its own empty cache: the machine is shared, one slow run is someone else's build.
    const runs = [timedNpxHelp(), timedNpxHelp(), timedNpxHelp()];
    const best = Math.min(...runs.map((r) => r.ms));
    console.log(`npx wp-realtime --help, empty npx cache: best ${best.toFixed(0)} ms of ${runs.map((r) => r.ms.toFixed(0)).join(', ')}`);
    for (const run of runs) {
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(realHelp.stdout);
    }
    expect(statSync(BUILT_CLI).mtimeMs, 'npx rebuilt dist/').toBe(builtBefore?.mtimeMs);
    expect(best).toBeLessThan(NPX_BUDGET_MS);
  }, 400_000);
});

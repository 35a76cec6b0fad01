/**
 * `npm run test:e2e`: the Playwright suite once per runtime × WordPress core, each combination with its own instance
 * (state dir, database, site) so no run sees another's data. Default matrix: Playground (wp-env, PHP in WebAssembly,
 * SQLite), Apache + mod_php + MariaDB and nginx + php-fpm + MariaDB, on Debian's 6.1.9 and on 6.5.5 (built from
 * @wp-playground/wordpress-builds, see stack/wordpress-builds-core.ts).
 *
 * Two lanes run side by side, each one combination at a time on its own ports: Playground's, and the real stacks'.
 * Playground serves every request with one PHP worker, so its lane is bound by that one core and takes about as long
 * as the real stacks' four combinations together; run one after the other they would not fit CI's 90 minutes
 * (docs/testing.md). WP_REALTIME_E2E_SERIAL=1 runs every combination in one lane. With two lanes each output line
 * starts with its instance's name.
 *
 * A combination whose server or core is not installed here is skipped with a loud notice; in CI (CI=true) that is a
 * failure, so a green CI run always means every combination ran.
 *
 *   WP_REALTIME_E2E_RUNTIMES=playground,apache,nginx   which runtimes (also docker)
 *   WP_REALTIME_E2E_SERIAL=1                            one lane: one combination at a time
 *   WP_REALTIME_E2E_CORES=6.1.9=/usr/share/wordpress,6.5.5=/path   which cores, label=directory
 *   WP_REALTIME_E2E_WP65_CORE=/path                     where the 6.5.5 core is (default .wp-realtime/cache/wp-6.5.5)
 *   node dist/e2e/run-matrix.js [playwright args…]      e.g. a spec file, --grep
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEBIAN_WORDPRESS_DIR } from '../stack/local-core.js';
import { MARIADB_SERVER } from '../stack/mariadb.js';
import { packageRoot } from '../stack/package-root.js';
import { isWordPressRuntime, type WordPressRuntime } from '../stack/runtime.js';
import { missingForServer } from '../stack/web-servers.js';

interface Core {
  label: string;
  dir: string;
}

/** The ports a combination's suite listens on: the site, its relay, and `wp-realtime dev`'s own pair. */
interface Ports {
  wp: number;
  relay: number;
  dev: number;
  devRelay: number;
}

interface Combination {
  runtime: WordPressRuntime;
  core: Core;
  instance: string;
  ports: Ports;
  /** Prefix for each output line when lanes run side by side, '' when alone. */
  tag: string;
}

interface Outcome {
  combination: Combination;
  status: 'passed' | 'failed' | 'skipped';
  reason?: string;
  seconds: number;
  counts: { passed: number; failed: number; flaky: number; skipped: number };
  failedTests: string[];
}

const root = packageRoot();
/** Set by SIGINT/SIGTERM: the run under way is stopped (its teardown runs) and no further combination starts. */
let interrupted = false;
const inCi = process.env['CI'] === 'true' || process.env['CI'] === '1';

function runtimes(): WordPressRuntime[] {
  const list = (process.env['WP_REALTIME_E2E_RUNTIMES'] ?? 'playground,apache,nginx').split(',').map((r) => r.trim()).filter(Boolean);
  for (const runtime of list) if (!isWordPressRuntime(runtime)) throw new Error(`WP_REALTIME_E2E_RUNTIMES: unknown runtime "${runtime}"`);
  return list as WordPressRuntime[];
}

function cores(): Core[] {
  const wp65 = process.env['WP_REALTIME_E2E_WP65_CORE'] ?? join(root, '.wp-realtime', 'cache', 'wp-6.5.5');
  const spec = process.env['WP_REALTIME_E2E_CORES'] ?? `6.1.9=${DEBIAN_WORDPRESS_DIR},6.5.5=${wp65}`;
  return spec.split(',').filter(Boolean).map((entry) => {
    const eq = entry.indexOf('=');
    if (eq < 1) throw new Error(`WP_REALTIME_E2E_CORES: "${entry}" is not label=directory`);
    return { label: entry.slice(0, eq), dir: entry.slice(eq + 1) };
  });
}

/** Why this combination cannot run here, or null. */
function missing(c: Combination): string | null {
  if (!existsSync(join(c.core.dir, 'wp-includes', 'version.php'))) {
    return `no WordPress core in ${c.core.dir}${c.core.label.startsWith('6.5') ? ' (build it: see .ci/run, npm pack @wp-playground/wordpress-builds@0.9.19 + node dist/stack/wordpress-builds-core.js)' : ' (apt-get install wordpress wordpress-theme-twentytwentythree)'}`;
  }
  if (c.runtime === 'apache' || c.runtime === 'nginx') {
    const { missing: files, packages } = missingForServer(c.runtime);
    if (files.length > 0) return `${files.join(', ')} missing (apt-get install ${packages})`;
    if (!existsSync(MARIADB_SERVER)) return `${MARIADB_SERVER} missing (apt-get install mariadb-server)`;
  }
  return null;
}

/** The first lane's ports (from the environment, as for one Playwright run); later lanes add LANE_PORT_STEP each. */
const LANE_PORT_STEP = 20;
function lanePorts(lane: number): Ports {
  const base = (key: string, fallback: number): number => Number(process.env[key] ?? fallback) + lane * LANE_PORT_STEP;
  return {
    wp: base('WP_REALTIME_E2E_WP_PORT', 8890),
    relay: base('WP_REALTIME_E2E_RELAY_PORT', 3901),
    dev: base('WP_REALTIME_E2E_DEV_PORT', 8896),
    devRelay: base('WP_REALTIME_E2E_DEV_RELAY_PORT', 3906),
  };
}

/** Which lane a runtime runs in: Playground on its own, every other runtime in the other one. */
function laneKey(runtime: WordPressRuntime): string {
  return process.env['WP_REALTIME_E2E_SERIAL'] ? 'all' : runtime === 'playground' ? 'playground' : 'servers';
}

function instanceName(base: string, runtime: string, label: string): string {
  return `${base}-${runtime === 'playground' ? 'pg' : runtime}-${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}`.slice(0, 31);
}

interface JsonReport {
  stats?: { expected?: number; unexpected?: number; flaky?: number; skipped?: number };
  suites?: JsonSuite[];
}
interface JsonSuite {
  title: string;
  specs?: { title: string; ok: boolean; file?: string }[];
  suites?: JsonSuite[];
}

function failedTitles(suites: JsonSuite[] = [], out: string[] = []): string[] {
  for (const suite of suites) {
    for (const spec of suite.specs ?? []) if (!spec.ok) out.push(`${spec.file ?? suite.title}: ${spec.title}`);
    failedTitles(suite.suites, out);
  }
  return out;
}

async function runOne(c: Combination, extraArgs: string[]): Promise<Outcome> {
  const reportFile = join(root, 'test-results', `${c.instance}.report.json`);
  const env = {
    ...process.env,
    WP_REALTIME_E2E_RUNTIME: c.runtime,
    WP_REALTIME_WP_CORE: c.core.dir,
    WP_REALTIME_E2E_INSTANCE: c.instance,
    WP_REALTIME_E2E_JSON_REPORT: reportFile,
    WP_REALTIME_E2E_WP_PORT: String(c.ports.wp),
    WP_REALTIME_E2E_RELAY_PORT: String(c.ports.relay),
    WP_REALTIME_E2E_DEV_PORT: String(c.ports.dev),
    WP_REALTIME_E2E_DEV_RELAY_PORT: String(c.ports.devRelay),
  };
  const started = Date.now();
  const playwright = join(root, 'node_modules', '@playwright', 'test', 'cli.js');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [playwright, 'test', '-c', join(root, 'e2e', 'playwright.config.ts'), ...extraArgs], {
      cwd: root,
      env,
      stdio: c.tag ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    if (c.tag) {
      // Line by line, so that two lanes' lines never mix within a line.
      if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => process.stdout.write(`${c.tag} ${line}\n`));
      if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`${c.tag} ${line}\n`));
    }
    // Ctrl-C reaches Playwright through the terminal too. A SIGTERM to this runner is passed on as SIGINT: Playwright
    // stops gracefully (global teardown stops WordPress, MariaDB, the relay) only on SIGINT; SIGTERM kills it at once
    // and left a Playground server running on its port, which failed every later run there.
    const forward = (signal: NodeJS.Signals): void => {
      interrupted = true;
      if (signal === 'SIGTERM') child.kill('SIGINT');
    };
    process.on('SIGTERM', forward);
    process.on('SIGINT', forward);
    child.once('exit', (exitCode) => {
      process.off('SIGTERM', forward);
      process.off('SIGINT', forward);
      resolve(exitCode);
    });
  });
  const seconds = (Date.now() - started) / 1000;
  let report: JsonReport = {};
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport;
  } catch {
    /* no report: the global setup failed before any test ran */
  }
  const counts = {
    passed: report.stats?.expected ?? 0,
    failed: report.stats?.unexpected ?? 0,
    flaky: report.stats?.flaky ?? 0,
    skipped: report.stats?.skipped ?? 0,
  };
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  return { combination: c, status: code === 0 ? 'passed' : 'failed', seconds, counts, failedTests: failedTitles(report.suites), reason: code === 0 ? undefined : `playwright exited ${code}` };
}

function label(c: Combination): string {
  return `${c.runtime} + WordPress ${c.core.label}`;
}

/** One lane: its combinations one after another. */
async function runLane(lane: Combination[], extraArgs: string[]): Promise<Map<Combination, Outcome>> {
  const outcomes = new Map<Combination, Outcome>();
  for (const c of lane) {
    if (interrupted) {
      outcomes.set(c, { combination: c, status: 'skipped', reason: 'interrupted', seconds: 0, counts: { passed: 0, failed: 0, flaky: 0, skipped: 0 }, failedTests: [] });
      continue;
    }
    const why = missing(c);
    if (why) {
      const banner = `${inCi ? 'FAILED' : 'SKIPPED'}: e2e on ${label(c)}: ${why}`;
      process.stderr.write(`\n${'!'.repeat(banner.length)}\n${banner}\n${'!'.repeat(banner.length)}\n\n`);
      outcomes.set(c, { combination: c, status: inCi ? 'failed' : 'skipped', reason: why, seconds: 0, counts: { passed: 0, failed: inCi ? 1 : 0, flaky: 0, skipped: 0 }, failedTests: [] });
      continue;
    }
    process.stderr.write(`\n==> e2e on ${label(c)} (instance ${c.instance}, core ${c.core.dir}, ports ${c.ports.wp}/${c.ports.relay})\n`);
    outcomes.set(c, await runOne(c, extraArgs));
  }
  return outcomes;
}

async function main(): Promise<number> {
  const base = process.env['WP_REALTIME_E2E_INSTANCE'] || 'e2e';
  const extraArgs = process.argv.slice(2);
  const lanes = new Map<string, Combination[]>();
  const combinations: Combination[] = [];
  for (const core of cores()) {
    for (const runtime of runtimes()) {
      const key = laneKey(runtime);
      const lane = lanes.get(key) ?? [];
      lanes.set(key, lane);
      const c: Combination = { runtime, core, instance: instanceName(base, runtime, core.label), ports: lanePorts(0), tag: '' };
      lane.push(c);
      combinations.push(c);
    }
  }
  if (lanes.size > 1) {
    // The real stacks keep the usual ports; Playground's lane moves.
    for (const c of combinations) {
      c.tag = `[${c.instance}]`;
      if (laneKey(c.runtime) === 'playground') c.ports = lanePorts(1);
    }
  }
  if (lanes.size > 1) process.stderr.write(`e2e: ${lanes.size} lanes side by side: ${[...lanes.values()].map((l) => l.map(label).join(' → ')).join('  ||  ')}\n`);
  const results = await Promise.all([...lanes.values()].map((lane) => runLane(lane, extraArgs)));
  const byCombination = new Map(results.flatMap((r) => [...r]));
  const outcomes = combinations.flatMap((c) => byCombination.get(c) ?? []);

  const lines = ['', 'e2e matrix:', '| runtime | WordPress | result | passed | failed | flaky | time |', '|---|---|---|---|---|---|---|'];
  for (const o of outcomes) {
    const time = o.seconds ? `${Math.floor(o.seconds / 60)}m${String(Math.round(o.seconds % 60)).padStart(2, '0')}s` : '-';
    lines.push(`| ${o.combination.runtime} | ${o.combination.core.label} | ${o.status}${o.reason && o.status !== 'passed' ? ` (${o.reason})` : ''} | ${o.counts.passed} | ${o.counts.failed} | ${o.counts.flaky} | ${time} |`);
  }
  for (const o of outcomes.filter((x) => x.failedTests.length > 0)) {
    lines.push(`failed on ${label(o.combination)}:`, ...o.failedTests.map((t) => `  - ${t}`));
  }
  const sum = (key: keyof Outcome['counts']): number => outcomes.reduce((n, o) => n + o.counts[key], 0);
  const skippedCombos = outcomes.filter((o) => o.status === 'skipped').length;
  if (skippedCombos > 0) lines.push(`${skippedCombos} combination(s) SKIPPED on this machine (see the notices above)`);
  // The closing line in the form CI reads: tests across every combination (flaky ones passed on their retry).
  lines.push(`e2e: ${sum('passed') + sum('flaky')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return outcomes.some((o) => o.status === 'failed') || interrupted ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`run-matrix: ${error.message}\n`);
    process.exit(2);
  },
);

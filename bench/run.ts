/**
 * `npm run bench [-- --quick]`: runs every target side by side in one run, writes bench/results/<name>.json, its
 * chart (bench/results/<name>.svg) and the results table of docs/benchmarks.md.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchConfig, BenchUsageError, parseArgs, USAGE } from './config.js';
import { OPEN_FILE_LIMIT } from './processes.js';
import { renderChart } from './report/chart.js';
import { updateDocs } from './report/markdown.js';
import { summarizeProfile } from './report/profile.js';
import { computeRatios } from './report/ratios.js';
import { presenceScenario } from './presence-scenario.js';
import { broadcastScenario, defaultTransportScenario, ingestScenario, type SpreadOptions } from './scenarios.js';
import { assertScaleFits, DESCRIPTOR_MARGIN, sourceAddressesFor } from './source-addresses.js';
import { type BenchResults, benchResults, RESULTS_SCHEMA_ID } from './schema.js';
import { EVENT_BYTES, isSignedIngest, PROTOTYPE_TARGETS, usesSocketIo } from './targets.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

function progress(line: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

export async function runBench(config: BenchConfig): Promise<BenchResults> {
  if (!existsSync(join(repoRoot, 'dist/cli/index.js'))) throw new Error('the CLI is not built: run `npm run build:ts` first');
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = loadavg();
  const secret = randomBytes(32).toString('base64url');
  progress(`${config.name} (${config.mode}): targets ${config.targets.join(', ')}; subscribers ${config.subscribers.join(', ')}; load average ${loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}`);

  const largest = Math.max(...config.subscribers);
  // Profiles are large; bench/results/raw/ is git-ignored.
  const profileDir = join(config.resultsDir, 'raw');
  if (config.profile) mkdirSync(profileDir, { recursive: true });
  const profiles: BenchResults['profiles'] = [];
  const broadcast: BenchResults['broadcast'] = [];
  // The scale scenario: checked before any process starts, so a machine that cannot hold it says so at once.
  let spread: SpreadOptions | undefined;
  if (config.scale !== null) {
    assertScaleFits(config.scale);
    spread = { sourceAddresses: sourceAddressesFor(config.scale), fileLimit: config.scale + DESCRIPTOR_MARGIN };
  }
  // --presence-only skips every other scenario.
  for (const subscribers of config.presenceOnly ? [] : config.subscribers) {
    // Targets alternate within each size so that background load on the shared machine hits them alike.
    for (const target of config.targets) {
      const profileFile = config.profile && subscribers === largest ? join(profileDir, `${config.name}-${target}-${subscribers}.cpuprofile`) : undefined;
      broadcast.push(await broadcastScenario(target, subscribers, config, secret, progress, profileFile, spread));
      if (profileFile) profiles.push({ target, subscribers, file: profileFile, ...summarizeProfile(profileFile) });
    }
  }

  const defaultTransports: BenchResults['defaultTransports'] = [];
  if (config.defaultTransportSubscribers > 0 && !config.presenceOnly) {
    // The prototypes are websocket-only by design; long-polling clients cannot reach them.
    for (const target of config.targets.filter((t) => usesSocketIo(t) && !(PROTOTYPE_TARGETS as readonly string[]).includes(t))) {
      defaultTransports.push(await defaultTransportScenario(target, config.defaultTransportSubscribers, config, secret, progress));
    }
  }

  const ingest: BenchResults['ingest'] = [];
  // The scale scenario measures broadcast alone; ingest does not depend on how many listen, nor on how they read
  // (wp-realtime-pusher's ingest is wp-realtime's: the same route of the same relay).
  for (const target of config.scale === null && !config.presenceOnly ? config.targets.filter((t) => t !== 'wp-realtime-pusher') : []) {
    ingest.push(await ingestScenario(target, 1, config, secret, progress));
    if (isSignedIngest(target)) ingest.push(await ingestScenario(target, 100, config, secret, progress));
  }

  // The relay's own presence; it runs whenever wp-realtime is among the targets.
  const presence = config.presenceMembers > 0 && config.targets.includes('wp-realtime') ? await presenceScenario(config, secret, progress) : null;

  const results: BenchResults = {
    schema: RESULTS_SCHEMA_ID,
    name: config.name,
    mode: config.mode,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      totalMemMB: Math.round(totalmem() / 2 ** 20),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg(),
    },
    setup: {
      eventBytes: EVENT_BYTES,
      socketIoVersion: packageVersion('socket.io'),
      wsVersion: packageVersion('ws'),
      processes:
        `one server process (node --expose-gc, fd limit ${OPEN_FILE_LIMIT}) and one load generator process (all subscribers and the ` +
        'publisher) per scenario, on loopback; they share the machine\'s cores with each other and with anything else running',
      config: { ...config },
    },
    broadcast,
    defaultTransports,
    ingest,
    ratios: computeRatios(broadcast),
    presence,
    profiles,
    external: { wordpress: null, chromium: null },
  };
  return benchResults.parse(results);
}

export function writeOutputs(results: BenchResults, config: BenchConfig): { json: string; svg: string } {
  mkdirSync(config.resultsDir, { recursive: true });
  const json = join(config.resultsDir, `${config.name}.json`);
  const svg = join(config.resultsDir, `${config.name}.svg`);
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  return { json, svg };
}

async function main(): Promise<void> {
  let config: BenchConfig;
  try {
    config = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  const results = await runBench(config);
  const { json, svg } = writeOutputs(results, config);
  writeFileSync(svg, await renderChart(results));
  progress(`wrote ${json} and ${svg}`);
  if (config.docsPath) {
    updateDocs(config.docsPath, results, svg, config.scale === null ? 'results' : 'scale');
    progress(`updated ${config.docsPath}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: Error) => {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(1);
  });
}

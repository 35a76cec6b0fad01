/**
 * `npm run bench:wordpress`: the WordPress-side cost of triggering an event and publish-to-screen in Chromium, on
 * each runtime asked for (`--runtimes playground,apache,nginx`, default every one this machine can run), one after
 * another. Writes bench/results/<name>.json for Playground and <name>-<runtime>.json for the real stacks (schema
 * wp-realtime-bench/v1, figures in `external.wordpress` and `external.chromium`) and, for full runs, each runtime's
 * marked section of docs/benchmarks.md.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MARIADB_SERVER } from '../../stack/mariadb.js';
import { packageRoot } from '../../stack/package-root.js';
import { missingForServer } from '../../stack/web-servers.js';
import { median, percentile } from '../stats.js';
import { benchResults, RESULTS_SCHEMA_ID, type BenchResults } from '../schema.js';
import { runPublishToScreen, type PublishToScreenRun } from './publish-to-screen.js';
import {
  heldResponseLine,
  splitByHeldResponse,
  pooledOverhead,
  pooledOverheadLine,
  publishToScreenMeasurements,
  publishToScreenTable,
  replaceWordPressSection,
  requestCostMeasurements,
  requestCostTable,
  summarizePublishToScreen,
  summarizeRequestCost,
  RELAY_STATES,
  type RelayState,
  type RequestSample,
} from './report.js';
import { runRequestCost } from './request-cost.js';
import { BENCH_RUNTIMES, isRealStack, parseRuntimes, resultsName, RUNTIME_LABEL, runtimePorts, targetChecks, targetLine, type BenchRuntime } from './runtimes.js';
import { startBenchSite, type BenchSite } from './site.js';

const FULL_COUNT = 30;
/** `--quick`: a smoke run of every part, a few minutes per runtime (figures too few to read targets from). */
const QUICK_COUNT = 5;
/** Discarded publish-to-screen events on a real stack; Playground keeps its one (its first cron run dwarfs the rest). */
const DEFAULT_REAL_STACK_WARMUP = 3;

function log(line: string): void {
  process.stdout.write(`[bench:wordpress ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

function nonNegativeInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number ≥ 0, got "${value}"`);
  return n;
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      samples: { type: 'string' },
      events: { type: 'string' },
      quick: { type: 'boolean' },
      'warmup-events': { type: 'string' },
      runtimes: { type: 'string' },
      'cron-interval-ms': { type: 'string', default: '250' },
      only: { type: 'string', default: 'requests,e2e' },
      'relay-states': { type: 'string', default: RELAY_STATES.join(',') },
      name: { type: 'string', default: 'wordpress' },
      instance: { type: 'string', default: 'bench' },
      'wp-port': { type: 'string', default: '8897' },
      'relay-port': { type: 'string', default: '3907' },
      'db-port': { type: 'string', default: '3397' },
      docs: { type: 'boolean' },
      'no-docs': { type: 'boolean' },
    },
  });
  const parts = values.only.split(',').map((p) => p.trim());
  for (const part of parts) if (part !== 'requests' && part !== 'e2e') throw new Error(`--only takes requests and/or e2e, got "${part}"`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(values.name)) throw new Error(`--name must be lowercase letters, digits and dashes, got "${values.name}"`);
  const relayStates = values['relay-states'].split(',').map((p) => p.trim());
  for (const state of relayStates) if (!(RELAY_STATES as readonly string[]).includes(state)) throw new Error(`--relay-states takes ${RELAY_STATES.join(', ')}, got "${state}"`);
  const defaultCount = String(values.quick ? QUICK_COUNT : FULL_COUNT);
  const samples = positiveInt('samples', values.samples ?? defaultCount);
  const events = positiveInt('events', values.events ?? defaultCount);
  const full = samples >= FULL_COUNT && events >= FULL_COUNT && parts.length === 2 && relayStates.length === RELAY_STATES.length;
  return {
    runtimes: values.runtimes === undefined ? availableRuntimes() : parseRuntimes(values.runtimes),
    quick: values.quick ?? false,
    warmupEvents: values['warmup-events'] === undefined ? null : nonNegativeInt('warmup-events', values['warmup-events']),
    samples,
    events,
    cronIntervalMs: positiveInt('cron-interval-ms', values['cron-interval-ms']),
    requests: parts.includes('requests'),
    relayStates: relayStates as RelayState[],
    e2e: parts.includes('e2e'),
    name: values.name,
    instance: values.instance,
    wpPort: positiveInt('wp-port', values['wp-port']),
    relayPort: positiveInt('relay-port', values['relay-port']),
    dbPort: positiveInt('db-port', values['db-port']),
    full,
    writeDocs: values['no-docs'] ? false : (values.docs ?? full),
  };
}

/** Playground always; a real stack where its server and MariaDB are installed and this process is root (the stacks need it). */
function availableRuntimes(): BenchRuntime[] {
  return BENCH_RUNTIMES.filter((runtime) => !isRealStack(runtime) || (missingForServer(runtime as 'apache' | 'nginx').missing.length === 0 && existsSync(MARIADB_SERVER) && process.getuid?.() === 0));
}

function packageVersion(root: string, name: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

type Options = ReturnType<typeof parseOptions>;

function modeLabel(options: Options): string {
  if (options.full) return 'full';
  return `${options.quick ? 'quick' : 'partial'}: ${options.samples} requests per variant and relay state, ${options.events} browser events — too few to read targets from`;
}

function docsSection(runtime: BenchRuntime, site: BenchSite, options: Options, results: BenchResults, requestSamples: RequestSample[], e2e: PublishToScreenRun | null): string {
  const real = isRealStack(runtime);
  const load = (l: number[]): string => l.map((v) => v.toFixed(1)).join(' / ');
  const lines = [
    `Run \`${results.name}\` (${modeLabel(options)}), ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}, WordPress ${site.wordpressVersion} on ${RUNTIME_LABEL[runtime]}${real ? ', WP-Cron as WordPress ships it (no pump)' : ''}; load average at start ${load(results.machine.loadAverageAtStart)}, at end ${load(results.machine.loadAverageAtEnd)}.`,
    '',
  ];
  const requestRows = summarizeRequestCost(requestSamples);
  const stages = e2e ? summarizePublishToScreen(e2e.samples) : [];
  if (requestSamples.length > 0) {
    const heading = real
      ? '#### Cost of a request that triggers an event (the plugin sends after the response; that work overlaps the next timed request)'
      : '#### Cost of a request that triggers an event (no cron pump running: events wait in the outbox)';
    lines.push(heading, '', ...requestCostTable(requestRows), '', pooledOverheadLine(pooledOverhead(requestSamples)), '');
  }
  if (e2e && e2e.samples.length > 0) {
    if (options.cronIntervalMs !== null && !real) {
      const pickup = e2e.cronRuns > 0 ? Math.round(e2e.cronMs / e2e.cronRuns) : null;
      lines.push(`#### Publish → on screen in Chromium (DISABLE_WP_CRON, cron pump every ${options.cronIntervalMs} ms; it made ${e2e.cronRuns} wp-cron.php requests in ${(e2e.cronMs / 1000).toFixed(0)} s, one per ${pickup ?? '–'} ms)`);
    } else {
      lines.push(`#### Publish → on screen in Chromium (no cron pump; one event at a time; ${String(results.setup.config['browserWarmupEvents'])} warm-up events discarded)`);
    }
    lines.push('', ...publishToScreenTable(stages), '');
    if (!real) lines.push(heldResponseLine(splitByHeldResponse(e2e.samples)));
    lines.push(`A read-only \`GET /wp-json/\` as admin, timed after each event${real ? '' : ' while the pump runs'}: p50 ${Math.round(median(e2e.plainRequestMs))} ms, p95 ${Math.round(percentile(e2e.plainRequestMs, 95))} ms (n = ${e2e.plainRequestMs.length}).`);
    lines.push('');
  }
  lines.push(targetLine(targetChecks(runtime, requestRows, stages)));
  return lines.join('\n');
}

async function benchRuntime(runtime: BenchRuntime, options: Options, root: string, position: string): Promise<void> {
  const real = isRealStack(runtime);
  const rlog = (line: string): void => log(`${position} ${runtime}: ${line}`);
  const ports = runtimePorts(runtime, { wp: options.wpPort, relay: options.relayPort, db: options.dbPort });
  const name = resultsName(options.name, runtime);
  // The real stacks have no cron pump: WP-Cron stays as WordPress ships it.
  const cronIntervalMs = real ? null : options.cronIntervalMs;
  // A freshly installed real stack is cold for its first events (opcache, the first WP-Cron runs): see docs/benchmarks.md.
  const warmupEvents = options.warmupEvents ?? (real ? DEFAULT_REAL_STACK_WARMUP : 1);
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = loadavg();
  rlog(`instance ${options.instance}-${runtime}, WordPress port ${ports.wp}, relay port ${ports.relay}${real ? `, MariaDB port ${ports.db}` : ''}; ${options.samples} requests per variant and relay state, ${options.events} browser events; load average ${loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}`);
  const site = await startBenchSite({ instance: `${options.instance}-${runtime}`, wpPort: ports.wp, relayPort: ports.relay, dbPort: ports.db, runtime, log: rlog });
  let requestSamples: RequestSample[] = [];
  let e2e: PublishToScreenRun | null = null;
  try {
    rlog(`WordPress ${site.wordpressVersion} at ${site.wordpress.url}`);
    // The browser part first: under Playground it needs the cron pump, and afterwards the outbox is empty for the request timings.
    if (options.e2e) e2e = await runPublishToScreen({ site, events: options.events, warmupEvents, cronIntervalMs, log: rlog });
    if (options.requests) requestSamples = await runRequestCost({ site, samples: options.samples, relayStates: options.relayStates, log: rlog });
  } finally {
    await site.stop();
  }

  const e2eNotes = real
    ? `Chromium; anonymous visitor; ${RUNTIME_LABEL[runtime]}; WP-Cron as shipped, no pump; one event at a time`
    : `Chromium; anonymous visitor; DISABLE_WP_CRON with a cron pump every ${options.cronIntervalMs} ms; one event at a time`;
  const stages = e2e ? summarizePublishToScreen(e2e.samples) : [];
  const requestRows = summarizeRequestCost(requestSamples);
  const results: BenchResults = benchResults.parse({
    schema: RESULTS_SCHEMA_ID,
    name,
    mode: options.full ? 'full' : options.quick ? 'quick' : 'tiny',
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      totalMemMB: Math.round(totalmem() / 1024 / 1024),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg(),
    },
    setup: {
      eventBytes: 0,
      socketIoVersion: packageVersion(root, 'socket.io'),
      wsVersion: packageVersion(root, 'ws'),
      processes: real
        ? `${RUNTIME_LABEL[runtime]} (harness stack), wp-realtime relay process, this orchestrator (HTTP client), Chromium`
        : 'wp-env Playground WordPress, wp-realtime relay process, this orchestrator (HTTP client), Chromium',
      config: {
        harness: 'wordpress',
        samplesPerVariant: options.samples,
        browserEvents: options.events,
        browserWarmupEvents: warmupEvents,
        cronIntervalMs,
        wordpressRuntime: site.wordpress.runtime,
        wordpressVersion: site.wordpressVersion,
        triggerBaseline: 'plugin inactive: a fixture answers 202 at the trigger URL on parse_request without doing anything',
        cronDuringRequestTimings: real ? 'WP-Cron as WordPress ships it' : false,
        targets: targetChecks(runtime, requestRows, stages),
      },
    },
    broadcast: [],
    defaultTransports: [],
    ingest: [],
    ratios: [],
    profiles: [],
    external: {
      wordpress:
        requestSamples.length > 0
          ? [
              ...requestCostMeasurements(requestRows),
              ...pooledOverhead(requestSamples).map((r) => ({
                name: `${r.kind} request, ${r.variant === 'plugin' ? 'plugin active' : 'recipe'}, all relay states, p50 ÷ plugin inactive`,
                unit: 'ratio',
                value: r.p50VsInactive,
                samples: r.samples,
              })),
            ]
          : null,
      chromium: e2e
        ? [
            ...publishToScreenMeasurements(stages, e2eNotes),
            { name: `plain GET /wp-json/${real ? '' : ' while the cron pump runs'}, p50`, unit: 'ms', value: Math.round(median(e2e.plainRequestMs)), samples: e2e.plainRequestMs.length },
            ...(real ? [] : [{ name: 'wp-cron.php requests by the pump, mean spacing', unit: 'ms', value: e2e.cronRuns > 0 ? Math.round(e2e.cronMs / e2e.cronRuns) : 0, samples: e2e.cronRuns }]),
          ]
        : null,
    },
  });
  const resultsDir = join(root, 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  const resultsFile = join(resultsDir, `${name}.json`);
  await writeFile(resultsFile, `${JSON.stringify({ ...results, raw: { requests: requestSamples, publishToScreen: e2e } }, null, 2)}\n`);
  rlog(`wrote ${resultsFile}`);
  const section = docsSection(runtime, site, options, results, requestSamples, e2e);
  process.stdout.write(`\n${section}\n\n`);
  if (options.writeDocs) {
    const docsFile = join(root, 'docs', 'benchmarks.md');
    await writeFile(docsFile, replaceWordPressSection(await readFile(docsFile, 'utf8'), section, runtime));
    rlog(`updated the ${runtime} section of ${docsFile}`);
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  const root = packageRoot();
  log(`runtimes: ${options.runtimes.join(', ')}${options.quick ? ' (quick)' : ''}`);
  // One runtime at a time: on a 2-core machine two WordPress stacks measured together would measure each other.
  for (const [i, runtime] of options.runtimes.entries()) await benchRuntime(runtime, options, root, `[${i + 1}/${options.runtimes.length}]`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:wordpress failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

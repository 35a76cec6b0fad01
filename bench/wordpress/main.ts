/**
 * `npm run bench:wordpress`: the WordPress-side cost of triggering an event and publish-to-screen in Chromium, on the
 * harness's WordPress (Playground offline). Writes bench/results/<name>.json (schema wp-realtime-bench/v1, figures
 * in `external.wordpress` and `external.chromium`) and, for full runs, the marked section of docs/benchmarks.md.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../stack/package-root.js';
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
import { startBenchSite } from './site.js';

const FULL_COUNT = 30;

function log(line: string): void {
  process.stdout.write(`[bench:wordpress ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      samples: { type: 'string', default: String(FULL_COUNT) },
      events: { type: 'string', default: String(FULL_COUNT) },
      'cron-interval-ms': { type: 'string', default: '250' },
      only: { type: 'string', default: 'requests,e2e' },
      'relay-states': { type: 'string', default: RELAY_STATES.join(',') },
      name: { type: 'string', default: 'wordpress' },
      instance: { type: 'string', default: 'bench' },
      'wp-port': { type: 'string', default: '8897' },
      'relay-port': { type: 'string', default: '3907' },
      docs: { type: 'boolean' },
      'no-docs': { type: 'boolean' },
    },
  });
  const parts = values.only.split(',').map((p) => p.trim());
  for (const part of parts) if (part !== 'requests' && part !== 'e2e') throw new Error(`--only takes requests and/or e2e, got "${part}"`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(values.name)) throw new Error(`--name must be lowercase letters, digits and dashes, got "${values.name}"`);
  const relayStates = values['relay-states'].split(',').map((p) => p.trim());
  for (const state of relayStates) if (!(RELAY_STATES as readonly string[]).includes(state)) throw new Error(`--relay-states takes ${RELAY_STATES.join(', ')}, got "${state}"`);
  const samples = positiveInt('samples', values.samples);
  const events = positiveInt('events', values.events);
  const full = samples >= FULL_COUNT && events >= FULL_COUNT && parts.length === 2 && relayStates.length === RELAY_STATES.length;
  return {
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
    full,
    writeDocs: values['no-docs'] ? false : (values.docs ?? full),
  };
}

function packageVersion(root: string, name: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

function docsSection(results: BenchResults, requestSamples: RequestSample[], e2e: PublishToScreenRun | null, cronIntervalMs: number): string {
  const lines = [
    `Run \`${results.name}\`, ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}, WordPress under wp-env's Playground runtime (PHP in WebAssembly, SQLite); load average at start ${results.machine.loadAverageAtStart.map((l) => l.toFixed(1)).join(' / ')}, at end ${results.machine.loadAverageAtEnd.map((l) => l.toFixed(1)).join(' / ')}.`,
    '',
  ];
  if (requestSamples.length > 0) {
    lines.push('#### Cost of a request that triggers an event (no cron pump running: events wait in the outbox)', '', ...requestCostTable(summarizeRequestCost(requestSamples)), '', pooledOverheadLine(pooledOverhead(requestSamples)), '');
  }
  if (e2e && e2e.samples.length > 0) {
    const pickup = e2e.cronRuns > 0 ? Math.round(e2e.cronMs / e2e.cronRuns) : null;
    lines.push(
      `#### Publish → on screen in Chromium (DISABLE_WP_CRON, cron pump every ${cronIntervalMs} ms; it made ${e2e.cronRuns} wp-cron.php requests in ${(e2e.cronMs / 1000).toFixed(0)} s, one per ${pickup ?? '–'} ms)`,
      '',
      ...publishToScreenTable(summarizePublishToScreen(e2e.samples)),
      '',
      heldResponseLine(splitByHeldResponse(e2e.samples)),
      `A read-only \`GET /wp-json/\` as admin, timed after each event while the pump runs: p50 ${Math.round(median(e2e.plainRequestMs))} ms, p95 ${Math.round(percentile(e2e.plainRequestMs, 95))} ms (n = ${e2e.plainRequestMs.length}).`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions();
  const root = packageRoot();
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = loadavg();
  log(`instance ${options.instance}, WordPress port ${options.wpPort}, relay port ${options.relayPort}; ${options.samples} requests per variant, ${options.events} browser events`);
  const site = await startBenchSite({ instance: options.instance, wpPort: options.wpPort, relayPort: options.relayPort, log });
  let requestSamples: RequestSample[] = [];
  let e2e: PublishToScreenRun | null = null;
  try {
    // The browser part first: it needs the cron pump, and afterwards the outbox is empty for the request timings.
    if (options.e2e) e2e = await runPublishToScreen({ site, events: options.events, cronIntervalMs: options.cronIntervalMs, log });
    if (options.requests) requestSamples = await runRequestCost({ site, samples: options.samples, relayStates: options.relayStates, log });
  } finally {
    await site.stop();
  }

  const e2eNotes = `Chromium; anonymous visitor; DISABLE_WP_CRON with a cron pump every ${options.cronIntervalMs} ms; one event at a time`;
  const results: BenchResults = benchResults.parse({
    schema: RESULTS_SCHEMA_ID,
    name: options.name,
    mode: options.full ? 'full' : 'tiny',
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
      processes: 'wp-env Playground WordPress, wp-realtime relay process, this orchestrator (HTTP client), Chromium',
      config: {
        harness: 'wordpress',
        samplesPerVariant: options.samples,
        browserEvents: options.events,
        cronIntervalMs: options.cronIntervalMs,
        wordpressRuntime: site.wordpress.runtime,
        triggerBaseline: 'plugin inactive: a fixture answers 202 at the trigger URL on parse_request without doing anything',
        cronDuringRequestTimings: false,
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
              ...requestCostMeasurements(summarizeRequestCost(requestSamples)),
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
            ...publishToScreenMeasurements(summarizePublishToScreen(e2e.samples), e2eNotes),
            { name: 'plain GET /wp-json/ while the cron pump runs, p50', unit: 'ms', value: Math.round(median(e2e.plainRequestMs)), samples: e2e.plainRequestMs.length },
            { name: 'wp-cron.php requests by the pump, mean spacing', unit: 'ms', value: e2e.cronRuns > 0 ? Math.round(e2e.cronMs / e2e.cronRuns) : 0, samples: e2e.cronRuns },
          ]
        : null,
    },
  });
  const resultsDir = join(root, 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  const resultsFile = join(resultsDir, `${options.name}.json`);
  await writeFile(resultsFile, `${JSON.stringify({ ...results, raw: { requests: requestSamples, publishToScreen: e2e } }, null, 2)}\n`);
  log(`wrote ${resultsFile}`);
  const section = docsSection(results, requestSamples, e2e, options.cronIntervalMs);
  process.stdout.write(`\n${section}\n\n`);
  if (options.writeDocs) {
    const docsFile = join(root, 'docs', 'benchmarks.md');
    await writeFile(docsFile, replaceWordPressSection(await readFile(docsFile, 'utf8'), section));
    log(`updated the WordPress section of ${docsFile}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:wordpress failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

/**
 * One scenario = one fresh server process + one fresh load generator process, so every measurement starts from an
 * idle server whose baseline memory is known. The machine has 2 cores: the server and the load generator each get
 * about one; the orchestrator only waits on IPC in between.
 */
import type { BenchConfig } from './config.js';
import type { ConnectResult, IngestResult, LatencyResult, ThroughputResult } from './loadgen/messages.js';
import { LoadGenerator, ServerProcess } from './processes.js';
import type { BroadcastResult, DefaultTransportResult, IngestResultRecord } from './schema.js';
import { median, round } from './stats.js';
import type { AnyTarget } from './targets.js';

export type Progress = (line: string) => void;

export function snapshot(memory: NodeJS.MemoryUsage): BroadcastResult['memory']['idle'] {
  return { heapUsed: memory.heapUsed, rss: memory.rss, external: memory.external, arrayBuffers: memory.arrayBuffers };
}

export function perConnection(idle: NodeJS.MemoryUsage, loaded: NodeJS.MemoryUsage, connected: number): Pick<BroadcastResult['memory'], 'heapPerConnKB' | 'rssPerConnKB'> {
  const n = Math.max(1, connected);
  return { heapPerConnKB: round((loaded.heapUsed - idle.heapUsed) / n / 1024, 2), rssPerConnKB: round((loaded.rss - idle.rss) / n / 1024, 2) };
}

export async function withProcesses<T>(target: AnyTarget, secret: string, body: (server: ServerProcess, load: LoadGenerator) => Promise<T>, fileLimit?: number, extraArgs?: string[]): Promise<T> {
  const server = await ServerProcess.start(target, { secret, fileLimit, extraArgs });
  const load = LoadGenerator.start(fileLimit);
  try {
    return await body(server, load);
  } finally {
    await load.stop();
    await server.stop();
  }
}

export function describeFailures(connect: ConnectResult): string {
  if (connect.failed === 0) return '';
  return ` (${connect.failed} FAILED: ${Object.entries(connect.failures).map(([why, n]) => `${n}× ${why}`).join('; ')})`;
}

function connectTimeoutMs(subscribers: number): number {
  return 30_000 + subscribers * 10;
}

export async function connectAll(server: ServerProcess, load: LoadGenerator, config: BenchConfig, secret: string, subscribers: number, transport: 'websocket' | 'default', sourceAddresses?: string[]): Promise<ConnectResult> {
  const { result } = await load.run<ConnectResult>(
    { cmd: 'connect', secret, target: server.target, url: server.url, subscribers, transport, concurrency: config.connectConcurrency, timeoutMs: connectTimeoutMs(subscribers), sourceAddresses, pusherClient: config.pusherClient },
    connectTimeoutMs(subscribers) + 30_000,
  );
  return result;
}

const WARM_UP_SETTLE_MS = 15_000;

/**
 * Connects a few subscribers and closes them, then waits until the server holds no more sockets than before, so the
 * idle reading that follows is a warm server's (compiled code, pools, caches) and not a cold one's. Without it the
 * first size of a run charges ≈ 0.8 MB of compiled code to its connections (docs/benchmarks.md, issue 13).
 */
export async function warmUp(server: ServerProcess, load: LoadGenerator, config: BenchConfig, secret: string, transport: 'websocket' | 'default'): Promise<void> {
  if (config.warmUpSubscribers <= 0) return;
  const before = await server.openSockets();
  await connectAll(server, load, config, secret, config.warmUpSubscribers, transport);
  await load.run({ cmd: 'close', secret }, 60_000);
  await waitForSockets(server, before);
}

/** Waits until the server holds no more sockets than `before` (closed warm-up clients are gone on its side too). */
export async function waitForSockets(server: ServerProcess, before: number): Promise<void> {
  const deadline = Date.now() + WARM_UP_SETTLE_MS;
  let open = await server.openSockets();
  while (open > before && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    open = await server.openSockets();
  }
  if (open > before) throw new Error(`${server.target}: ${open - before} warm-up sockets still open after ${WARM_UP_SETTLE_MS} ms`);
}

/** How the scale scenario's subscribers reach the server (bench/source-addresses.ts). */
export interface SpreadOptions {
  sourceAddresses: string[];
  /** Open files each process asks for. */
  fileLimit: number;
}

/**
 * With profileFile, the server's CPU is profiled during the full-speed runs only (and runs slightly slower). With
 * spread, subscribers bind to those source addresses in turn (the scale scenario).
 */
export async function broadcastScenario(target: AnyTarget, subscribers: number, config: BenchConfig, secret: string, progress: Progress, profileFile?: string, spread?: SpreadOptions): Promise<BroadcastResult> {
  return withProcesses(target, secret, async (server, load) => {
    await warmUp(server, load, config, secret, 'websocket');
    const idle = await server.memory();
    const connect = await connectAll(server, load, config, secret, subscribers, 'websocket', spread?.sourceAddresses);
    const loaded = await server.memory();
    const memory = { idle: snapshot(idle), loaded: snapshot(loaded), ...perConnection(idle, loaded, connect.connected) };
    const from = spread ? ` from ${spread.sourceAddresses.join(', ')}` : '';
    progress(`${target} ×${subscribers}: connected ${connect.connected}${from} in ${round(connect.totalMs)} ms${describeFailures(connect)}, heap ${memory.heapPerConnKB} KB/conn, RSS ${memory.rssPerConnKB} KB/conn`);
    if (connect.connected === 0) throw new Error(`${target}: no subscriber could connect\n${server.recentStderr}`);

    const events = Math.max(config.minEvents, Math.round(config.deliveriesPerRun / connect.connected));
    const runs: ThroughputResult[] = [];
    if (profileFile) await server.profileStart();
    for (let run = 0; run < config.throughputRepeats; run++) {
      const { result } = await load.run<ThroughputResult>({ cmd: 'throughput', secret, events, window: config.window, stallTimeoutMs: 10_000 }, 300_000);
      runs.push({ ...result, durationMs: round(result.durationMs, 1), deliveriesPerSec: round(result.deliveriesPerSec) });
      progress(`${target} ×${subscribers}: throughput run ${run + 1}: ${round(result.deliveriesPerSec)} deliveries/s (${result.deliveries}/${result.expectedDeliveries} delivered${result.publishFailures ? `, ${result.publishFailures} publishes FAILED: ${JSON.stringify(result.publishFailureReasons)}` : ''})`);
    }

    if (profileFile) progress(`${target} ×${subscribers}: CPU profile of the full-speed runs in ${await server.profileStop(profileFile)}`);

    const ratePerSec = round(Math.max(0.5, config.latencyDeliveriesPerSec / subscribers), 2);
    const { result: latency, disconnects } = await load.run<LatencyResult>(
      { cmd: 'latency', secret, ratePerSec, durationMs: config.latencyDurationMs, stallTimeoutMs: 10_000 },
      config.latencyDurationMs + 120_000,
    );
    progress(`${target} ×${subscribers}: latency at ${ratePerSec} ev/s: p50 ${latency.latency.p50Ms} ms, p99 ${latency.latency.p99Ms} ms`);
    await load.run({ cmd: 'close', secret }, 60_000);
    return {
      target,
      transport: 'websocket',
      subscribers,
      connect,
      memory,
      throughput: { runs, deliveriesPerSec: round(median(runs.map((r) => r.deliveriesPerSec))) },
      latency,
      disconnects,
      profiled: profileFile !== undefined,
      ...(spread ? { sourceAddresses: spread.sourceAddresses } : {}),
    };
  }, spread?.fileLimit);
}

export async function defaultTransportScenario(target: AnyTarget, subscribers: number, config: BenchConfig, secret: string, progress: Progress): Promise<DefaultTransportResult> {
  return withProcesses(target, secret, async (server, load) => {
    await warmUp(server, load, config, secret, 'default');
    const idle = await server.memory();
    const connect = await connectAll(server, load, config, secret, subscribers, 'default');
    const loaded = await server.memory();
    const memory = { idle: snapshot(idle), loaded: snapshot(loaded), ...perConnection(idle, loaded, connect.connected) };
    progress(`${target} ×${subscribers} (polling → websocket): connected ${connect.connected} in ${round(connect.totalMs)} ms${describeFailures(connect)}, ${connect.upgraded ?? 0} upgraded, heap ${memory.heapPerConnKB} KB/conn`);
    await load.run({ cmd: 'close', secret }, 60_000);
    return { target, transport: 'default', subscribers, connect, memory };
  });
}

export async function ingestScenario(target: AnyTarget, batchSize: number, config: BenchConfig, secret: string, progress: Progress): Promise<IngestResultRecord> {
  return withProcesses(target, secret, async (server, load) => {
    const { result } = await load.run<IngestResult>(
      { cmd: 'ingest', secret, target, url: server.url, batchSize, concurrency: config.ingestConcurrency, durationMs: config.ingestDurationMs },
      config.ingestDurationMs + 60_000,
    );
    progress(`${target} ingest, ${batchSize} per request: ${round(result.eventsPerSec)} events/s (${result.errors} errors)`);
    return { target, batchSize, concurrency: config.ingestConcurrency, ...result, durationMs: round(result.durationMs, 1), eventsPerSec: round(result.eventsPerSec), requestsPerSec: round(result.requestsPerSec) };
  });
}

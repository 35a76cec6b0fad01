/**
 * The results file (bench/results/<name>.json). One schema for every run so that runs can be compared and charted;
 * `external` is where the WordPress-side and Chromium end-to-end benchmarks add their figures later.
 */
import { z } from 'zod';
import { ALL_TARGETS, RELAY_TARGETS } from './targets.js';

export const RESULTS_SCHEMA_ID = 'wp-realtime-bench/v1';

const target = z.enum(ALL_TARGETS);
const finite = z.number().finite();
const count = z.number().int().nonnegative();

const nullableLatency = z.object({ count, p50Ms: z.number().nullable(), p95Ms: z.number().nullable(), p99Ms: z.number().nullable(), maxMs: z.number().nullable() });

const memorySnapshot = z.object({ heapUsed: count, rss: count, external: count, arrayBuffers: count });

const connect = z.object({
  connected: count,
  failed: count,
  failures: z.record(z.string(), count),
  totalMs: finite,
  perConnection: nullableLatency,
  upgraded: count.optional(),
});

const memory = z.object({
  idle: memorySnapshot,
  loaded: memorySnapshot,
  /** (loaded − idle) / connected, in KiB. */
  heapPerConnKB: finite,
  rssPerConnKB: finite,
});

export const broadcastResult = z.object({
  target,
  transport: z.literal('websocket'),
  subscribers: count,
  connect,
  memory,
  throughput: z.object({
    runs: z.array(z.object({ events: count, publishFailures: count, publishFailureReasons: z.record(z.string(), count), deliveries: count, expectedDeliveries: count, durationMs: finite, deliveriesPerSec: finite })).min(1),
    /** Median over runs. */
    deliveriesPerSec: finite,
  }),
  latency: z.object({ ratePerSec: finite, events: count, publishFailures: count, publishFailureReasons: z.record(z.string(), count), deliveries: count, expectedDeliveries: count, latency: nullableLatency }),
  /** Subscribers the server dropped during the phases (e.g. as slow consumers). */
  disconnects: count,
  /** True when the server was CPU-profiled during the throughput runs (which slows it a little). */
  profiled: z.boolean(),
  /** The scale scenario: the loopback source addresses the subscribers were spread over. */
  sourceAddresses: z.array(z.string()).optional(),
});

export const defaultTransportResult = z.object({
  target,
  transport: z.literal('default'),
  subscribers: count,
  connect,
  memory,
});

export const ingestResult = z.object({
  target,
  batchSize: count,
  concurrency: count,
  requests: count,
  events: count,
  durationMs: finite,
  eventsPerSec: finite,
  requestsPerSec: finite,
  errors: count,
  statuses: z.record(z.string(), count),
});

export const ratio = z.object({
  /** Which way of reading the relay the row is for; absent (results before the Pusher scenario): wp-realtime. */
  relay: z.enum(RELAY_TARGETS).optional(),
  subscribers: count,
  /** wp-realtime ÷ baseline; above 1 means wp-realtime delivers more per second. */
  deliveriesVsNaive: finite.nullable(),
  deliveriesVsRawWs: finite.nullable(),
  /** wp-realtime ÷ baseline; below 1 means wp-realtime uses less heap per connection. */
  heapPerConnVsNaive: finite.nullable(),
  heapPerConnVsRawWs: finite.nullable(),
  /** wp-realtime ÷ raw ws; the scale scenario's memory figure (RSS counts what heap does not: buffers, sockets). */
  rssPerConnVsRawWs: finite.nullable().optional(),
  p99VsNaive: finite.nullable(),
});

const presenceChange = z.object({
  changes: count,
  deliveries: count,
  expectedDeliveries: count,
  durationMs: finite,
  deliveriesPerSec: finite,
  /** Per join / leave: until its member event reached every present member. */
  toAll: nullableLatency,
});

/** The presence scenario (bench/presence-scenario.ts): one presence channel on the wp-realtime relay. */
export const presenceResult = z.object({
  target: z.literal('wp-realtime'),
  channel: z.string(),
  members: count,
  join: z.object({
    joined: count,
    failed: count,
    failures: z.record(z.string(), count),
    /** First connect → last presence_state. */
    connectedMs: finite,
    /** First connect → every member sees every member (the last member_added reached all). */
    allSeenMs: finite,
    membersSeeingAll: count,
    perMemberJoin: nullableLatency,
    memberAddedDeliveries: count,
  }),
  /** Server heap / RSS after a warm-up, idle vs every member joined. */
  memory,
  /** The same number of plain `public` subscribers on a fresh relay of the same run (the baseline). */
  plainMemory: memory,
  /** The baseline's connect of the same N plain subscribers: what a join costs beyond a connect. */
  plainConnect: connect,
  /** Presence member ÷ plain subscriber, per connection; null when the plain figure is not above zero. */
  heapPerMemberVsPlain: finite.nullable(),
  rssPerMemberVsPlain: finite.nullable(),
  churn: z.object({
    extra: count,
    ratePerSec: finite,
    joinFailures: z.record(z.string(), count),
    joins: presenceChange,
    leaves: presenceChange,
    baseMembersSeeingAll: count,
  }),
  disconnects: count,
});

/** A figure measured by another harness (WordPress request cost, browser end-to-end latency, …). */
export const externalMeasurement = z.object({
  name: z.string().min(1),
  unit: z.string().min(1),
  value: finite,
  samples: count.optional(),
  notes: z.string().optional(),
});

const profileShare = z.object({ name: z.string(), selfPercent: finite });

export const benchResults = z.object({
  schema: z.literal(RESULTS_SCHEMA_ID),
  name: z.string().min(1),
  mode: z.enum(['full', 'quick', 'tiny']),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  machine: z.object({
    cpus: count,
    cpuModel: z.string(),
    totalMemMB: count,
    node: z.string(),
    platform: z.string(),
    loadAverageAtStart: z.array(finite),
    loadAverageAtEnd: z.array(finite),
  }),
  setup: z.object({
    eventBytes: count,
    socketIoVersion: z.string(),
    wsVersion: z.string(),
    processes: z.string(),
    config: z.record(z.string(), z.unknown()),
  }),
  broadcast: z.array(broadcastResult),
  defaultTransports: z.array(defaultTransportResult),
  ingest: z.array(ingestResult),
  ratios: z.array(ratio),
  /** Absent in results from before the presence scenario, null when it was skipped. */
  presence: presenceResult.nullable().optional(),
  profiles: z.array(
    z.object({ target, subscribers: count, file: z.string(), byOwner: z.array(profileShare), byFunction: z.array(profileShare) }),
  ),
  external: z.object({
    wordpress: z.array(externalMeasurement).nullable(),
    chromium: z.array(externalMeasurement).nullable(),
  }),
});

export type BenchResults = z.infer<typeof benchResults>;
export type BroadcastResult = z.infer<typeof broadcastResult>;
export type DefaultTransportResult = z.infer<typeof defaultTransportResult>;
export type IngestResultRecord = z.infer<typeof ingestResult>;
export type Ratio = z.infer<typeof ratio>;
export type PresenceResultRecord = z.infer<typeof presenceResult>;

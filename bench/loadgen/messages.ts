/** The orchestrator ↔ load generator messages (over the child's IPC channel). */
import type { PusherClientKind } from '../config.js';
import type { AnyTarget, Transport } from '../targets.js';
import type { LatencySummary } from '../stats.js';

export interface ConnectCommand {
  cmd: 'connect';
  target: AnyTarget;
  url: string;
  subscribers: number;
  transport: Transport;
  /** Handshakes in flight at once; a real site's visitors also arrive spread out, not all in one tick. */
  concurrency: number;
  timeoutMs: number;
  /** Source addresses the subscribers' sockets bind to, taken in turn (bench/source-addresses.ts); none: the OS picks. */
  sourceAddresses?: string[];
  /** The Pusher target's client (config.ts). */
  pusherClient: PusherClientKind;
}

export interface ThroughputCommand {
  cmd: 'throughput';
  events: number;
  /** Events published but not yet delivered to every subscriber; bounds server-side queues at full speed. */
  window: number;
  stallTimeoutMs: number;
}

export interface LatencyCommand {
  cmd: 'latency';
  ratePerSec: number;
  durationMs: number;
  stallTimeoutMs: number;
}

export interface IngestCommand {
  cmd: 'ingest';
  target: AnyTarget;
  url: string;
  batchSize: number;
  concurrency: number;
  durationMs: number;
}

export interface CloseCommand {
  cmd: 'close';
}

export type LoadCommand = (ConnectCommand | ThroughputCommand | LatencyCommand | IngestCommand | CloseCommand) & { secret: string };

export interface ConnectResult {
  connected: number;
  failed: number;
  /** Why connections failed, by message, so a refused run explains itself. */
  failures: Record<string, number>;
  totalMs: number;
  perConnection: LatencySummary;
  /** Default transport only: subscribers that finished the polling → websocket upgrade before the deadline. */
  upgraded?: number;
}

export interface ThroughputResult {
  events: number;
  publishFailures: number;
  /** Failed publishes by "HTTP <status>" or network error code. */
  publishFailureReasons: Record<string, number>;
  deliveries: number;
  expectedDeliveries: number;
  durationMs: number;
  deliveriesPerSec: number;
}

export interface LatencyResult {
  ratePerSec: number;
  events: number;
  publishFailures: number;
  /** Failed publishes by "HTTP <status>" or network error code. */
  publishFailureReasons: Record<string, number>;
  deliveries: number;
  expectedDeliveries: number;
  latency: LatencySummary;
}

export interface IngestResult {
  requests: number;
  events: number;
  durationMs: number;
  eventsPerSec: number;
  requestsPerSec: number;
  errors: number;
  statuses: Record<string, number>;
}

export type LoadReply =
  | { ok: true; result: ConnectResult | ThroughputResult | LatencyResult | IngestResult | null; disconnects: number }
  | { ok: false; error: string };

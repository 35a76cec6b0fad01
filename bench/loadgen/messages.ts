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

/** Presence members joining one presence channel (bench/loadgen/presence.ts), each with its own user and token. */
export interface PresenceJoinCommand {
  cmd: 'presence-join';
  url: string;
  channel: string;
  /** Users are <userPrefix><index>. */
  userPrefix: string;
  members: number;
  concurrency: number;
  timeoutMs: number;
}

/** With the joined members present, `extra` more join and then leave, one every 1/ratePerSec seconds. */
export interface PresenceChurnCommand {
  cmd: 'presence-churn';
  url: string;
  channel: string;
  userPrefix: string;
  extra: number;
  ratePerSec: number;
  stallTimeoutMs: number;
}

export interface PresenceCloseCommand {
  cmd: 'presence-close';
}

export type LoadCommand = (ConnectCommand | ThroughputCommand | LatencyCommand | IngestCommand | CloseCommand | PresenceJoinCommand | PresenceChurnCommand | PresenceCloseCommand) & { secret: string };

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

export interface PresenceJoinResult {
  members: number;
  joined: number;
  failed: number;
  failures: Record<string, number>;
  /** From the first connect to the last member's presence_state. */
  connectedMs: number;
  /** From the first connect until every member sees every member (the last member_added reached everyone). */
  allSeenMs: number;
  membersSeeingAll: number;
  /** Per member: its connect started → its presence_state arrived. */
  perMemberJoin: LatencySummary;
  memberAddedDeliveries: number;
}

export interface PresenceChangeFigures {
  changes: number;
  /** member_added (joins) or member_removed (leaves) that reached the base members. */
  deliveries: number;
  expectedDeliveries: number;
  /** From the first change to the moment the last one reached every base member. */
  durationMs: number;
  deliveriesPerSec: number;
  /** Per change: join started / leave (disconnect) called → its event reached every base member. */
  toAll: LatencySummary;
}

export interface PresenceChurnResult {
  base: number;
  extra: number;
  ratePerSec: number;
  joinFailures: Record<string, number>;
  joins: PresenceChangeFigures;
  leaves: PresenceChangeFigures;
  /** Base members whose list is exactly the base members again after the churn. */
  baseMembersSeeingAll: number;
}

export type LoadReply =
  | { ok: true; result: ConnectResult | ThroughputResult | LatencyResult | IngestResult | PresenceJoinResult | PresenceChurnResult | null; disconnects: number }
  | { ok: false; error: string };

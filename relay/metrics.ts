/** Prometheus metrics, one registry per relay so that several relays can live in one process (tests, benchmarks). */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type RejectionReason =
  | 'invalid_json'
  | 'invalid_event'
  | 'missing_signature'
  | 'invalid_signature'
  | 'stale_signature'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'draining'
  | 'invalid_token'
  | 'expired_token'
  | 'channel_forbidden'
  | 'token_required'
  | 'invalid_handshake'
  | 'too_many_connections'
  | 'handshake_rate_limited'
  | 'message_too_large'
  | 'invalid_frame'
  | 'unavailable'
  | 'origin_not_allowed'
  | 'slow_consumer'
  | 'data_too_deep'
  | 'data_too_many_keys'
  | 'forbidden_key'
  | 'invalid_unicode'
  | 'invalid_utf8'
  | 'unsupported_charset'
  | 'unencodable_event'
  | 'replay_too_large'
  | 'client_rate_limited'
  | 'client_flooding'
  | 'too_many_sockets'
  | 'request_timeout'
  | 'invalid_http'
  | 'unknown_app'
  | 'invalid_authorization'
  | 'presence_full'
  | 'invalid_request'
  | 'invalid_client_event'
  | 'client_event_anonymous'
  | 'client_events_disabled'
  | 'client_event_not_subscribed'
  | 'client_event_too_large'
  | 'client_event_rate_limited'
  | 'revoked_token'
  | 'invalid_revocation';

export interface RelayMetrics {
  registry: Registry;
  connections: Gauge;
  eventsIn: Counter;
  duplicates: Counter;
  deliveries: Counter;
  rejections: Counter<'reason'>;
  ingestToEmit: Histogram;
  replays: Counter<'outcome'>;
  historyEvents: Gauge;
  /** Stored events that could not be encoded when sent (contained: the event is skipped, never the process). */
  encodeFailures: Counter<'path'>;
  /** Sockets on presence channels here (a user with two tabs on one channel counts twice). */
  presenceSockets: Gauge;
  /** member_added / member_removed changes applied here, by op. */
  presenceChanges: Counter<'op'>;
  /** Presence store calls that failed (Redis away); the relay re-asserts its members once the store answers. */
  presenceStoreFailures: Counter;
  /** Client events accepted from this relay's clients (sent on to the channel's other subscribers). */
  clientEvents: Counter;
  /** Exposes the delivery core's frame counts per wire format (read at scrape time: nothing is counted per delivery). */
  registerFrames(byFormat: ReadonlyMap<string, number>): void;
}

export function createMetrics(sample: { connections: () => number; historyEvents: () => number }): RelayMetrics {
  const registry = new Registry();
  const prefix = 'wp_realtime_';
  collectDefaultMetrics({ register: registry, prefix });
  return {
    registry,
    connections: new Gauge({
      name: `${prefix}connections`,
      help: 'Socket.IO clients connected now',
      registers: [registry],
      collect() {
        this.set(sample.connections());
      },
    }),
    eventsIn: new Counter({ name: `${prefix}events_in_total`, help: 'Events accepted on ingest', registers: [registry] }),
    duplicates: new Counter({
      name: `${prefix}events_duplicate_total`,
      help: 'Accepted events not broadcast again because their id was already in history',
      registers: [registry],
    }),
    deliveries: new Counter({
      name: `${prefix}deliveries_total`,
      help: 'Event copies sent to clients (live and replayed)',
      registers: [registry],
    }),
    rejections: new Counter({
      name: `${prefix}rejections_total`,
      help: 'Requests, handshakes and clients refused, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    ingestToEmit: new Histogram({
      name: `${prefix}ingest_to_emit_seconds`,
      help: 'Time from receiving an ingest request to handing its events to the sockets',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    replays: new Counter({
      name: `${prefix}replays_total`,
      help: 'Reconnections with lastEventId, by outcome (complete, gap)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    presenceSockets: new Gauge({
      name: `${prefix}presence_sockets`,
      help: 'Sockets subscribed to presence channels on this relay (one per tab)',
      registers: [registry],
    }),
    presenceChanges: new Counter({
      name: `${prefix}presence_changes_total`,
      help: 'Presence member changes applied on this relay (told to its sockets), by op (added, removed)',
      labelNames: ['op'],
      registers: [registry],
    }),
    presenceStoreFailures: new Counter({
      name: `${prefix}presence_store_failures_total`,
      help: 'Presence store calls that failed (Redis unreachable); members are re-asserted once it answers',
      registers: [registry],
    }),
    clientEvents: new Counter({
      name: `${prefix}client_events_total`,
      help: 'client-* events accepted from clients of this relay (refusals: wp_realtime_rejections_total)',
      registers: [registry],
    }),
    registerFrames(byFormat) {
      new Gauge({
        name: `${prefix}broadcast_frames`,
        help: 'Live event copies written since start, by front-end: websocket (WebSocket-first clients, one write per client per event-loop turn) or engine.io (polling and upgraded clients)',
        labelNames: ['path'],
        registers: [registry],
        collect() {
          for (const [path, frames] of byFormat) this.set({ path }, frames);
        },
      });
    },
    encodeFailures: new Counter({
      name: `${prefix}encode_failures_total`,
      help: 'Events that could not be encoded for a client and were skipped, by path (replay, broadcast); ingest limits keep this at 0',
      labelNames: ['path'],
      registers: [registry],
    }),
    historyEvents: new Gauge({
      name: `${prefix}history_events`,
      help: 'Events held in replay history in this process (0 with --redis: see wp_realtime_redis_used_memory_bytes)',
      registers: [registry],
      collect() {
        this.set(sample.historyEvents());
      },
    }),
  };
}

/** What the relay remembers of cut-off users (relay/revocations.ts). */
export function registerRevocationMetrics(registry: Registry, revocations: { readonly size: number; readonly recorded: number }): void {
  new Gauge({
    name: 'wp_realtime_revoked_users',
    help: 'Users with a revocation still in force (remembered until every token it affects has expired)',
    registers: [registry],
    collect() {
      this.set(revocations.size);
    },
  });
  new Gauge({
    name: 'wp_realtime_revocations_recorded',
    help: 'Revocations recorded since the relay started (repeats of one included)',
    registers: [registry],
    collect() {
      this.set(revocations.recorded);
    },
  });
}

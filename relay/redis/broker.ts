/**
 * The shared broker for several relays: idempotency, history and the log live in Redis. Publishing is one atomic
 * script per event (claim the id, number it, append it to its channel's history and to the shared log), so every
 * relay's log reader delivers each accepted event to its own clients exactly once.
 */
import { Counter, Gauge } from 'prom-client';
import { type EventEnvelope, type IncomingEvent, SIGNATURE_TOLERANCE_SECONDS } from '../../protocol/index.js';
import { type Broker, encodeEnvelope, type ExceptSockets, type PublishResult, type SignedRequest, toEnvelope } from '../broker.js';
import type { ClientEvent } from '../client-events.js';
import type { DeliveryCore, UserTermination } from '../core/delivery.js';
import type { ReplayResult } from '../history.js';
import type { Logger } from '../logger.js';
import type { RelayMetrics } from '../metrics.js';
import type { RelayOptions } from '../options.js';
import { createRedisConnections, type RedisConnections } from './connection.js';
import { redisKeys } from './keys.js';
import { LogReader } from './log-reader.js';
import { RedisOccupancy } from './occupancy.js';
import { parsePresenceChange, RedisPresence } from './presence.js';
import { PUBLISH_SCRIPT, REPLAY_SCRIPT } from './scripts.js';

/** Events kept in the shared log: room for a relay that lost Redis for a while to catch up from. */
const LOG_LENGTH = 10_000;
/** A store that does not answer within this is treated as down for this request (ingest answers 503). */
const COMMAND_TIMEOUT_MS = 2_000;
/** How often a connected relay checks that Redis still answers (a frozen Redis keeps its connections open). */
const HEALTH_INTERVAL_MS = 1_000;
/**
 * An id stays claimed at least this long, whatever --history-ttl says: a signed request verifies for up to 300 s
 * either side of its timestamp, so a replay of it can arrive up to 600 s after it was first accepted.
 */
const MIN_CLAIM_SECONDS = 2 * SIGNATURE_TOLERANCE_SECONDS;

class StoreUnavailable extends Error {}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new StoreUnavailable(`redis did not answer ${what} within ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface RedisBrokerDeps {
  core: DeliveryCore;
  options: RelayOptions & { redisUrl: string };
  metrics: RelayMetrics;
  logger: Logger;
}

export class RedisBroker implements Broker {
  private readonly redis: RedisConnections;
  private readonly log: LogReader;
  /** Presence members of every relay (also the channel directory of the HTTP API). */
  readonly directory: RedisPresence;
  /** Occupancy decided across relays; the relay hands it to the core only when webhooks report it. */
  readonly occupancy: RedisOccupancy;
  private healthTimer: NodeJS.Timeout | undefined;
  /** Set when Redis stopped answering on an open connection; cleared by the next answer. */
  private stalled = false;

  constructor(private readonly deps: RedisBrokerDeps) {
    this.redis = createRedisConnections(deps.options.redisUrl, deps.logger);
    this.directory = new RedisPresence({
      commands: this.redis.commands,
      core: deps.core,
      timeoutSeconds: deps.options.presenceTimeoutSeconds,
      logLength: LOG_LENGTH,
      metrics: deps.metrics,
      logger: deps.logger,
      bounded: withTimeout,
      alsoHeld: () => (deps.core.tracksOccupancy ? this.occupancy : undefined),
    });
    this.occupancy = new RedisOccupancy({ commands: this.redis.commands, core: deps.core, relayId: this.directory.relayId, logger: deps.logger, bounded: withTimeout });
    deps.core.presence.useStore(this.directory);
    this.log = new LogReader(
      this.redis.reader,
      (envelope, except) => deps.core.publish(envelope, except),
      (json) => {
        const change = parsePresenceChange(json);
        if (change) deps.core.presence.apply(change);
      },
      (json) => deps.core.deliverClientEvent(JSON.parse(json) as ClientEvent),
      (json) => deps.core.terminateUser(JSON.parse(json) as UserTermination),
      deps.logger,
    );
    this.registerMetrics();
  }

  /** Connects in the background and reads the shared log; ready once a read of it succeeded. */
  start(): void {
    this.redis.connect();
    this.log.start();
    this.directory.start();
    this.healthTimer = setInterval(() => void this.checkHealth(), HEALTH_INTERVAL_MS);
    this.healthTimer.unref();
  }

  isReady(): boolean {
    return this.log.isSynced && !this.stalled && this.redis.isReady();
  }

  async publish(events: IncomingEvent[], _signed?: SignedRequest, except?: ExceptSockets): Promise<PublishResult> {
    if (!this.isReady()) throw new StoreUnavailable('redis is unreachable');
    const now = new Date();
    const envelopes = events.map((event) => toEnvelope(event, now));
    const { history, historyTtlSeconds } = this.deps.options;
    const claimSeconds = Math.max(historyTtlSeconds, MIN_CLAIM_SECONDS);
    // Every event is encoded before the first script is sent: one that cannot be is refused (400) while nothing of
    // its batch is claimed yet.
    const encoded = envelopes.map(encodeEnvelope);
    // Issued together, the scripts are pipelined on one connection and run in this order.
    const sequences = await withTimeout(
      Promise.all(
        envelopes.map((envelope, index) =>
          this.redis.commands.eval(PUBLISH_SCRIPT, {
            keys: [
              redisKeys.eventId(envelope.id),
              redisKeys.sequence,
              redisKeys.history(envelope.channel),
              redisKeys.evicted(envelope.channel),
              redisKeys.log,
            ],
            arguments: [encoded[index] as string, String(history), String(historyTtlSeconds), String(LOG_LENGTH), String(claimSeconds), except?.[index] ?? ''],
          }),
        ),
      ),
      'a publish',
    );
    const result: PublishResult = { ids: envelopes.map((envelope) => envelope.id), duplicates: [] };
    this.deps.metrics.eventsIn.inc(envelopes.length);
    sequences.forEach((sequence, index) => {
      if (Number(sequence) !== 0) return;
      result.duplicates.push((envelopes[index] as EventEnvelope).id);
      this.deps.metrics.duplicates.inc();
    });
    return result;
  }

  /** Through the shared log (field `c`), so the channel's subscribers on every relay get it; fire and forget. */
  publishClientEvent(event: ClientEvent): void {
    if (!this.isReady()) return;
    withTimeout(this.redis.commands.xAdd(redisKeys.log, '*', { c: JSON.stringify(event) }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: LOG_LENGTH } }), 'a client event').catch(
      (error: unknown) => this.deps.logger.warn({ err: (error as Error).message }, 'a client event was lost: redis did not take it'),
    );
  }

  /** Through the shared log (field `u`): every relay closes its own connections of that user. */
  async terminateUser(termination: UserTermination): Promise<void> {
    if (!this.isReady()) throw new StoreUnavailable('redis is unreachable');
    await withTimeout(
      this.redis.commands.xAdd(redisKeys.log, '*', { u: JSON.stringify({ app: termination.app, user: termination.user }) }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: LOG_LENGTH } }),
      'a termination',
    );
  }

  async replay(lastEventId: string, channels: Iterable<string>, maxBytes: number): Promise<ReplayResult> {
    if (this.stalled || !this.redis.isReady()) throw new StoreUnavailable('redis is unreachable');
    // With --history 0 ids are still claimed (idempotency) but nothing is kept to replay: always a gap.
    if (this.deps.options.history === 0) return { found: false, complete: false, events: [] };
    const keys = [redisKeys.eventId(lastEventId)];
    for (const channel of channels) keys.push(redisKeys.history(channel), redisKeys.evicted(channel));
    const reply = (await withTimeout(this.redis.commands.eval(REPLAY_SCRIPT, { keys, arguments: [String(maxBytes)] }), 'a replay read')) as
      | [number, string[], number]
      | null;
    if (reply === null) return { found: false, complete: false, events: [] };
    const [incomplete, flat, overBudget] = reply;
    if (Number(overBudget) === 1) return { found: true, complete: false, events: [], overBudget: true };
    const entries: { seq: number; envelope: EventEnvelope }[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      entries.push({ seq: Number.parseInt(flat[i] as string, 10), envelope: JSON.parse(flat[i + 1] as string) as EventEnvelope });
    }
    entries.sort((a, b) => a.seq - b.seq);
    return { found: true, complete: Number(incomplete) === 0, events: entries.map((entry) => entry.envelope) };
  }

  async close(): Promise<void> {
    await this.directory.retire().catch((error: unknown) => this.deps.logger.warn({ err: (error as Error).message }, 'presence retirement failed: the others reap this relay after --presence-timeout'));
    this.log.stop();
    clearInterval(this.healthTimer);
    await this.redis.close();
  }

  private async checkHealth(): Promise<void> {
    if (!this.redis.isReady()) return;
    try {
      await withTimeout(this.redis.commands.ping(), 'a health check');
      if (this.stalled) this.deps.logger.info('redis answers again');
      this.stalled = false;
    } catch (error) {
      if (!this.stalled) this.deps.logger.error({ err: (error as Error).message }, 'redis stopped answering: ingest answers 503 until it does');
      this.stalled = true;
    }
  }

  private registerMetrics(): void {
    const { registry } = this.deps.metrics;
    const redis = this.redis;
    new Gauge({
      name: 'wp_realtime_redis_up',
      help: '1 while the relay can reach Redis (commands and broadcasts), else 0',
      registers: [registry],
      collect() {
        this.set(redis.isReady() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'wp_realtime_redis_used_memory_bytes',
      help: 'Memory Redis reports in use (history, id claims, the shared log); absent while Redis is unreachable',
      registers: [registry],
      async collect() {
        if (!redis.isReady()) return this.reset();
        const info = await redis.commands.info('memory').catch(() => '');
        const used = /^used_memory:(\d+)/m.exec(info)?.[1];
        if (used === undefined) this.reset();
        else this.set(Number(used));
      },
    });
    const reconnects = new Counter({ name: 'wp_realtime_redis_reconnects_total', help: 'Redis reconnection attempts', registers: [registry] });
    for (const client of [redis.commands, redis.reader]) client.on('reconnecting', () => reconnects.inc());
  }
}

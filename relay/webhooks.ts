/**
 * The relay's outgoing webhooks (`--webhook-url`): one signed POST per batch to each WordPress site, in the shape of
 * Pusher's webhooks, `{ time_ms, events: [{ name, … }] }`. One mechanism for every event the relay reports:
 *
 * - `relay_ready` when the relay starts listening and whenever it is ready again after being unready (with --redis:
 *   Redis came back), so that a site delivers what it queued during an outage at once;
 * - what the relay decided about channels (`report()`): `channel_occupied` / `channel_vacated`, `member_added` /
 *   `member_removed`, and `client_event` under --webhook-client-events. Each carries an `id` the site de-duplicates
 *   by, so that a retried batch acts once.
 *
 * Per URL: one queue (at most --webhook-max-queue events; the oldest is dropped past it, counted and logged), one
 * request in flight, batches of at most WEBHOOK_MAX_BATCH_EVENTS events and WEBHOOK_MAX_BATCH_BYTES of JSON, gathered
 * for BATCH_LINGER_MS after the first event. A failed POST (network error, timeout, 5xx, 408, 429) is retried with
 * exponential backoff and jitter, at most --webhook-retries times, each within --webhook-timeout; any other 4xx is
 * final. A batch that gave up is dropped: the site's own state is the truth after an outage.
 */
import { randomUUID } from 'node:crypto';
import { Counter, Gauge } from 'prom-client';
import { SIGNATURE_HEADER, signatureHeader } from '../protocol/index.js';
import type { Logger } from './logger.js';
import type { RelayMetrics } from './metrics.js';
import type { RelayOptions } from './options.js';

export const WEBHOOK_EVENT_RELAY_READY = 'relay_ready';
/** The plugin's route takes 1 to 100 events per batch and 64 KiB of body: a batch stays below both. */
export const WEBHOOK_MAX_BATCH_EVENTS = 100;
export const WEBHOOK_MAX_BATCH_BYTES = 60 * 1024;
/** A burst (a page with many tabs opening) goes as one batch rather than one request per event. */
const BATCH_LINGER_MS = 50;

export interface WebhookEvent {
  name: string;
  [field: string]: unknown;
}

export interface WebhookBatch {
  time_ms: number;
  events: WebhookEvent[];
}

/** What the relay reports about channels; `report()` adds the event id. */
export type ReportedEvent =
  | { name: 'channel_occupied' | 'channel_vacated'; channel: string }
  | { name: 'member_added' | 'member_removed'; channel: string; user_id: string }
  | { name: 'client_event'; channel: string; event: string; data: unknown; user_id: string };

/** How often readiness is sampled; a transition to ready is announced within this. */
const READY_POLL_MS = 250;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;
/** A full queue logs at most once per this, however many events it drops. */
const DROP_LOG_INTERVAL_MS = 10_000;

export type WebhookOutcome = 'delivered' | 'retried' | 'refused' | 'gave_up';

export interface Webhooks {
  /** Queues one event for every site; a no-op without --webhook-url. */
  report(event: ReportedEvent): void;
  /** True when client events are to be reported (--webhook-client-events with at least one URL). */
  readonly reportsClientEvents: boolean;
  /** True when at least one URL is configured (nothing is tracked for webhooks otherwise). */
  readonly enabled: boolean;
  /** Starts announcing readiness (relay_ready now, and after each outage). */
  start(): void;
  /** Gives what is queued (the vacancies of a relay that stops) up to `graceMs` to go out, then aborts the rest. */
  stop(graceMs: number): Promise<void>;
}

interface Deps {
  options: Pick<RelayOptions, 'secret' | 'webhookUrls' | 'webhookTimeoutMs' | 'webhookRetries' | 'webhookMaxQueue' | 'webhookClientEvents'>;
  isReady: () => boolean;
  metrics: RelayMetrics;
  logger: Logger;
}

/** The wait before retry number `attempt` (1-based) without its jitter: 0.5 s, 1 s, 2 s … at most 30 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1));
}

/** Up to a quarter more, at random: relays that failed together do not retry in step. */
function withJitter(delay: number): number {
  return delay + Math.floor(Math.random() * (delay / 4));
}

/** A 4xx other than 408/429 means the site refused the request itself (wrong secret, no such route): retrying cannot help. */
function isFinalRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/**
 * The first events of `queue` that fit one batch (at least one, so that an oversized event is still sent, and
 * refused). `relay_ready` goes alone: the site delivers its backlog inside that request, and its answer says so.
 */
export function takeBatch(queue: WebhookEvent[]): WebhookEvent[] {
  if (queue[0]?.name === WEBHOOK_EVENT_RELAY_READY) return queue.splice(0, 1);
  let bytes = 0;
  let count = 0;
  while (count < queue.length && count < WEBHOOK_MAX_BATCH_EVENTS && queue[count]?.name !== WEBHOOK_EVENT_RELAY_READY) {
    const size = Buffer.byteLength(JSON.stringify(queue[count])) + 1;
    if (count > 0 && bytes + size > WEBHOOK_MAX_BATCH_BYTES) break;
    bytes += size;
    count++;
  }
  return queue.splice(0, count);
}

export function createWebhooks({ options, isReady, metrics, logger }: Deps): Webhooks {
  const outcomes = new Counter({
    name: 'wp_realtime_webhooks_total',
    help: 'Outgoing webhook requests (--webhook-url), by outcome: delivered, retried, refused (4xx from the site), gave_up (after --webhook-retries)',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });
  for (const outcome of ['delivered', 'retried', 'refused', 'gave_up'] satisfies WebhookOutcome[]) outcomes.inc({ outcome }, 0);
  const reported = new Counter({
    name: 'wp_realtime_webhook_events_total',
    help: 'Events queued for the webhook URLs, by name (counted once per URL)',
    labelNames: ['name'],
    registers: [metrics.registry],
  });
  const dropped = new Counter({
    name: 'wp_realtime_webhook_events_dropped_total',
    help: 'Webhook events dropped, oldest first, because a URL queue was full (--webhook-max-queue)',
    registers: [metrics.registry],
  });
  dropped.inc(0);
  const queues = new Map<string, SiteQueue>();
  new Gauge({
    name: 'wp_realtime_webhook_queue_events',
    help: 'Webhook events waiting to be sent, over every URL',
    registers: [metrics.registry],
    collect() {
      let total = 0;
      for (const queue of queues.values()) total += queue.size;
      this.set(total);
    },
  });
  const stopping = new AbortController();
  let lastDropLog = 0;

  const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });

  async function post(url: string, batch: WebhookBatch, signal: AbortSignal): Promise<number> {
    const body = JSON.stringify(batch);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signatureHeader(options.secret, body) },
      body,
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(options.webhookTimeoutMs)]),
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.status;
  }

  /** One batch to one URL, retried until delivered, refused or out of retries. The same bytes' ids on every retry. */
  async function deliver(url: string, events: WebhookEvent[], signal: AbortSignal): Promise<void> {
    const names = events.map((e) => e.name);
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      try {
        // time_ms is when this attempt was made: the plugin may check it for freshness like the signature's timestamp.
        const status = await post(url, { time_ms: Date.now(), events }, signal);
        if (status >= 200 && status < 300) {
          outcomes.inc({ outcome: 'delivered' });
          logger.info({ url, events: names.length > 10 ? `${names.length} events` : names, attempts: attempt + 1 }, 'webhook delivered');
          return;
        }
        if (isFinalRefusal(status)) {
          outcomes.inc({ outcome: 'refused' });
          logger.warn({ url, status }, 'webhook refused by the site (check the URL and that the site has the same secret); not retried');
          return;
        }
        problem = `HTTP ${status}`;
      } catch (error) {
        if (signal.aborted) return;
        problem = (error as Error).message;
      }
      if (attempt >= options.webhookRetries) {
        outcomes.inc({ outcome: 'gave_up' });
        logger.warn({ url, attempts: attempt + 1, events: names.length, problem }, 'webhook failed; giving up on this batch');
        return;
      }
      outcomes.inc({ outcome: 'retried' });
      const delay = withJitter(retryDelayMs(attempt + 1));
      logger.debug({ url, problem, retryInMs: delay }, 'webhook failed; retrying');
      await sleep(delay, signal);
      if (signal.aborted) return;
    }
  }

  class SiteQueue {
    private readonly pending: WebhookEvent[] = [];
    private running = false;

    constructor(private readonly url: string) {}

    get size(): number {
      return this.pending.length;
    }

    get busy(): boolean {
      return this.running || this.pending.length > 0;
    }

    push(event: WebhookEvent): void {
      if (event.name === WEBHOOK_EVENT_RELAY_READY) {
        // One relay_ready waiting is enough; it goes before the channel reports: the site's backlog waits on it.
        if (this.pending.some((e) => e.name === WEBHOOK_EVENT_RELAY_READY)) return;
        this.pending.unshift(event);
        reported.inc({ name: event.name });
        if (!this.running) void this.run();
        return;
      }
      if (this.pending.length >= options.webhookMaxQueue) {
        this.pending.shift();
        dropped.inc();
        const now = Date.now();
        if (now - lastDropLog >= DROP_LOG_INTERVAL_MS) {
          lastDropLog = now;
          logger.warn({ url: this.url, max: options.webhookMaxQueue }, 'webhook queue full (the site is slow or down): dropping the oldest events');
        }
      }
      this.pending.push(event);
      reported.inc({ name: event.name });
      if (!this.running) void this.run();
    }

    private async run(): Promise<void> {
      this.running = true;
      try {
        // relay_ready is not waited for: the site's backlog should go out at once.
        if (this.pending[0]?.name !== WEBHOOK_EVENT_RELAY_READY) await sleep(BATCH_LINGER_MS, stopping.signal);
        while (this.pending.length > 0 && !stopping.signal.aborted) await deliver(this.url, takeBatch(this.pending), stopping.signal);
      } finally {
        this.running = false;
      }
    }
  }

  for (const url of options.webhookUrls) queues.set(url, new SiteQueue(url));
  const enqueue = (event: WebhookEvent): void => {
    if (stopping.signal.aborted) return;
    for (const queue of queues.values()) queue.push(event);
  };

  let wasReady = false;
  // Sampled, not pushed by the broker: an outage shorter than one period (250 ms) may go unannounced, which is
  // harmless (WordPress's sends during it are retried by WP-Cron) and keeps the broker free of listeners.
  function sample(): void {
    const ready = isReady();
    if (ready && !wasReady) enqueue({ name: WEBHOOK_EVENT_RELAY_READY });
    wasReady = ready;
  }

  const enabled = options.webhookUrls.length > 0;
  let poll: NodeJS.Timeout | undefined;
  return {
    start() {
      if (!enabled || stopping.signal.aborted) return;
      sample();
      poll = setInterval(sample, READY_POLL_MS);
      poll.unref();
    },
    enabled,
    reportsClientEvents: enabled && options.webhookClientEvents,
    report(event: ReportedEvent): void {
      if (enabled) enqueue({ ...event, id: randomUUID() });
    },
    async stop(graceMs: number) {
      clearInterval(poll);
      const deadline = Date.now() + graceMs;
      while ([...queues.values()].some((queue) => queue.busy) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      stopping.abort();
    },
  };
}

/**
 * The relay's outgoing webhook (`--webhook-url`): tells WordPress that the relay is ready, so that a site delivers
 * the events it queued during an outage at once instead of at its next page view or WP-Cron retry.
 *
 * Each URL gets a signed batch in the shape of Pusher's webhooks, `{ time_ms, events: [{ name: "relay_ready" }] }`,
 * when the relay starts listening and again whenever it becomes ready after being unready (with --redis: Redis came
 * back). A failed POST is retried with exponential backoff, at most --webhook-retries times; a newer batch replaces
 * one still retrying for the same URL, so at most one request per URL is ever in flight.
 */
import { Counter } from 'prom-client';
import { SIGNATURE_HEADER, signatureHeader } from '../protocol/index.js';
import type { Logger } from './logger.js';
import type { RelayMetrics } from './metrics.js';
import type { RelayOptions } from './options.js';

export const WEBHOOK_EVENT_RELAY_READY = 'relay_ready';

export interface WebhookEvent {
  name: string;
  [field: string]: unknown;
}

export interface WebhookBatch {
  time_ms: number;
  events: WebhookEvent[];
}

/** How often readiness is sampled; a transition to ready is announced within this. */
const READY_POLL_MS = 250;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

export type WebhookOutcome = 'delivered' | 'retried' | 'refused' | 'gave_up';

export interface ReadyWebhooks {
  stop(): void;
}

interface Deps {
  options: Pick<RelayOptions, 'secret' | 'webhookUrls' | 'webhookTimeoutMs' | 'webhookRetries'>;
  isReady: () => boolean;
  metrics: RelayMetrics;
  logger: Logger;
}

/** The wait before retry number `attempt` (1-based): 0.5 s, 1 s, 2 s … at most 30 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1));
}

/** A 4xx other than 408/429 means the site refused the request itself (wrong secret, no such route): retrying cannot help. */
function isFinalRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

export function startReadyWebhooks({ options, isReady, metrics, logger }: Deps): ReadyWebhooks {
  const outcomes = new Counter({
    name: 'wp_realtime_webhooks_total',
    help: 'Outgoing webhook requests (--webhook-url), by outcome: delivered, retried, refused (4xx from the site), gave_up (after --webhook-retries)',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });
  for (const outcome of ['delivered', 'retried', 'refused', 'gave_up'] satisfies WebhookOutcome[]) outcomes.inc({ outcome }, 0);
  const running = new Map<string, AbortController>();
  let stopped = false;
  let wasReady = false;

  const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
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

  async function deliver(url: string, batch: WebhookBatch, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      try {
        const status = await post(url, batch, signal);
        if (status >= 200 && status < 300) {
          outcomes.inc({ outcome: 'delivered' });
          logger.info({ url, events: batch.events.map((e) => e.name), attempts: attempt + 1 }, 'webhook delivered');
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
        logger.warn({ url, attempts: attempt + 1, problem }, 'webhook failed; giving up until the relay is ready again');
        return;
      }
      outcomes.inc({ outcome: 'retried' });
      const delay = retryDelayMs(attempt + 1);
      logger.debug({ url, problem, retryInMs: delay }, 'webhook failed; retrying');
      await sleep(delay, signal);
      if (signal.aborted) return;
    }
  }

  function announce(events: WebhookEvent[]): void {
    const batch: WebhookBatch = { time_ms: Date.now(), events };
    for (const url of options.webhookUrls) {
      running.get(url)?.abort();
      const controller = new AbortController();
      running.set(url, controller);
      void deliver(url, batch, controller.signal).finally(() => {
        if (running.get(url) === controller) running.delete(url);
      });
    }
  }

  // Sampled, not pushed by the broker: an outage shorter than one period (250 ms) may go unannounced, which is
  // harmless (WordPress's sends during it are retried by WP-Cron) and keeps the broker free of listeners.
  function sample(): void {
    if (stopped) return;
    const ready = isReady();
    if (ready && !wasReady) announce([{ name: WEBHOOK_EVENT_RELAY_READY }]);
    wasReady = ready;
  }

  if (options.webhookUrls.length === 0) return { stop: () => undefined };
  sample();
  const poll = setInterval(sample, READY_POLL_MS);
  poll.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(poll);
      for (const controller of running.values()) controller.abort();
      running.clear();
    },
  };
}

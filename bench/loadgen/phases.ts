/**
 * The measured phases. Publisher and subscribers share this process and its clock, so a delivery's latency is
 * simply receive time minus the moment its publish request was started (ingest included).
 */
import { performance } from 'node:perf_hooks';
import { summarizeLatencies } from '../stats.js';
import { benchEvent } from '../targets.js';
import type { IngestCommand, IngestResult, LatencyCommand, LatencyResult, ThroughputCommand, ThroughputResult } from './messages.js';
import { failureReason, Publisher } from './publisher.js';
import { sleep } from './subscribers.js';

interface Pending {
  sentAt: number;
  received: number;
}

/** Counts deliveries per event id; ids are unique per run, so stray or late deliveries of other runs are ignored. */
export class DeliveryTracker {
  private readonly pending = new Map<string, Pending>();
  deliveries = 0;
  lastDeliveryAt = 0;
  latencies: number[] | null = null;
  onComplete: (id: string) => void = () => {};

  constructor(public expectedPerEvent: number) {}

  /** Forgets events of an earlier phase that never reached everyone. */
  reset(): void {
    this.pending.clear();
  }

  sent(id: string): void {
    this.pending.set(id, { sentAt: performance.now(), received: 0 });
  }

  delivered(id: string): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    const now = performance.now();
    entry.received++;
    this.deliveries++;
    this.lastDeliveryAt = now;
    this.latencies?.push(now - entry.sentAt);
    if (entry.received === this.expectedPerEvent) {
      this.pending.delete(id);
      this.onComplete(id);
    }
  }

  get outstanding(): number {
    return this.pending.size;
  }

  /** Waits until every sent event reached every subscriber, or until deliveries stop arriving for stallMs. */
  async drain(stallMs: number): Promise<void> {
    let lastSeen = this.deliveries;
    let lastProgress = performance.now();
    while (this.pending.size > 0) {
      await sleep(20);
      if (this.deliveries !== lastSeen) {
        lastSeen = this.deliveries;
        lastProgress = performance.now();
      } else if (performance.now() - lastProgress > stallMs) {
        return;
      }
    }
  }
}

let runCounter = 0;

/** Publishes without waiting; a refused or failed request is counted, its event then never arrives. */
function publishCounted(publisher: Publisher, event: Record<string, unknown>, failures: Record<string, number>): void {
  void publisher.publish([event]).then((outcome) => {
    const reason = failureReason(outcome);
    if (reason) failures[reason] = (failures[reason] ?? 0) + 1;
  });
}

function sumOf(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

function eventId(seq: number): string {
  return `bench-${process.pid}-${runCounter}-${seq}`;
}

export async function runThroughput(command: ThroughputCommand, tracker: DeliveryTracker, publisher: Publisher): Promise<ThroughputResult> {
  runCounter++;
  tracker.reset();
  const subscribers = tracker.expectedPerEvent;
  const failures: Record<string, number> = {};
  const startDeliveries = tracker.deliveries;
  let next = 0;
  let inFlight = 0;
  const pump = (): void => {
    while (inFlight < command.window && next < command.events) {
      const id = eventId(next);
      inFlight++;
      tracker.sent(id);
      publishCounted(publisher, benchEvent(id, next), failures);
      next++;
    }
  };
  tracker.onComplete = () => {
    inFlight--;
    pump();
  };
  const started = performance.now();
  pump();
  // Each completed event publishes the next one, so the tracker empties only at the end or when deliveries stall.
  await tracker.drain(command.stallTimeoutMs);
  tracker.onComplete = () => {};
  const deliveries = tracker.deliveries - startDeliveries;
  const durationMs = Math.max(1, tracker.lastDeliveryAt - started);
  return { events: next, publishFailures: sumOf(failures), publishFailureReasons: failures, deliveries, expectedDeliveries: next * subscribers, durationMs, deliveriesPerSec: (deliveries / durationMs) * 1000 };
}

export async function runLatency(command: LatencyCommand, tracker: DeliveryTracker, publisher: Publisher): Promise<LatencyResult> {
  runCounter++;
  tracker.reset();
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  tracker.latencies = latencies;
  const total = Math.max(1, Math.round((command.ratePerSec * command.durationMs) / 1000));
  const started = performance.now();
  for (let seq = 0; seq < total; seq++) {
    // Scheduled against the start time, not the previous send, so a slow tick does not lower the rate.
    const due = started + (seq * 1000) / command.ratePerSec;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const id = eventId(seq);
    tracker.sent(id);
    publishCounted(publisher, benchEvent(id, seq), failures);
  }
  await tracker.drain(command.stallTimeoutMs);
  tracker.latencies = null;
  return {
    ratePerSec: command.ratePerSec,
    events: total,
    publishFailures: sumOf(failures),
    publishFailureReasons: failures,
    deliveries: latencies.length,
    expectedDeliveries: total * tracker.expectedPerEvent,
    latency: summarizeLatencies(latencies),
  };
}

/** Events/s a server accepts over HTTP with `concurrency` keep-alive connections; nobody subscribed. */
export async function runIngest(command: IngestCommand, secret: string): Promise<IngestResult> {
  runCounter++;
  const publisher = new Publisher(command.target, command.url, secret, command.concurrency);
  const statuses: Record<string, number> = {};
  let requests = 0;
  let events = 0;
  let errors = 0;
  let seq = 0;
  const started = performance.now();
  const deadline = started + command.durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const batch = Array.from({ length: command.batchSize }, () => benchEvent(eventId(seq), seq++));
      const outcome = await publisher.publish(batch);
      const key = outcome.error ?? String(outcome.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
      requests++;
      if (failureReason(outcome)) errors++;
      else events += batch.length;
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, worker));
  const durationMs = performance.now() - started;
  publisher.close();
  return { requests, events, durationMs, eventsPerSec: (events / durationMs) * 1000, requestsPerSec: (requests / durationMs) * 1000, errors, statuses };
}

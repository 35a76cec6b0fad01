/**
 * Accepted events go through the broker: idempotency by id, the log (history for replay), then the delivery core.
 * This in-memory broker is the embedded default; the shared (Redis) broker implements the same interface and hands
 * the core what it reads back from the shared log.
 */
import { randomUUID } from 'node:crypto';
import { type EventEnvelope, type IncomingEvent } from '../protocol/index.js';
import type { ClientEvent } from './client-events.js';
import type { DeliveryCore, UserTermination } from './core/delivery.js';
import type { EventHistory, ReplayResult } from './history.js';
import type { RelayMetrics } from './metrics.js';

export interface PublishResult {
  ids: string[];
  duplicates: string[];
}

/** The signed request a batch came in: a replay of it within its signature's validity is a duplicate. */
export interface SignedRequest {
  /** signedRequestDigest() of the request; the derived ids of its events are built from it. */
  digest: string;
  /** Unix second after which the same request no longer verifies (its timestamp + the signature tolerance). */
  replayableUntil: number;
}

/**
 * An event that cannot be encoded as JSON: refused (ingest answers 400) before anything of its batch is stored or
 * claimed, since it could never be sent. Ingest's shape limits keep this from happening; this is the last guard.
 */
export class UnencodableEvent extends Error {
  constructor(
    readonly index: number,
    cause: unknown,
  ) {
    super(`event ${index} cannot be encoded as JSON (${(cause as Error).message})`);
  }
}

/** The envelope as JSON, or UnencodableEvent naming its index in the batch. */
export function encodeEnvelope(envelope: EventEnvelope, index: number): string {
  try {
    return JSON.stringify(envelope);
  } catch (error) {
    throw new UnencodableEvent(index, error);
  }
}

/**
 * Per event of a batch, the Pusher socket id that must not receive it (the Pusher HTTP API's `socket_id`: the
 * sender's own connection, Laravel's `toOthers()`); it travels with the event through the shared log, not in history.
 */
export type ExceptSockets = readonly (string | undefined)[];

export interface Broker {
  /**
   * Stores and broadcasts the events of one request. Resolves once every event is claimed (or found a duplicate);
   * rejects with UnencodableEvent (nothing stored) or because the store is unavailable (nothing that was not also
   * broadcast is claimed): a retry of a failed publish is always safe.
   */
  publish(events: IncomingEvent[], signed?: SignedRequest, except?: ExceptSockets): Promise<PublishResult>;
  /**
   * The events after lastEventId on these channels; not found when lastEventId is no event of one of them, and none
   * (overBudget) when they pass maxBytes of JSON.
   */
  replay(lastEventId: string, channels: Iterable<string>, maxBytes: number): Promise<ReplayResult>;
  /** Sends a client event to its channel's subscribers on every relay (not stored, not numbered). */
  publishClientEvent(event: ClientEvent): void;
  /** Closes a signed-in user's Pusher connections on every relay; resolves once every relay will hear of it. */
  terminateUser(termination: UserTermination): Promise<void>;
  /** False while the broker cannot accept events (a shared store is unreachable). */
  isReady(): boolean;
  close(): Promise<void>;
}

export function toEnvelope(event: IncomingEvent, time: Date): EventEnvelope {
  return { id: event.id ?? randomUUID(), channel: event.channel, type: event.type, data: event.data, time: time.toISOString() };
}

export class LocalBroker implements Broker {
  constructor(
    private readonly history: EventHistory,
    private readonly metrics: RelayMetrics,
    private readonly core: DeliveryCore,
  ) {}

  async publish(events: IncomingEvent[], signed?: SignedRequest, except?: ExceptSockets): Promise<PublishResult> {
    const now = new Date();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const envelopes = events.map((event) => toEnvelope(event, now));
    // Every event of the batch must be sendable before any is stored: what is stored is replayed later.
    envelopes.forEach(encodeEnvelope);
    const replayed = signed !== undefined && this.history.hasSignedRequest(signed.digest, nowSeconds);
    const result: PublishResult = { ids: [], duplicates: [] };
    for (const [index, envelope] of envelopes.entries()) {
      result.ids.push(envelope.id);
      this.metrics.eventsIn.inc();
      if (replayed || this.history.has(envelope.id)) {
        result.duplicates.push(envelope.id);
        this.metrics.duplicates.inc();
        continue;
      }
      this.history.add(envelope);
      this.core.publish(envelope, except?.[index]);
    }
    if (signed !== undefined && !replayed) this.history.rememberSignedRequest(signed.digest, signed.replayableUntil, nowSeconds);
    return result;
  }

  async replay(lastEventId: string, channels: Iterable<string>, maxBytes: number): Promise<ReplayResult> {
    return this.history.since(lastEventId, channels, maxBytes);
  }

  publishClientEvent(event: ClientEvent): void {
    this.core.deliverClientEvent(event);
  }

  async terminateUser(termination: UserTermination): Promise<void> {
    this.core.terminateUser(termination);
  }

  isReady(): boolean {
    return true;
  }

  async close(): Promise<void> {}
}

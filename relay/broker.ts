/**
 * Accepted events go through the broker: idempotency by id, history for replay, then one broadcast per event.
 * This in-memory broker is the embedded default; a shared (Redis) broker implements the same interface.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'socket.io';
import { CLIENT_EVENT_NAME, type EventEnvelope, type IncomingEvent } from '../protocol/index.js';
import type { EventHistory, ReplayResult } from './history.js';
import type { RelayMetrics } from './metrics.js';

export interface PublishResult {
  ids: string[];
  duplicates: string[];
}

export interface Broker {
  publish(events: IncomingEvent[]): Promise<PublishResult>;
  /**
   * The events after lastEventId on these channels; not found when lastEventId is no event of one of them, and none
   * (overBudget) when they pass maxBytes of JSON.
   */
  replay(lastEventId: string, channels: Iterable<string>, maxBytes: number): Promise<ReplayResult>;
  /** False while the broker cannot accept events (a shared store is unreachable). */
  isReady(): boolean;
  close(): Promise<void>;
}

export function toEnvelope(event: IncomingEvent, time: Date): EventEnvelope {
  return { id: event.id ?? randomUUID(), channel: event.channel, type: event.type, data: event.data, time: time.toISOString() };
}

export class LocalBroker implements Broker {
  constructor(
    private readonly io: Server,
    private readonly history: EventHistory,
    private readonly metrics: RelayMetrics,
    /** Subscribers socket.io does not know of (the lean connections), per channel. */
    private readonly otherAudience: (channel: string) => number = () => 0,
  ) {}

  async publish(events: IncomingEvent[]): Promise<PublishResult> {
    const now = new Date();
    const result: PublishResult = { ids: [], duplicates: [] };
    for (const event of events) {
      const envelope = toEnvelope(event, now);
      result.ids.push(envelope.id);
      this.metrics.eventsIn.inc();
      if (this.history.has(envelope.id)) {
        result.duplicates.push(envelope.id);
        this.metrics.duplicates.inc();
        continue;
      }
      this.history.add(envelope);
      this.broadcast(envelope);
    }
    return result;
  }

  async replay(lastEventId: string, channels: Iterable<string>, maxBytes: number): Promise<ReplayResult> {
    return this.history.since(lastEventId, channels, maxBytes);
  }

  isReady(): boolean {
    return true;
  }

  async close(): Promise<void> {}

  /** socket.io encodes a room broadcast once and writes the same frame to every member. */
  private broadcast(envelope: EventEnvelope): void {
    const audience = (this.io.sockets.adapter.rooms.get(envelope.channel)?.size ?? 0) + this.otherAudience(envelope.channel);
    if (audience === 0) return;
    this.io.to(envelope.channel).emit(CLIENT_EVENT_NAME, envelope);
    this.metrics.deliveries.inc(audience);
  }
}

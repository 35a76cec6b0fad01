/**
 * What a reconnecting client missed: the events after its lastEventId, or a gap when history no longer reaches back
 * that far or cannot be read. Shared by both kinds of client connection; each sends the result its own way.
 */
import type { EventEnvelope } from '../protocol/index.js';
import type { Broker } from './broker.js';
import type { Logger } from './logger.js';
import type { RelayMetrics } from './metrics.js';

export interface Missed {
  /** True when the client may have missed events that cannot be replayed (it should reload what it shows). */
  gap: boolean;
  events: EventEnvelope[];
}

/**
 * `maxBytes` bounds what one handshake can make the relay queue (a client that never reads, over long-polling,
 * holds everything it is sent): a client that missed more than that gets a gap alone, and reloads.
 */
export async function readMissed(
  deps: { broker: Broker; metrics: RelayMetrics; logger: Logger },
  lastEventId: string,
  channels: Iterable<string>,
  maxBytes: number,
): Promise<Missed> {
  let result;
  try {
    result = await deps.broker.replay(lastEventId, channels, maxBytes);
  } catch (error) {
    // History is out of reach (Redis down): the client is told it may have missed events, like an expired id.
    deps.logger.warn({ err: (error as Error).message }, 'replay failed: history unavailable');
    result = { found: false, complete: false, events: [] };
  }
  if (result.overBudget) deps.metrics.rejections.inc({ reason: 'replay_too_large' });
  const events = sendable(deps, result.events);
  // A stored event that cannot be sent is one the client misses: it is told, as for any other gap.
  const gap = !result.found || !result.complete || events.length < result.events.length;
  deps.metrics.replays.inc({ outcome: gap ? 'gap' : 'complete' });
  deps.metrics.deliveries.inc(events.length);
  return { gap, events };
}

/**
 * The events that encode, each tried once before anything is sent. Ingest never stores an event that cannot be
 * encoded, but history also comes from Redis, where another relay (or an older version) may have written it: one
 * such event costs the client that event, logged and counted, and never the process (an encoder's RangeError in a
 * connection handler was an unhandled rejection that took the relay down, issue 12).
 */
function sendable(deps: { metrics: RelayMetrics; logger: Logger }, events: EventEnvelope[]): EventEnvelope[] {
  const out: EventEnvelope[] = [];
  for (const envelope of events) {
    try {
      JSON.stringify(envelope);
      out.push(envelope);
    } catch (error) {
      deps.metrics.encodeFailures.inc({ path: 'replay' });
      deps.logger.error({ err: (error as Error).message, id: envelope.id }, 'replay skipped an event that cannot be encoded');
    }
  }
  return out;
}

/**
 * Live copies of events a replay already sent. With Redis an event can be in history when the replay reads it and
 * still be on its way to this relay through the shared stream. The stream keeps the order of history, so those
 * copies arrive before any event published after the read: the filter drops the ids it holds and ends at the
 * first id it does not hold.
 */
export class ReplayedFilter {
  private ids: Set<string> | null;

  constructor(ids: ReadonlySet<string>) {
    this.ids = ids.size > 0 ? new Set(ids) : null;
  }

  get active(): boolean {
    return this.ids !== null;
  }

  /** True for a copy of a replayed event (drop it); false for a new one. */
  repeats(id: string): boolean {
    if (this.ids === null) return false;
    if (this.ids.delete(id)) return true;
    this.ids = null;
    return false;
  }
}

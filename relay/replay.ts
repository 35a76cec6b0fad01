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

export async function readMissed(
  deps: { broker: Broker; metrics: RelayMetrics; logger: Logger },
  lastEventId: string,
  channels: Iterable<string>,
): Promise<Missed> {
  let result;
  try {
    result = await deps.broker.replay(lastEventId, channels);
  } catch (error) {
    // History is out of reach (Redis down): the client is told it may have missed events, like an expired id.
    deps.logger.warn({ err: (error as Error).message }, 'replay failed: history unavailable');
    result = { found: false, complete: false, events: [] };
  }
  const gap = !result.found || !result.complete;
  deps.metrics.replays.inc({ outcome: gap ? 'gap' : 'complete' });
  deps.metrics.deliveries.inc(result.events.length);
  return { gap, events: result.events };
}

/**
 * The headline: the wp-realtime relay against both baselines at each subscriber count, once per way of reading it
 * (socket.io, and the Pusher protocol when that scenario ran).
 */
import type { BroadcastResult, Ratio } from '../schema.js';
import { round } from '../stats.js';
import { RELAY_TARGETS } from '../targets.js';

function ratioOf(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return round(a / b, 3);
}

export function computeRatios(broadcast: BroadcastResult[]): Ratio[] {
  const sizes = [...new Set(broadcast.map((r) => r.subscribers))];
  return sizes.flatMap((subscribers) => {
    const at = (target: BroadcastResult['target']): BroadcastResult | undefined => broadcast.find((r) => r.subscribers === subscribers && r.target === target);
    const naive = at('naive-socketio');
    const raw = at('raw-ws');
    return RELAY_TARGETS.flatMap((target) => {
      const relay = at(target);
      if (!relay) return [];
      return [{
        relay: target,
        subscribers,
        deliveriesVsNaive: ratioOf(relay.throughput.deliveriesPerSec, naive?.throughput.deliveriesPerSec),
        deliveriesVsRawWs: ratioOf(relay.throughput.deliveriesPerSec, raw?.throughput.deliveriesPerSec),
        heapPerConnVsNaive: ratioOf(relay.memory.heapPerConnKB, naive?.memory.heapPerConnKB),
        heapPerConnVsRawWs: ratioOf(relay.memory.heapPerConnKB, raw?.memory.heapPerConnKB),
        rssPerConnVsRawWs: ratioOf(relay.memory.rssPerConnKB, raw?.memory.rssPerConnKB),
        p99VsNaive: ratioOf(relay.latency.latency.p99Ms, naive?.latency.latency.p99Ms),
      }];
    });
  });
}

/**
 * The order of one round of the request-cost part: every (request kind, variant) pair once, shuffled with a seeded
 * generator. A fixed or rotated order gives every request the same neighbour each round; on the real stacks, where
 * the plugin's work after a response (its send, its loopback, the WP-Cron spawn a publish leads to) overlaps the next
 * requests, that would bill one variant's after-response work to the same other variant every time.
 */
import { REQUEST_KINDS, VARIANTS, type RequestKind, type Variant } from './report.js';

export interface TimedPair {
  kind: RequestKind;
  variant: Variant;
}

/** mulberry32: a small, well-mixed 32-bit generator; the same seed gives the same sequence on every run. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function roundOrder(round: number): TimedPair[] {
  const pairs: TimedPair[] = REQUEST_KINDS.flatMap((kind) => VARIANTS.map((variant) => ({ kind, variant })));
  const random = generator(0x9e3779b9 ^ round);
  // Fisher–Yates.
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j] as TimedPair, pairs[i] as TimedPair];
  }
  return pairs;
}

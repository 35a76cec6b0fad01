/**
 * The order of one relay-state block of the request-cost part: every (request kind, variant) pair `samples` times,
 * shuffled over the whole block with a seeded generator.
 *
 * On the real stacks the plugin's work after a response (its send, its loopback, the WP-Cron spawn a publish leads to)
 * overlaps the next timed request, so the order decides whose request that work lands on:
 * - a fixed or rotated order gave every request the same neighbour each round (the plugin's trigger always came 3
 *   requests after the plugin's publish, in the shadow of that publish's loopback);
 * - a shuffle per round (each pair once per round) never lets a pair follow itself within a round, so the plugin
 *   trigger's own after-response send fell on the other variants' requests — the baseline trigger's among them — and
 *   almost never on its own: an advantage for the plugin wherever that work is heavy (relay up).
 * Shuffled over the block, every pair is followed by each pair, itself included, about equally often.
 */
import { REQUEST_KINDS, VARIANTS, type RelayState, type RequestKind, type Variant } from './report.js';

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

/** Every pair `samples` times, in a seeded Fisher–Yates shuffle of the whole block; `block` varies the seed. */
export function blockOrder(samples: number, block = 0): TimedPair[] {
  const pairs: TimedPair[] = [];
  for (let i = 0; i < samples; i++) for (const kind of REQUEST_KINDS) for (const variant of VARIANTS) pairs.push({ kind, variant });
  const random = generator(0x9e3779b9 ^ block);
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j] as TimedPair, pairs[i] as TimedPair];
  }
  return pairs;
}

/**
 * The timed order of one relay state's block. With the relay black-holed every recipe request waits out its 5 s
 * timeout, and the machine idles meanwhile; interleaved, that made about half of all the other requests the first one
 * after an idle spell, and their times two-humped (10–14 ms warm, 25–45 ms after an idle spell: every variant alike,
 * so the median fell on whichever side of the gap the 30th sample did, 1.09–1.16× between runs of the same code).
 * So in that state the recipe's requests come after the others, each part in its own seeded shuffle. In the other
 * states a recipe request takes as long as the rest, and the whole block stays one shuffle.
 */
export function stateOrder(samples: number, relayState: RelayState, block = 0): TimedPair[] {
  const order = blockOrder(samples, block);
  if (relayState !== 'blackhole') return order;
  return [...order.filter((pair) => pair.variant !== 'recipe'), ...order.filter((pair) => pair.variant === 'recipe')];
}

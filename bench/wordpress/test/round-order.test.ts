import { describe, expect, it } from 'vitest';
import { REQUEST_KINDS, VARIANTS } from '../report.js';
import { blockOrder, stateOrder } from '../round-order.js';

const key = (p: { kind: string; variant: string }): string => `${p.kind}/${p.variant}`;
const PAIRS = REQUEST_KINDS.flatMap((kind) => VARIANTS.map((variant) => `${kind}/${variant}`));

/** How often each pair is directly followed by each pair (itself included) in a block. */
function successions(order: string[]): Map<string, Map<string, number>> {
  const counts = new Map<string, Map<string, number>>();
  for (let i = 0; i + 1 < order.length; i++) {
    const next = counts.get(order[i] as string) ?? new Map<string, number>();
    next.set(order[i + 1] as string, (next.get(order[i + 1] as string) ?? 0) + 1);
    counts.set(order[i] as string, next);
  }
  return counts;
}

describe('request-cost block order', () => {
  it('times every kind and variant `samples` times, the same way on every run, differently per block', () => {
    const order = blockOrder(30, 1).map(key);
    expect(order).toHaveLength(30 * PAIRS.length);
    for (const pair of PAIRS) expect(order.filter((k) => k === pair), pair).toHaveLength(30);
    expect(blockOrder(30, 1).map(key)).toEqual(order);
    expect(blockOrder(30, 2).map(key)).not.toEqual(order);
  });

  it('lets a pair follow itself about as often as any other pair (a per-round shuffle never did within a round)', () => {
    for (const block of [0, 1, 2]) {
      const counts = successions(blockOrder(30, block).map(key));
      let self = 0;
      let other = 0;
      for (const pair of PAIRS) {
        const next = counts.get(pair) ?? new Map<string, number>();
        // With 30 of each pair, a pair is followed by a given pair ≈ 5 times; every pair, itself included, at least once.
        for (const following of PAIRS) expect(next.get(following) ?? 0, `${pair} → ${following}, block ${block}`).toBeGreaterThanOrEqual(1);
        self += next.get(pair) ?? 0;
        other += [...next.entries()].filter(([k]) => k !== pair).reduce((sum, [, n]) => sum + n, 0);
      }
      // Self-successions per pair vs successions by one given other pair: equal in expectation (29/179 vs 30/179).
      expect(self / PAIRS.length / (other / (PAIRS.length * (PAIRS.length - 1))), `block ${block}`).toBeGreaterThan(0.6);
    }
  });

  it('gives no request the same neighbour each time (what a rotated order did: the plugin\'s trigger always 3 after its publish)', () => {
    const order = blockOrder(30, 0).map(key);
    const counts = successions(order);
    for (const pair of PAIRS) expect((counts.get(pair) ?? new Map()).size, `successors of ${pair}`).toBeGreaterThanOrEqual(4);
  });

  it('times the recipe after the other variants only with the relay black-holed (its 5 s waits idle the machine)', () => {
    const holed = stateOrder(30, 'blackhole', 2);
    expect(holed).toHaveLength(30 * PAIRS.length);
    const firstRecipe = holed.findIndex((p) => p.variant === 'recipe');
    expect(firstRecipe).toBe(30 * 2 * 2);
    expect(holed.slice(firstRecipe).every((p) => p.variant === 'recipe')).toBe(true);
    // The rest keeps the seeded shuffle: the same relative order as the whole block's.
    expect(holed.slice(0, firstRecipe).map(key)).toEqual(blockOrder(30, 2).filter((p) => p.variant !== 'recipe').map(key));
    for (const state of ['up', 'down'] as const) expect(stateOrder(30, state, 0).map(key)).toEqual(blockOrder(30, 0).map(key));
  });
});


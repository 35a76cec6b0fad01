import { describe, expect, it } from 'vitest';
import { roundOrder } from '../round-order.js';

const key = (p: { kind: string; variant: string }): string => `${p.kind}/${p.variant}`;

describe('request-cost round order', () => {
  it('times every kind and variant once per round, the same way on every run', () => {
    for (let round = 0; round < 30; round++) {
      const order = roundOrder(round).map(key);
      expect(new Set(order).size).toBe(6);
      expect(order).toHaveLength(6);
      expect(roundOrder(round).map(key)).toEqual(order);
    }
  });

  it('gives no request the same neighbour every round (what a rotated order did: the plugin\'s trigger always 3 after its publish)', () => {
    const successors = new Map<string, Set<string>>();
    const gaps = new Set<number>();
    for (let round = 0; round < 30; round++) {
      const order = roundOrder(round).map(key);
      order.forEach((k, i) => {
        if (i + 1 < order.length) successors.set(k, (successors.get(k) ?? new Set()).add(order[i + 1] as string));
      });
      gaps.add(order.indexOf('trigger/plugin') - order.indexOf('publish/plugin'));
    }
    for (const [k, next] of successors) expect(next.size, `successors of ${k}`).toBeGreaterThanOrEqual(3);
    expect(gaps.size).toBeGreaterThanOrEqual(5);
  });
});

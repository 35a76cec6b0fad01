/** ReplayedFilter (relay/replay.ts): late live copies of replayed events are dropped, and only until a new event. */
import { describe, expect, it } from 'vitest';
import { ReplayedFilter } from '../replay.js';

describe('ReplayedFilter', () => {
  it('drops late copies of replayed ids, in stream order, and ends at the first new id', () => {
    const filter = new ReplayedFilter(new Set(['e3', 'e4', 'e5']));
    expect(filter.repeats('e4')).toBe(true);
    expect(filter.repeats('e5')).toBe(true);
    expect(filter.active).toBe(true);
    expect(filter.repeats('e6')).toBe(false);
    expect(filter.active).toBe(false);
    // Once a new event has come, nothing replayed can follow it: the filter lets everything through.
    expect(filter.repeats('e3')).toBe(false);
  });

  it('drops each replayed id once', () => {
    const filter = new ReplayedFilter(new Set(['a']));
    expect(filter.repeats('a')).toBe(true);
    expect(filter.repeats('a')).toBe(false);
  });

  it('is inactive after a replay that sent nothing', () => {
    const filter = new ReplayedFilter(new Set());
    expect(filter.active).toBe(false);
    expect(filter.repeats('x')).toBe(false);
  });
});

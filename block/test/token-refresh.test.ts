import { describe, expect, it } from 'vitest';
import { isStale, MIN_REFRESH_DELAY_MS, refreshDelayMs, retryDelayMs } from '../src/client/token-refresh.js';

const now = Date.UTC(2026, 10, 29, 12, 0, 0);
const inSeconds = (seconds: number): number => now / 1000 + seconds;

describe('token refresh timing', () => {
  it('renews at 80% of the remaining lifetime', () => {
    expect(refreshDelayMs(inSeconds(600), now)).toBe(480_000);
    expect(refreshDelayMs(inSeconds(100), now)).toBe(80_000);
  });

  it('never hammers the token route, even when the clock says the token is already expired', () => {
    expect(refreshDelayMs(inSeconds(5), now)).toBe(MIN_REFRESH_DELAY_MS);
    expect(refreshDelayMs(inSeconds(-300), now)).toBe(MIN_REFRESH_DELAY_MS);
  });

  it('never waits longer than the longest token lifetime allows, even with a clock far behind', () => {
    expect(refreshDelayMs(inSeconds(86_400), now)).toBe(0.8 * 3_600_000);
  });

  it('treats a token about to expire as stale', () => {
    expect(isStale(inSeconds(600), now)).toBe(false);
    expect(isStale(inSeconds(5), now)).toBe(true);
    expect(isStale(inSeconds(-1), now)).toBe(true);
  });

  it('backs off exponentially with jitter, capped at 30 s', () => {
    expect(retryDelayMs(0, () => 0)).toBe(500);
    expect(retryDelayMs(0, () => 0.999_999)).toBe(1000);
    expect(retryDelayMs(3, () => 1)).toBe(8000);
    expect(retryDelayMs(20, () => 1)).toBe(30_000);
    expect(retryDelayMs(20, () => 0)).toBe(15_000);
  });
});

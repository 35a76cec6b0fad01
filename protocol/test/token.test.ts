import { describe, expect, it } from 'vitest';
import { mintToken, TOKEN_MAX_TTL, verifyToken } from '../index.js';

const secret = 'unit-test-secret-that-is-long-enough-00';

describe('mintToken', () => {
  it('refuses bad input naming the field', () => {
    expect(() => mintToken({ secret, channels: ['public'], ttl: TOKEN_MAX_TTL + 1 })).toThrow(/ttl/);
    expect(() => mintToken({ secret, channels: ['public'], ttl: 0 })).toThrow(/ttl/);
    expect(() => mintToken({ secret, channels: ['bad channel'] })).toThrow(/channel "bad channel"/);
    expect(() => mintToken({ secret, user: 'x y', channels: [] })).toThrow(/user/);
    expect(() => mintToken({ secret, channels: Array.from({ length: 65 }, (_, i) => `c${i}`) })).toThrow(/at most 64/);
  });

  it('round-trips claims and de-duplicates channels', () => {
    const result = verifyToken(mintToken({ secret, user: '4', channels: ['public', 'public', 'role-editor'], now: 1000 }), secret, 1001);
    expect(result).toEqual({ ok: true, claims: { sub: '4', ch: ['public', 'role-editor'], iat: 1000, exp: 1600 } });
  });
});

describe('verifyToken', () => {
  it('refuses non-strings and oversized input without throwing', () => {
    expect(verifyToken(undefined, secret)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyToken(42, secret)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyToken('wprt1.' + 'a'.repeat(9000) + '.b', secret)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyToken('wprt1.abc.' + 'A'.repeat(43) + '!', secret)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

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

describe('presence member info', () => {
  const secret = 's'.repeat(32);

  it('carries name and avatar, in that order, and verifies them back', () => {
    const token = mintToken({ secret, user: '42', channels: ['presence-a'], info: { avatar: 'https://example.com/a.png', name: 'Ana' } as never });
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(claims)).toEqual(['sub', 'ch', 'iat', 'exp', 'info']);
    expect(JSON.stringify(claims.info)).toBe('{"name":"Ana","avatar":"https://example.com/a.png"}');
    const verified = verifyToken(token, secret);
    expect(verified.ok && verified.claims.info).toEqual({ name: 'Ana', avatar: 'https://example.com/a.png' });
  });

  it('keeps tokens without info as they were (no info claim)', () => {
    const token = mintToken({ secret, user: '42', channels: ['private-user-42'] });
    const verified = verifyToken(token, secret);
    expect(verified.ok && 'info' in verified.claims).toBe(false);
  });

  it.each([
    [{ user: '42', channels: ['presence-a'] }, /needs member info/],
    [{ user: '0', channels: ['presence-a'], info: { name: 'Guest' } }, /anonymous token cannot list it/],
    [{ user: '42', channels: ['public'], info: { name: '' } }, /info.name must be 1 to 100/],
    [{ user: '42', channels: ['public'], info: { name: 'x'.repeat(101) } }, /info.name must be 1 to 100/],
    [{ user: '42', channels: ['public'], info: { name: 'a\u2028b' } }, /info.name/],
    [{ user: '42', channels: ['public'], info: { name: '\ud800' } }, /info.name/],
    [{ user: '42', channels: ['public'], info: { name: 'A', avatar: 'ftp://example.com/a' } }, /info.avatar/],
    [{ user: '42', channels: ['public'], info: { name: 'A', avatar: `https://example.com/${'a'.repeat(500)}` } }, /info.avatar/],
    [{ user: '42', channels: ['public'], info: { name: 'A', email: 'a@example.com' } }, /only name and avatar/],
  ])('refuses to mint %j', (options, message) => {
    expect(() => mintToken({ secret, ...(options as { user: string; channels: string[] }) })).toThrow(message);
  });
});

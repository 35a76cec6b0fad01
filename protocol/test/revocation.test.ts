/** A revoke control event's data: what is accepted, and the field each refusal names. */
import { describe, expect, it } from 'vitest';
import { parseRevocation, revocationExpiresAt, TOKEN_LEEWAY_SECONDS, TOKEN_MAX_TTL } from '../index.js';

const NOW = 1_767_225_600;

describe('parseRevocation', () => {
  it('accepts { user, notBefore } and { user, notBefore, channels } (channels de-duplicated)', () => {
    expect(parseRevocation({ user: '42', notBefore: NOW }, 'event.data', NOW)).toEqual({ ok: true, revocation: { user: '42', notBefore: NOW } });
    expect(parseRevocation({ user: '42', notBefore: NOW - 10, channels: ['role-author', 'role-author', 'role-editor'] }, 'event.data', NOW)).toEqual({
      ok: true,
      revocation: { user: '42', notBefore: NOW - 10, channels: ['role-author', 'role-editor'] },
    });
    // Up to the signature window ahead, for clock skew.
    expect(parseRevocation({ user: 'a@b.c', notBefore: NOW + 300 }, 'event.data', NOW).ok).toBe(true);
  });

  it.each([
    [null, /^event\.data: must be/],
    [[], /^event\.data: must be/],
    [{ notBefore: NOW }, /^event\.data\.user: /],
    [{ user: '0', notBefore: NOW }, /^event\.data\.user: .*not "0"/],
    [{ user: 'has space', notBefore: NOW }, /^event\.data\.user: /],
    [{ user: '42' }, /^event\.data\.notBefore: must be unix seconds/],
    [{ user: '42', notBefore: 1.5 }, /^event\.data\.notBefore: must be unix seconds/],
    [{ user: '42', notBefore: '1767225600' }, /^event\.data\.notBefore: must be unix seconds/],
    [{ user: '42', notBefore: NOW + 301 }, /^event\.data\.notBefore: is more than 300 s ahead/],
    [{ user: '42', notBefore: NOW, channels: [] }, /^event\.data\.channels: must list 1 to 64/],
    [{ user: '42', notBefore: NOW, channels: Array.from({ length: 65 }, (_, i) => `c${i}`) }, /^event\.data\.channels: must list 1 to 64/],
    [{ user: '42', notBefore: NOW, channels: ['ok', 7] }, /^event\.data\.channels\[1\]: /],
    [{ user: '42', notBefore: NOW, role: 'author' }, /^event\.data\.role: is not a revocation field/],
  ])('refuses %j', (data, message) => {
    const parsed = parseRevocation(data, 'event.data', NOW);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it('matters until every token it can affect has expired', () => {
    expect(revocationExpiresAt(NOW)).toBe(NOW + TOKEN_MAX_TTL + TOKEN_LEEWAY_SECONDS);
  });
});

/** The relay's memory of cut-off users, alone: what a token may still do, expiry after the longest token lifetime, the bound. */
import { describe, expect, it } from 'vitest';
import { TOKEN_LEEWAY_SECONDS, TOKEN_MAX_TTL } from '../../protocol/index.js';
import { Revocations } from '../revocations.js';

const NOW = 1_767_225_600;

describe('Revocations', () => {
  it('refuses tokens issued at or before notBefore, strikes channels per their own notBefore, keeps the latest', () => {
    const told: unknown[] = [];
    const list = new Revocations({ maxUsers: 10, onRevoke: (revocation) => told.push(revocation) });
    list.record({ user: '42', notBefore: NOW }, NOW);
    expect(list.verdict('42', NOW)).toEqual({ revoked: true });
    expect(list.verdict('42', NOW + 1)).toEqual({ revoked: false, struck: new Set() });
    expect(list.verdict('7', NOW - 100)).toEqual({ revoked: false, struck: new Set() });
    list.record({ user: '42', notBefore: NOW - 50 }, NOW);
    expect(list.verdict('42', NOW - 10)).toEqual({ revoked: true });

    list.record({ user: '5', notBefore: NOW, channels: ['role-author'] }, NOW);
    list.record({ user: '5', notBefore: NOW + 10, channels: ['role-editor'] }, NOW);
    expect(list.verdict('5', NOW)).toEqual({ revoked: false, struck: new Set(['role-author', 'role-editor']) });
    expect(list.verdict('5', NOW + 5)).toEqual({ revoked: false, struck: new Set(['role-editor']) });
    expect(list.verdict('5', NOW + 11)).toEqual({ revoked: false, struck: new Set() });
    expect(told).toHaveLength(4);
  });

  it('forgets an entry once every token it affects has expired, and ignores one that expired already', () => {
    const list = new Revocations({ maxUsers: 10 });
    expect(list.record({ user: '1', notBefore: NOW - TOKEN_MAX_TTL - TOKEN_LEEWAY_SECONDS - 1 }, NOW)).toBe(false);
    expect(list.size).toBe(0);
    list.record({ user: '1', notBefore: NOW }, NOW);
    const later = NOW + TOKEN_MAX_TTL + TOKEN_LEEWAY_SECONDS + 1;
    list.record({ user: '2', notBefore: later }, later);
    expect(list.size).toBe(1);
    expect(list.verdict('1', NOW)).toEqual({ revoked: false, struck: new Set() });
  });

  it('keeps at most maxUsers users, dropping the one expiring soonest (and says so)', () => {
    const evicted: string[] = [];
    const list = new Revocations({ maxUsers: 3, onEvict: (user) => evicted.push(user) });
    for (let i = 0; i < 5; i++) list.record({ user: `u${i}`, notBefore: NOW + i }, NOW);
    expect(list.size).toBe(3);
    expect(evicted).toEqual(['u0', 'u1']);
    expect(list.verdict('u4', NOW)).toEqual({ revoked: true });
  });

  it('keeps a bounded number of struck channels per user', () => {
    const list = new Revocations({ maxUsers: 3 });
    for (let i = 0; i < 200; i++) list.record({ user: '5', notBefore: NOW, channels: [`role-r${i}`] }, NOW);
    const verdict = list.verdict('5', NOW);
    expect(verdict.revoked).toBe(false);
    if (!verdict.revoked) {
      expect(verdict.struck.size).toBe(128);
      expect(verdict.struck.has('role-r199')).toBe(true);
      expect(verdict.struck.has('role-r0')).toBe(false);
    }
  });
});

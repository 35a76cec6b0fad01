/** The TypeScript implementation reproduces the frozen vectors that the PHP plugin is also checked against. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeSignature, deriveTokenKey, type MemberInfo, requestLine, mintToken, signatureHeader, verifySignature, verifyToken } from '../index.js';

interface SignVector { secret: string; timestamp: number; body: string; header: string }
interface SignatureVerifyVector { name: string; header: string; body: string; secret: string; now: number; valid: boolean; reason?: string }
interface MintVector { secret: string; user: string; channels: string[]; ttl: number; now: number; info?: MemberInfo; token: string; derivedKeyHex: string }
interface TokenVerifyVector { name: string; token: string; secret: string; now: number; valid: boolean; reason?: string; claims?: unknown }

function load<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8')) as T;
}
interface RequestVector { secret: string; method: string; path: string; timestamp: number; signed: string; header: string }
const signature = load<{ sign: SignVector[]; verify: SignatureVerifyVector[]; requests: RequestVector[] }>('signature.json');
const token = load<{ mint: MintVector[]; verify: TokenVerifyVector[] }>('token.json');

describe('signature vectors', () => {
  it.each(signature.sign.map((v) => [v.body.slice(0, 40), v] as const))('signs %j byte for byte', (_label, v) => {
    expect(signatureHeader(v.secret, v.body, v.timestamp)).toBe(v.header);
    expect(v.header).toBe(`t=${v.timestamp},v1=${computeSignature(v.secret, v.timestamp, Buffer.from(v.body, 'utf8'))}`);
  });

  it.each(signature.verify.map((v) => [v.name, v] as const))('verifies: %s', (_name, v) => {
    const result = verifySignature(v.header === '' ? undefined : v.header, v.body, v.secret, v.now);
    expect(result.ok).toBe(v.valid);
    if (!result.ok) expect(result.reason).toBe(v.reason);
  });
});

describe('signed request-line vectors (GET API)', () => {
  it.each(signature.requests.map((v) => [v.path, v] as const))('signs GET %s over "<t>.GET <path>"', (_path, v) => {
    const line = requestLine(v.method, v.path);
    expect(`${v.timestamp}.${line}`).toBe(v.signed);
    expect(signatureHeader(v.secret, line, v.timestamp)).toBe(v.header);
    expect(verifySignature(v.header, line, v.secret, v.timestamp).ok).toBe(true);
    expect(verifySignature(v.header, requestLine(v.method, `${v.path}x`), v.secret, v.timestamp).ok).toBe(false);
  });
});

describe('token vectors', () => {
  it.each(token.mint.map((v) => [v.user, v] as const))('mints for user %s byte for byte', (_user, v) => {
    expect(deriveTokenKey(v.secret).toString('hex')).toBe(v.derivedKeyHex);
    expect(mintToken({ secret: v.secret, user: v.user, channels: v.channels, ttl: v.ttl, now: v.now, info: v.info })).toBe(v.token);
  });

  it.each(token.verify.map((v) => [v.name, v] as const))('verifies: %s', (_name, v) => {
    const result = verifyToken(v.token, v.secret, v.now);
    expect(result.ok).toBe(v.valid);
    if (result.ok) expect(result.claims).toEqual(v.claims);
    else expect(result.reason).toBe(v.reason);
  });
});

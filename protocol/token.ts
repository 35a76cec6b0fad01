/**
 * Client tokens (browser → relay): `wprt1.<base64url(claims JSON)>.<base64url(HMAC-SHA256(tokenKey, "wprt1.<claims>"))>`.
 * The key is derived from the shared secret so that a token signature can never double as a request signature.
 * Claims JSON is written with a fixed key order and only characters that need no escaping, so PHP's json_encode
 * and JSON.stringify produce the same bytes (proved by protocol/vectors/token.json).
 */
import { CHANNEL_PATTERN } from './channels.js';
import { constantTimeEqual, decodeBase64urlStrict, hmacSha256, nowSeconds } from './encoding.js';

export const TOKEN_PREFIX = 'wprt1';
export const TOKEN_KEY_LABEL = 'wp-realtime:token:v1';
export const TOKEN_DEFAULT_TTL = 600;
export const TOKEN_MAX_TTL = 3600;
export const TOKEN_LEEWAY_SECONDS = 2;
export const TOKEN_MAX_CHANNELS = 64;
export const USER_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,64}$/;
/** `sub` of a token minted for nobody in particular (WordPress's anonymous visitor is user 0). */
export const ANONYMOUS_USER = '0';

export interface TokenClaims {
  sub: string;
  ch: string[];
  iat: number;
  exp: number;
}

export type TokenFailure = 'malformed' | 'signature' | 'expired' | 'claims';

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: TokenFailure; message: string };

export interface MintOptions {
  secret: string;
  user?: string;
  channels: readonly string[];
  ttl?: number;
  now?: number;
}

export function deriveTokenKey(secret: string): Buffer {
  return hmacSha256(secret, TOKEN_KEY_LABEL);
}

function signingInput(encodedClaims: string): string {
  return `${TOKEN_PREFIX}.${encodedClaims}`;
}

/** Throws a RangeError naming the bad field: minting is a programming or usage error, never a runtime one. */
export function mintToken(options: MintOptions): string {
  const ttl = options.ttl ?? TOKEN_DEFAULT_TTL;
  const user = options.user ?? ANONYMOUS_USER;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > TOKEN_MAX_TTL) {
    throw new RangeError(`ttl must be a whole number of seconds from 1 to ${TOKEN_MAX_TTL}, got ${ttl}`);
  }
  if (!USER_ID_PATTERN.test(user)) throw new RangeError(`user must match ${USER_ID_PATTERN.source}, got "${user}"`);
  if (options.channels.length > TOKEN_MAX_CHANNELS) {
    throw new RangeError(`a token lists at most ${TOKEN_MAX_CHANNELS} channels, got ${options.channels.length}`);
  }
  for (const channel of options.channels) {
    if (!CHANNEL_PATTERN.test(channel)) throw new RangeError(`channel "${channel}" must match ${CHANNEL_PATTERN.source}`);
  }
  const iat = options.now ?? nowSeconds();
  const claims: TokenClaims = { sub: user, ch: [...new Set(options.channels)], iat, exp: iat + ttl };
  const encoded = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = hmacSha256(deriveTokenKey(options.secret), signingInput(encoded)).toString('base64url');
  return `${signingInput(encoded)}.${signature}`;
}

function parseClaims(encoded: string): TokenClaims | null {
  const bytes = decodeBase64urlStrict(encoded);
  if (bytes === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { sub, ch, iat, exp } = value as Record<string, unknown>;
  if (typeof sub !== 'string' || !USER_ID_PATTERN.test(sub)) return null;
  if (!Array.isArray(ch) || ch.length > TOKEN_MAX_CHANNELS) return null;
  if (!ch.every((c): c is string => typeof c === 'string' && CHANNEL_PATTERN.test(c))) return null;
  if (!Number.isInteger(iat) || !Number.isInteger(exp)) return null;
  return { sub, ch, iat: iat as number, exp: exp as number };
}

export function verifyToken(token: unknown, secret: string, now = nowSeconds()): TokenCheck {
  if (typeof token !== 'string' || token.length > 8192) {
    return { ok: false, reason: 'malformed', message: 'token must be a string of at most 8192 characters' };
  }
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX || !parts[1] || !parts[2]) {
    return { ok: false, reason: 'malformed', message: `token must look like ${TOKEN_PREFIX}.<claims>.<signature>` };
  }
  const [, encodedClaims, encodedSignature] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]{43}$/.test(encodedSignature)) {
    return { ok: false, reason: 'malformed', message: 'token signature must be 43 base64url characters' };
  }
  // 43 characters carry 258 bits for 256: only the spelling whose 2 unused bits are zero is the signature.
  const signature = decodeBase64urlStrict(encodedSignature);
  if (signature === null) {
    return { ok: false, reason: 'malformed', message: 'token signature is not canonical base64url (its last character carries unused bits)' };
  }
  const expected = hmacSha256(deriveTokenKey(secret), signingInput(encodedClaims));
  if (!constantTimeEqual(expected, signature)) {
    return { ok: false, reason: 'signature', message: 'token signature is invalid (tampered, or signed with another secret)' };
  }
  const claims = parseClaims(encodedClaims);
  if (!claims) return { ok: false, reason: 'claims', message: 'token claims are not valid' };
  if (claims.exp - claims.iat > TOKEN_MAX_TTL || claims.exp <= claims.iat) {
    return { ok: false, reason: 'claims', message: `token lifetime must be 1 to ${TOKEN_MAX_TTL} seconds` };
  }
  if (claims.iat > now + TOKEN_LEEWAY_SECONDS) {
    return { ok: false, reason: 'claims', message: 'token is issued in the future; check the clocks' };
  }
  if (now > claims.exp + TOKEN_LEEWAY_SECONDS) {
    return { ok: false, reason: 'expired', message: `token expired ${now - claims.exp}s ago; fetch a new one` };
  }
  return { ok: true, claims };
}

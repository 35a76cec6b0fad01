/**
 * Client tokens (browser → relay): `wprt1.<base64url(claims JSON)>.<base64url(HMAC-SHA256(tokenKey, "wprt1.<claims>"))>`.
 * The key is derived from the shared secret so that a token signature can never double as a request signature.
 * Claims JSON is written with a fixed key order and only characters that need no escaping, so PHP's json_encode
 * and JSON.stringify produce the same bytes (proved by protocol/vectors/token.json).
 */
import { CHANNEL_PATTERN, isPresenceChannel } from './channels.js';
import { LONE_SURROGATE } from './data-shape.js';
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

/** Longest display name and avatar URL a token carries: a presence member's info is bounded by the token. */
export const MEMBER_NAME_MAX = 100;
export const MEMBER_AVATAR_MAX = 512;
/**
 * A display name: 1 to 100 characters, no control characters and no U+2028/U+2029, so that JSON.stringify and PHP's
 * json_encode (JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_LINE_TERMINATORS) write the same bytes
 * (both escape only `"` and `\` then). Lone surrogates are refused too: a lone surrogate is no text.
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point of this pattern.
export const MEMBER_NAME_PATTERN = /^[^\u0000-\u001f\u007f\u2028\u2029]{1,100}$/u;
/** An http(s) URL of printable ASCII without `"` or `\` (nothing JSON escapes), at most 512 characters. */
export const MEMBER_AVATAR_PATTERN = /^https?:\/\/[!#-[\]-~]{1,504}$/;

/**
 * The member's public info a presence channel shows others (claim `info`): the display name and, optionally, the
 * avatar URL. The member's id is the token's `sub`. Nothing else is ever shown.
 */
export interface MemberInfo {
  name: string;
  avatar?: string;
}

export interface TokenClaims {
  sub: string;
  ch: string[];
  iat: number;
  exp: number;
  /** Present only in tokens minted with member info (required when `ch` lists a presence channel). */
  info?: MemberInfo;
}

export type TokenFailure = 'malformed' | 'signature' | 'expired' | 'claims';

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: TokenFailure; message: string };

export interface MintOptions {
  secret: string;
  user?: string;
  channels: readonly string[];
  ttl?: number;
  now?: number;
  /** Required when `channels` lists a `presence-*` channel. */
  info?: MemberInfo;
}

/** Why `info` is not valid member info, or null when it is. */
export function memberInfoProblem(info: unknown): string | null {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) return 'info must be an object { name, avatar? }';
  const { name, avatar, ...rest } = info as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return 'info carries only name and avatar';
  if (typeof name !== 'string' || LONE_SURROGATE.test(name) || !MEMBER_NAME_PATTERN.test(name)) {
    return `info.name must be 1 to ${MEMBER_NAME_MAX} characters without control characters`;
  }
  if (avatar !== undefined && (typeof avatar !== 'string' || avatar.length > MEMBER_AVATAR_MAX || !MEMBER_AVATAR_PATTERN.test(avatar))) {
    return `info.avatar must be an http(s) URL of at most ${MEMBER_AVATAR_MAX} printable ASCII characters without " or \\`;
  }
  return null;
}

/** Why a token with these claims may not exist (presence channels need a user and member info), or null. */
function presenceProblem(user: string, channels: readonly string[], info: MemberInfo | undefined): string | null {
  const presence = channels.find(isPresenceChannel);
  if (presence === undefined) return null;
  if (user === ANONYMOUS_USER) return `presence channel "${presence}" needs a user: an anonymous token cannot list it`;
  if (info === undefined) return `presence channel "${presence}" needs member info (info.name) in the token`;
  return null;
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
  if (options.info !== undefined) {
    const problem = memberInfoProblem(options.info);
    if (problem !== null) throw new RangeError(problem);
  }
  const presence = presenceProblem(user, options.channels, options.info);
  if (presence !== null) throw new RangeError(presence);
  const iat = options.now ?? nowSeconds();
  const claims: TokenClaims = { sub: user, ch: [...new Set(options.channels)], iat, exp: iat + ttl };
  // Fixed key order (name, then avatar), as the PHP signer writes it.
  if (options.info !== undefined) {
    claims.info = { name: options.info.name, ...(options.info.avatar === undefined ? {} : { avatar: options.info.avatar }) };
  }
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
  const { sub, ch, iat, exp, info } = value as Record<string, unknown>;
  if (typeof sub !== 'string' || !USER_ID_PATTERN.test(sub)) return null;
  if (!Array.isArray(ch) || ch.length > TOKEN_MAX_CHANNELS) return null;
  if (!ch.every((c): c is string => typeof c === 'string' && CHANNEL_PATTERN.test(c))) return null;
  if (!Number.isInteger(iat) || !Number.isInteger(exp)) return null;
  const claims: TokenClaims = { sub, ch, iat: iat as number, exp: exp as number };
  if (info !== undefined) {
    if (memberInfoProblem(info) !== null) return null;
    claims.info = info as MemberInfo;
  }
  return claims;
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
  const presence = presenceProblem(claims.sub, claims.ch, claims.info);
  if (presence !== null) return { ok: false, reason: 'claims', message: presence };
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

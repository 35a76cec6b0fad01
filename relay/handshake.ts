/**
 * Validates what a client sends when it connects: `auth: { token?, lastEventId?, channels? }`. Pure: no socket.io,
 * so every rule is testable alone. Returns the channels the client will read, or why it is refused.
 */
import { z } from 'zod';
import { canRead, CHANNEL_PATTERN, DEFAULT_CHANNEL, EVENT_ID_PATTERN, type ReadAccess, type TokenClaims, verifyToken } from '../protocol/index.js';
import type { PresenceMember } from './core/presence.js';
import type { RejectionReason } from './metrics.js';
import type { Revocations } from './revocations.js';

export const MAX_CHANNELS_PER_CLIENT = 64;

const authSchema = z.object({
  token: z.string().min(1).max(8192).optional(),
  lastEventId: z.string().regex(EVENT_ID_PATTERN, `must match ${EVENT_ID_PATTERN.source}`).optional(),
  channels: z
    .array(z.string().regex(CHANNEL_PATTERN, `must match ${CHANNEL_PATTERN.source}`))
    .min(1)
    .max(MAX_CHANNELS_PER_CLIENT)
    .optional(),
});

const ANONYMOUS_ACCESS: ReadAccess = Object.freeze({ tokenChannels: new Set<string>(), publicAllowed: true });
const ANONYMOUS_ACCESS_NO_PUBLIC: ReadAccess = Object.freeze({ tokenChannels: new Set<string>(), publicAllowed: false });
const ANONYMOUS_CHANNELS: readonly string[] = Object.freeze([DEFAULT_CHANNEL]);

export interface ClientSession {
  user: string | null;
  access: ReadAccess;
  channels: string[];
  lastEventId?: string;
  /** Unix seconds after which the token no longer holds (null without a token). */
  expiresAt: number | null;
  /** Unix seconds the token was issued (null without a token): a revocation affects tokens issued up to its notBefore. */
  issuedAt: number | null;
  /** Who the client is on presence channels: the token's sub and info (null when it carries no info). */
  member: PresenceMember | null;
}

/** A token's member: its `sub` and `info`, nothing else (the token's other claims never reach other clients). */
export function memberOf(claims: TokenClaims): PresenceMember | null {
  if (claims.info === undefined) return null;
  return { id: claims.sub, name: claims.info.name, ...(claims.info.avatar === undefined ? {} : { avatar: claims.info.avatar }) };
}

export type TokenAccess = { ok: true; access: ReadAccess } | { ok: false; reason: 'revoked_token'; message: string };

/**
 * The channels a verified token opens now: those it lists, minus what a revocation struck since it was issued; or
 * its refusal when its user was cut off after it was issued. Used by the handshake and by refresh_token alike.
 */
export function tokenAccess(claims: TokenClaims, publicAllowed: boolean, revocations: Revocations | undefined): TokenAccess {
  const verdict = revocations?.verdict(claims.sub, claims.iat);
  if (verdict?.revoked) return { ok: false, reason: 'revoked_token', message: 'token was revoked (the user was signed out or changed); fetch a new one' };
  const struck = verdict?.struck;
  const listed = struck === undefined || struck.size === 0 ? claims.ch : claims.ch.filter((channel) => !struck.has(channel));
  return { ok: true, access: { tokenChannels: new Set(listed), publicAllowed } };
}

export type HandshakeResult = { ok: true; session: ClientSession } | { ok: false; reason: RejectionReason; message: string };

export function checkHandshake(auth: unknown, secret: string, publicAllowed: boolean, revocations?: Revocations): HandshakeResult {
  const parsed = authSchema.safeParse(auth ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? `auth.${issue.path.join('.')}` : 'auth';
    return { ok: false, reason: 'invalid_handshake', message: `${field}: ${issue?.message ?? 'invalid'}` };
  }
  const { token, lastEventId, channels } = parsed.data;

  // Anonymous clients share one access record and one channel list (both are replaced, never mutated, later).
  let access: ReadAccess = publicAllowed ? ANONYMOUS_ACCESS : ANONYMOUS_ACCESS_NO_PUBLIC;
  let user: string | null = null;
  let expiresAt: number | null = null;
  let issuedAt: number | null = null;
  let member: PresenceMember | null = null;
  if (token !== undefined) {
    const verified = verifyToken(token, secret);
    if (!verified.ok) {
      return { ok: false, reason: verified.reason === 'expired' ? 'expired_token' : 'invalid_token', message: verified.message };
    }
    const opened = tokenAccess(verified.claims, publicAllowed, revocations);
    if (!opened.ok) return opened;
    access = opened.access;
    user = verified.claims.sub;
    expiresAt = verified.claims.exp;
    issuedAt = verified.claims.iat;
    member = memberOf(verified.claims);
  } else if (!publicAllowed) {
    return { ok: false, reason: 'token_required', message: 'this relay runs with --no-public: connect with auth.token' };
  }

  const wanted = channels ?? defaultChannels(access);
  const forbidden = wanted.find((channel) => !canRead(channel, access));
  if (forbidden !== undefined) {
    return { ok: false, reason: 'channel_forbidden', message: `channel "${forbidden}" is not readable with this token` };
  }
  const unique = wanted === ANONYMOUS_CHANNELS ? wanted : [...new Set(wanted)];
  return { ok: true, session: { user, access, channels: unique, lastEventId, expiresAt, issuedAt, member } };
}

/** Without an explicit list a client reads `public` (when open) and every channel its token lists. */
export function defaultChannels(access: ReadAccess): string[] {
  if (access === ANONYMOUS_ACCESS) return ANONYMOUS_CHANNELS as string[];
  const channels = access.publicAllowed ? [DEFAULT_CHANNEL] : [];
  return [...new Set([...channels, ...access.tokenChannels])];
}

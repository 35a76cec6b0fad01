/**
 * The relay's memory of cut-off users: per user, the second up to which every token is refused, and per channel the
 * second up to which tokens no longer open that channel (a lost role). The one place that says what a token issued at
 * `iat` for `user` may still do; the handshake, refresh_token and the live cut all ask it. Bounded: an entry is
 * forgotten once every token it can affect has expired (TOKEN_MAX_TTL after its notBefore), and at most `maxUsers`
 * users are kept (past that the entry expiring soonest goes, logged and counted).
 */
import { nowSeconds, type Revocation, revocationExpiresAt, TOKEN_MAX_CHANNELS } from '../protocol/index.js';

interface UserEntry {
  /** Tokens issued at or before this second are refused; -1: none are. */
  all: number;
  /** Channel → tokens issued at or before this second no longer open it. */
  channels: Map<string, number>;
  /** Unix second after which no token this entry affects is valid any more. */
  expiresAt: number;
}

/** What a token may do now: refused outright, or readable minus `struck` (empty: untouched). */
export type RevocationVerdict = { revoked: true } | { revoked: false; struck: ReadonlySet<string> };

const UNTOUCHED: RevocationVerdict = Object.freeze({ revoked: false, struck: new Set<string>() });
const REVOKED: RevocationVerdict = Object.freeze({ revoked: true });
/** Channel entries kept per user: a token lists at most this many channels. */
const MAX_CHANNELS_PER_USER = TOKEN_MAX_CHANNELS * 2;
const PRUNE_INTERVAL_SECONDS = 10;
/** Users remembered at once: revocations live an hour at most, so this is 100,000 distinct users cut off per hour. */
export const MAX_REVOKED_USERS = 100_000;

export interface RevocationsOptions {
  maxUsers: number;
  /** Told of every revocation recorded (the open connections it affects are ended or narrowed there). */
  onRevoke?: (revocation: Revocation) => void;
  /** Told when the bound forced an entry out before its time. */
  onEvict?: (user: string) => void;
}

export class Revocations {
  private readonly users = new Map<string, UserEntry>();
  private prunedAt = 0;
  /** Revocations recorded since start (repeats included). */
  recorded = 0;

  constructor(private readonly options: RevocationsOptions) {}

  get size(): number {
    return this.users.size;
  }

  /** Remembers a revocation (a repeat or an older one changes nothing) and tells onRevoke; false when it had expired already. */
  record(revocation: Revocation, now = nowSeconds()): boolean {
    const expiresAt = revocationExpiresAt(revocation.notBefore);
    if (expiresAt < now) return false;
    this.prune(now);
    let entry = this.users.get(revocation.user);
    if (!entry) {
      if (this.users.size >= this.options.maxUsers) this.evictOne();
      entry = { all: -1, channels: new Map(), expiresAt };
      this.users.set(revocation.user, entry);
    }
    entry.expiresAt = Math.max(entry.expiresAt, expiresAt);
    if (revocation.channels === undefined) {
      entry.all = Math.max(entry.all, revocation.notBefore);
    } else {
      for (const channel of revocation.channels) {
        const previous = entry.channels.get(channel) ?? -1;
        // Re-inserted, so that the Map's order is the order of last change: the bound below drops the stalest.
        entry.channels.delete(channel);
        entry.channels.set(channel, Math.max(previous, revocation.notBefore));
      }
      while (entry.channels.size > MAX_CHANNELS_PER_USER) entry.channels.delete(entry.channels.keys().next().value as string);
    }
    this.recorded++;
    this.options.onRevoke?.(revocation);
    return true;
  }

  /** What a token of `user` issued at `iat` may do now. */
  verdict(user: string, iat: number): RevocationVerdict {
    const entry = this.users.get(user);
    if (!entry) return UNTOUCHED;
    if (iat <= entry.all) return REVOKED;
    let struck: Set<string> | undefined;
    for (const [channel, notBefore] of entry.channels) if (iat <= notBefore) (struck ??= new Set()).add(channel);
    return struck === undefined ? UNTOUCHED : { revoked: false, struck };
  }

  private prune(now: number): void {
    if (now - this.prunedAt < PRUNE_INTERVAL_SECONDS) return;
    this.prunedAt = now;
    for (const [user, entry] of this.users) if (entry.expiresAt < now) this.users.delete(user);
  }

  private evictOne(): void {
    let soonest: string | undefined;
    let at = Number.POSITIVE_INFINITY;
    for (const [user, entry] of this.users) {
      if (entry.expiresAt < at) {
        at = entry.expiresAt;
        soonest = user;
      }
    }
    if (soonest === undefined) return;
    this.users.delete(soonest);
    this.options.onEvict?.(soonest);
  }
}

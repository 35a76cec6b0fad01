/**
 * Presence: who is on a `presence-*` channel, for every kind of client (both socket.io front-ends, later Pusher).
 * One entry per user however many sockets: this relay's sockets are grouped by user id, and the store hears of a user
 * only when their first socket here joins and after their last one leaves. Which users are on a channel across relays
 * is the store's (in memory alone, or Redis): changes come back from it as `added` / `removed`, are applied to this
 * relay's copy of the member list (kept only for channels with sockets here) and told to the sockets here, so a change
 * reaches each socket once whatever relay it happened on. Members are keyed by user id, so that cutting one user off
 * later is one lookup.
 */
import type { Logger } from '../logger.js';
import type { RelayMetrics } from '../metrics.js';
import type { Subscriber } from './subscriber.js';

/** What others see of a member: the token's `sub` and its `info`, nothing else. */
export interface PresenceMember {
  id: string;
  name: string;
  avatar?: string;
}

export type PresenceChange = { op: 'added'; channel: string; member: PresenceMember } | { op: 'removed'; channel: string; id: string };

/** Socket.io event names (and payloads) a presence subscriber receives. */
export const PRESENCE_STATE_EVENT = 'presence_state';
export const MEMBER_ADDED_EVENT = 'member_added';
export const MEMBER_REMOVED_EVENT = 'member_removed';

/** Where the members of every relay meet. Changes it decides come back through `PresenceRoster.apply`. */
export interface PresenceStore {
  /** This relay holds `member` on `channel` now (idempotent). */
  join(channel: string, member: PresenceMember): Promise<void>;
  /** This relay no longer holds user `id` on `channel` (idempotent). */
  leave(channel: string, id: string): Promise<void>;
  /** Every member of the channel, on every relay. */
  members(channel: string): Promise<PresenceMember[]>;
}

interface LocalUser {
  member: PresenceMember;
  sockets: Set<Subscriber>;
}

export interface PresenceLimits {
  /** Users one presence channel holds; a new user past it is refused (`presence_full`). */
  maxPresenceMembers: number;
}

export class PresenceRoster {
  /** channel → user id → this relay's sockets of that user. */
  private readonly local = new Map<string, Map<string, LocalUser>>();
  /** channel → every member on every relay, for channels with sockets here. */
  private readonly lists = new Map<string, Map<string, PresenceMember>>();
  /**
   * Channels whose list is being read, with the changes that came meanwhile: the store's answer and the log's
   * changes travel on different connections, so a change made just after the read may arrive before its answer.
   */
  private readonly loading = new Map<string, { changes: PresenceChange[]; done: Promise<void> }>();

  constructor(
    private store: PresenceStore,
    private readonly limits: PresenceLimits,
    private readonly metrics: RelayMetrics,
    private readonly logger: Logger,
  ) {}

  /** The shared store replaces the in-memory one before any client connects. */
  useStore(store: PresenceStore): void {
    this.store = store;
  }

  /** Every member of the channel on every relay, from the store (the HTTP API). */
  members(channel: string): Promise<PresenceMember[]> {
    return this.store.members(channel);
  }

  /**
   * The channel's list as this relay holds it (every relay's members), or undefined while it is being read or when no
   * socket here is on the channel: what a repeated subscription is answered with.
   */
  known(channel: string): PresenceMember[] | undefined {
    if (this.loading.has(channel)) return undefined;
    const list = this.lists.get(channel);
    return list === undefined ? undefined : [...list.values()];
  }

  /** Users this relay knows on the channel (every relay's, once a socket here joined it). */
  memberCount(channel: string): number {
    return this.lists.get(channel)?.size ?? this.local.get(channel)?.size ?? 0;
  }

  /** Why `userId` may not join `channel` now, or null. The bound is checked against this relay's copy of the list. */
  refusal(channel: string, userId: string): string | null {
    const known = this.lists.get(channel) ?? this.local.get(channel);
    if (known === undefined || known.has(userId) || known.size < this.limits.maxPresenceMembers) return null;
    return `presence channel "${channel}" holds at most ${this.limits.maxPresenceMembers} members`;
  }

  join(subscriber: Subscriber, channel: string, member: PresenceMember): void {
    let users = this.local.get(channel);
    if (!users) this.local.set(channel, (users = new Map()));
    let user = users.get(member.id);
    if (user?.sockets.has(subscriber)) return;
    const first = user === undefined;
    if (!user) users.set(member.id, (user = { member, sockets: new Set() }));
    user.sockets.add(subscriber);
    this.metrics.presenceSockets.inc();
    void this.admit(subscriber, channel, member, first);
  }

  leave(subscriber: Subscriber, channel: string): void {
    const users = this.local.get(channel);
    if (!users) return;
    // Usually found under its current member id at once; a refreshed token may have changed it, hence the scan.
    const likely = subscriber.member === null ? undefined : users.get(subscriber.member.id);
    const candidates: Iterable<[string, LocalUser]> = likely?.sockets.has(subscriber) ? [[likely.member.id, likely]] : users;
    for (const [id, user] of candidates) {
      if (!user.sockets.delete(subscriber)) continue;
      this.metrics.presenceSockets.dec();
      if (user.sockets.size > 0) return;
      users.delete(id);
      this.store.leave(channel, id).catch((error: unknown) => this.storeFailed(error, 'leave'));
      if (users.size === 0) {
        this.local.delete(channel);
        this.lists.delete(channel);
      }
      return;
    }
  }

  /** A change the store decided (on this relay or another): applied to the list, told to the sockets here once. */
  apply(change: PresenceChange): void {
    const pending = this.loading.get(change.channel);
    if (pending) {
      pending.changes.push(change);
      return;
    }
    const list = this.lists.get(change.channel);
    if (!list) return;
    if (change.op === 'added') {
      if (list.has(change.member.id)) return;
      list.set(change.member.id, change.member);
      this.tell(change.channel, change.member.id, MEMBER_ADDED_EVENT, { channel: change.channel, member: change.member });
    } else {
      const member = list.get(change.id);
      if (!member) return;
      list.delete(change.id);
      this.tell(change.channel, change.id, MEMBER_REMOVED_EVENT, { channel: change.channel, member });
    }
    this.metrics.presenceChanges.inc({ op: change.op });
  }

  /** Every (channel, member) this relay holds: what it re-asserts after the store lost it (a Redis restart). */
  *held(): Iterable<[channel: string, member: PresenceMember]> {
    for (const [channel, users] of this.local) for (const user of users.values()) yield [channel, user.member];
  }

  /**
   * Reads each channel's list again and tells the sockets here what changed: after a store outage changes may have
   * been lost (a relay that died while Redis was away never says its members left).
   */
  async reconcile(): Promise<void> {
    for (const channel of [...this.lists.keys()]) {
      const fresh = await this.store.members(channel);
      const list = this.lists.get(channel);
      if (!list) continue;
      const ids = new Set(fresh.map((member) => member.id));
      for (const id of [...list.keys()]) if (!ids.has(id)) this.apply({ op: 'removed', channel, id });
      for (const member of fresh) this.apply({ op: 'added', channel, member });
    }
  }

  private async admit(subscriber: Subscriber, channel: string, member: PresenceMember, first: boolean): Promise<void> {
    if (first) await this.store.join(channel, member).catch((error: unknown) => this.storeFailed(error, 'join'));
    if (!this.lists.has(channel)) await (this.loading.get(channel)?.done ?? this.load(channel));
    const list = this.lists.get(channel);
    // Left (or the channel emptied) while the store answered: nothing to show.
    if (!list || !subscriber.open || !this.local.get(channel)?.get(member.id)?.sockets.has(subscriber)) return;
    // The joiner is on the list it is shown even when the store's `added` is still on its way here.
    const members = list.has(member.id) ? [...list.values()] : [...list.values(), member];
    subscriber.notify(PRESENCE_STATE_EVENT, { channel, members });
  }

  /** Reads the channel's list from the store, then applies what changed while it was read, in order. */
  private load(channel: string): Promise<void> {
    const changes: PresenceChange[] = [];
    const done = this.store
      .members(channel)
      .catch((error: unknown) => {
        this.storeFailed(error, 'members');
        return [...(this.local.get(channel)?.values() ?? [])].map((user) => user.member);
      })
      .then((members) => {
        this.loading.delete(channel);
        // Nobody here reads the channel any more: no list to keep.
        if (!this.local.has(channel)) return;
        this.lists.set(channel, new Map(members.map((m) => [m.id, m])));
        for (const change of changes) this.apply(change);
      });
    this.loading.set(channel, { changes, done });
    return done;
  }

  /** To every socket here on the channel but the member's own. */
  private tell(channel: string, memberId: string, name: string, payload: unknown): void {
    const users = this.local.get(channel);
    if (!users) return;
    for (const [id, user] of users) {
      if (id === memberId) continue;
      for (const socket of user.sockets) if (socket.open) socket.notify(name, payload);
    }
  }

  private storeFailed(error: unknown, what: string): void {
    this.metrics.presenceStoreFailures.inc();
    this.logger.warn({ err: (error as Error).message, what }, 'presence store call failed; re-asserted once the store answers');
  }
}

/** One relay alone: the members are the sockets here, and every change is decided at once. */
export class LocalPresenceStore implements PresenceStore {
  private readonly channels = new Map<string, Map<string, PresenceMember>>();

  constructor(private readonly changed: (change: PresenceChange) => void) {}

  async join(channel: string, member: PresenceMember): Promise<void> {
    let members = this.channels.get(channel);
    if (!members) this.channels.set(channel, (members = new Map()));
    if (members.has(member.id)) return;
    members.set(member.id, member);
    this.changed({ op: 'added', channel, member });
  }

  async leave(channel: string, id: string): Promise<void> {
    const members = this.channels.get(channel);
    if (!members?.delete(id)) return;
    if (members.size === 0) this.channels.delete(channel);
    this.changed({ op: 'removed', channel, id });
  }

  async members(channel: string): Promise<PresenceMember[]> {
    return [...(this.channels.get(channel)?.values() ?? [])];
  }
}

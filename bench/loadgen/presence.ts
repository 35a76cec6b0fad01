/**
 * Presence members of one presence channel, all in this process: lean socket.io clients (websocket only), each with
 * its own user id and a signed token that lists the channel and carries `info`. Each member keeps the set of user
 * ids it sees (presence_state replaces it, member_added / member_removed change it), so "everyone sees everyone" is
 * checked member by member, not inferred from counts.
 */
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { mintToken } from '../../protocol/index.js';
import { summarizeLatencies } from '../stats.js';
import type { PresenceChurnCommand, PresenceChurnResult, PresenceJoinCommand, PresenceJoinResult } from './messages.js';
import { sleep } from './subscribers.js';

interface MemberEvent {
  channel?: unknown;
  member?: { id?: unknown };
}

interface PresenceState {
  channel?: unknown;
  members?: { id?: unknown }[];
}

class Member {
  readonly sees = new Set<string>();
  stateAt: number | null = null;
  added = 0;
  removed = 0;

  constructor(
    readonly user: string,
    readonly socket: Socket,
  ) {}
}

/** Per user id that joined or left during churn: when it happened and how many of the base members heard of it. */
interface Change {
  startedAt: number;
  heard: number;
  completedAt: number | null;
}

export class PresencePool {
  /** The members of the join phase: the N whose deliveries are counted. */
  private base: Member[] = [];
  private readonly joins = new Map<string, Change>();
  private readonly leaves = new Map<string, Change>();
  private closing = false;
  disconnects = 0;

  get size(): number {
    return this.base.length;
  }

  /** Connects `members` members, `concurrency` handshakes at a time, and waits until each one sees all of them. */
  async join(command: PresenceJoinCommand & { secret: string }): Promise<PresenceJoinResult> {
    this.closing = false;
    const started = performance.now();
    const deadline = started + command.timeoutMs;
    const perMember: number[] = [];
    const failures: Record<string, number> = {};
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < command.members && performance.now() < deadline) {
        const index = next++;
        const t0 = performance.now();
        try {
          const member = await this.open(command, `${command.userPrefix}${index}`, deadline - t0);
          this.base.push(member);
          perMember.push((member.stateAt as number) - t0);
        } catch (error) {
          const reason = (error as Error).message || 'unknown';
          failures[reason] = (failures[reason] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(command.concurrency, command.members) }, worker));
    const connectedMs = performance.now() - started;
    const expected = this.base.length;
    // The last member_added may still be on its way to the first members.
    while (this.base.some((m) => m.sees.size < expected) && performance.now() < deadline) await sleep(5);
    const allSeenMs = performance.now() - started;
    const complete = this.base.filter((m) => m.sees.size === expected).length;
    return {
      members: command.members,
      joined: expected,
      failed: command.members - expected,
      failures,
      connectedMs,
      allSeenMs,
      membersSeeingAll: complete,
      perMemberJoin: summarizeLatencies(perMember),
      memberAddedDeliveries: this.base.reduce((sum, m) => sum + m.added, 0),
    };
  }

  /**
   * With the base members present, `extra` more join one every 1/ratePerSec s, then leave at the same pace. Every
   * member_added / member_removed about them that reaches a base member is a delivery; none may be missing.
   */
  async churn(command: PresenceChurnCommand & { secret: string }): Promise<PresenceChurnResult> {
    if (this.base.length === 0) throw new Error('presence-churn: join members first');
    const gapMs = 1000 / command.ratePerSec;
    const extras: Member[] = [];
    const failures: Record<string, number> = {};
    const phase = async (kind: 'join' | 'leave'): Promise<{ durationMs: number; deliveries: number; changes: Map<string, Change> }> => {
      const changes = kind === 'join' ? this.joins : this.leaves;
      changes.clear();
      const before = this.deliveries(kind);
      const started = performance.now();
      const pending: Promise<void>[] = [];
      for (let i = 0; i < command.extra; i++) {
        const due = started + i * gapMs;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const user = `${command.userPrefix}${i}`;
        changes.set(user, { startedAt: performance.now(), heard: 0, completedAt: null });
        if (kind === 'join') {
          pending.push(
            this.open(command, user, command.stallTimeoutMs, false).then(
              (member) => void extras.push(member),
              (error: Error) => void (failures[error.message] = (failures[error.message] ?? 0) + 1),
            ),
          );
        } else {
          const member = extras.find((m) => m.user === user);
          if (member) member.socket.disconnect();
          else changes.delete(user);
        }
      }
      await Promise.all(pending);
      await this.settle(changes, command.stallTimeoutMs);
      const last = Math.max(started, ...[...changes.values()].map((c) => c.completedAt ?? 0));
      return { durationMs: last - started, deliveries: this.deliveries(kind) - before, changes };
    };
    this.closing = false;
    const joined = await phase('join');
    // A leave is told only after the user's last socket left: mark those sockets as closing on purpose.
    const leaving = new Set(extras.map((m) => m.socket));
    this.closingSockets = leaving;
    const left = await phase('leave');
    this.closingSockets = new Set();
    const expectedPerPhase = (changes: Map<string, Change>): number => changes.size * this.base.length;
    const latencies = (changes: Map<string, Change>): number[] => [...changes.values()].flatMap((c) => (c.completedAt === null ? [] : [c.completedAt - c.startedAt]));
    return {
      base: this.base.length,
      extra: command.extra,
      ratePerSec: command.ratePerSec,
      joinFailures: failures,
      joins: { changes: joined.changes.size, deliveries: joined.deliveries, expectedDeliveries: expectedPerPhase(joined.changes), durationMs: joined.durationMs, deliveriesPerSec: (joined.deliveries / joined.durationMs) * 1000, toAll: summarizeLatencies(latencies(joined.changes)) },
      leaves: { changes: left.changes.size, deliveries: left.deliveries, expectedDeliveries: expectedPerPhase(left.changes), durationMs: left.durationMs, deliveriesPerSec: (left.deliveries / left.durationMs) * 1000, toAll: summarizeLatencies(latencies(left.changes)) },
      baseMembersSeeingAll: this.base.filter((m) => m.sees.size === this.base.length).length,
    };
  }

  private closingSockets = new Set<Socket>();

  closeAll(): void {
    this.closing = true;
    for (const member of this.base.splice(0)) member.socket.disconnect();
  }

  private deliveries(kind: 'join' | 'leave'): number {
    return this.base.reduce((sum, m) => sum + (kind === 'join' ? m.added : m.removed), 0);
  }

  /** Waits until every change reached every base member, or nothing new arrived for stallMs. */
  private async settle(changes: Map<string, Change>, stallMs: number): Promise<void> {
    const heard = (): number => [...changes.values()].reduce((sum, c) => sum + c.heard, 0);
    let seen = heard();
    let progressAt = performance.now();
    while ([...changes.values()].some((c) => c.completedAt === null) && performance.now() - progressAt < stallMs) {
      await sleep(10);
      const now = heard();
      if (now !== seen) {
        seen = now;
        progressAt = performance.now();
      }
    }
  }

  private hear(changes: Map<string, Change>, user: string): void {
    const change = changes.get(user);
    if (!change) return;
    change.heard++;
    if (change.heard === this.base.length) change.completedAt = performance.now();
  }

  private open(command: { url: string; secret: string; channel: string }, user: string, timeoutMs: number, isBase = true): Promise<Member> {
    const token = mintToken({ secret: command.secret, user, channels: [command.channel], info: { name: `Bench member ${user}` }, ttl: 3600 });
    return new Promise((resolve, reject) => {
      const socket: Socket = io(command.url, { forceNew: true, reconnection: false, timeout: Math.max(1000, timeoutMs), transports: ['websocket'], auth: { token, channels: [command.channel] } });
      const member = new Member(user, socket);
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error('no presence_state in time'));
      }, Math.max(1000, timeoutMs));
      socket.on('presence_state', (state: PresenceState) => {
        if (state?.channel !== command.channel || !Array.isArray(state.members)) return;
        member.sees.clear();
        for (const m of state.members) if (typeof m.id === 'string') member.sees.add(m.id);
        if (member.stateAt === null) {
          member.stateAt = performance.now();
          clearTimeout(timer);
          resolve(member);
        }
      });
      socket.on('member_added', (event: MemberEvent) => {
        if (event?.channel !== command.channel || typeof event.member?.id !== 'string') return;
        member.sees.add(event.member.id);
        if (!isBase) return;
        member.added++;
        this.hear(this.joins, event.member.id);
      });
      socket.on('member_removed', (event: MemberEvent) => {
        if (event?.channel !== command.channel || typeof event.member?.id !== 'string') return;
        member.sees.delete(event.member.id);
        if (!isBase) return;
        member.removed++;
        this.hear(this.leaves, event.member.id);
      });
      socket.once('connect', () => {
        socket.once('disconnect', () => {
          if (!this.closing && !this.closingSockets.has(socket)) this.disconnects++;
        });
      });
      socket.once('connect_error', (error) => {
        clearTimeout(timer);
        socket.close();
        reject(error);
      });
    });
  }
}

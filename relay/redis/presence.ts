/**
 * Presence across relays (the shared PresenceStore): members per channel in Redis, each held by the relays that have
 * a socket of that user, each relay alive by its heartbeat. Joins and leaves are decided by the scripts in
 * presence-scripts.ts and reach every relay through the shared log (entries with field `p`), like events do, so each
 * relay tells its own sockets once. A relay killed with -9 stops beating; the next relay to beat after the timeout
 * removes its members. After Redis lost its data (a restart) or reaped this relay during an outage, the heartbeat says
 * so, and this relay re-asserts what it holds and then re-reads its lists, dropping what no relay re-asserted.
 */
import { randomUUID } from 'node:crypto';
import type { ChannelDirectory } from '../channels-api.js';
import type { DeliveryCore } from '../core/delivery.js';
import type { DecidedChange } from '../core/occupancy.js';
import type { PresenceChange, PresenceMember, PresenceStore } from '../core/presence.js';
import type { Logger } from '../logger.js';
import type { RelayMetrics } from '../metrics.js';
import type { RedisClient } from './connection.js';
import { PREFIX, redisKeys } from './keys.js';
import { PRESENCE_HEARTBEAT_SCRIPT, PRESENCE_JOIN_SCRIPT, PRESENCE_LEAVE_SCRIPT, PRESENCE_RETIRE_SCRIPT } from './presence-scripts.js';

export interface RedisPresenceDeps {
  commands: RedisClient;
  core: DeliveryCore;
  timeoutSeconds: number;
  logLength: number;
  metrics: RelayMetrics;
  logger: Logger;
  /** Bounds a Redis call (the broker's command timeout). */
  bounded<T>(promise: Promise<T>, what: string): Promise<T>;
  /** What else this relay holds in Redis (occupancy, when tracked): re-asserted with its members. */
  alsoHeld?: () => { readonly needsReassert: boolean; reassert(): Promise<void> } | undefined;
}

/** The changes a presence script decided (members removed, channels vacated), from its JSON reply. */
function decisionsOf(json: unknown): DecidedChange[] {
  if (typeof json !== 'string') return [];
  const list = JSON.parse(json) as unknown;
  return Array.isArray(list) ? (list as DecidedChange[]) : [];
}

/** A presence change as the shared log carries it, or null when the entry is not one. */
export function parsePresenceChange(json: string): PresenceChange | null {
  const value = JSON.parse(json) as Partial<PresenceChange> & { member?: PresenceMember; id?: string };
  if (typeof value.channel !== 'string') return null;
  if (value.op === 'added' && typeof value.member?.id === 'string') return { op: 'added', channel: value.channel, member: value.member };
  if (value.op === 'removed' && typeof value.id === 'string') return { op: 'removed', channel: value.channel, id: value.id };
  return null;
}

export class RedisPresence implements PresenceStore, ChannelDirectory {
  /** This process's id among the relays: a restarted relay is a new one (its predecessor is reaped). */
  readonly relayId = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  /** A join or leave failed while Redis was away: the next heartbeat that succeeds re-asserts. */
  private lost = false;
  private beating = false;

  constructor(private readonly deps: RedisPresenceDeps) {}

  private get intervalMs(): number {
    return Math.max(500, Math.floor((this.deps.timeoutSeconds * 1000) / 3));
  }

  start(): void {
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
    void this.beat();
  }

  async join(channel: string, member: PresenceMember): Promise<void> {
    try {
      const added: PresenceChange = { op: 'added', channel, member };
      const reply = await this.run(PRESENCE_JOIN_SCRIPT, [this.relayId, channel, member.id, JSON.stringify(member), String(this.deps.logLength), JSON.stringify(added)], 'a presence join');
      // 2: this relay appended the user's arrival to the log, so it alone reports it.
      if (Number(reply) === 2) this.deps.core.decided(added);
    } catch (error) {
      this.lost = true;
      throw error;
    }
  }

  async leave(channel: string, id: string): Promise<void> {
    try {
      this.report(await this.run(PRESENCE_LEAVE_SCRIPT, [this.relayId, channel, id, String(this.deps.logLength)], 'a presence leave'));
    } catch (error) {
      this.lost = true;
      throw error;
    }
  }

  async members(channel: string): Promise<PresenceMember[]> {
    const all = await this.deps.bounded(this.deps.commands.hGetAll(redisKeys.presenceMembers(channel)), 'a presence read');
    return Object.values(all).map((json) => JSON.parse(json) as PresenceMember);
  }

  /** Subscribers per channel on every live relay: this relay's now, the others' as of their last heartbeat. */
  async occupied(): Promise<ReadonlyMap<string, number>> {
    const { commands, bounded, core } = this.deps;
    const relays = (await bounded(commands.zRange(redisKeys.presenceRelays, 0, -1), 'a channel list')).filter((relay) => relay !== this.relayId);
    const totals = new Map(core.occupied());
    const snapshots = await bounded(Promise.all(relays.map((relay) => commands.hGetAll(redisKeys.occupancy(relay)))), 'a channel list');
    for (const snapshot of snapshots) {
      for (const [channel, count] of Object.entries(snapshot)) totals.set(channel, (totals.get(channel) ?? 0) + Number(count));
    }
    return totals;
  }

  /** On a graceful stop: lets go of every member at once, so the others need not wait for the timeout. */
  async retire(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.reconcileTimer);
    this.report(await this.run(PRESENCE_RETIRE_SCRIPT, [this.relayId, String(this.deps.logLength)], 'a presence retirement'));
  }

  private report(decisions: unknown): void {
    for (const change of decisionsOf(decisions)) this.deps.core.decided(change);
  }

  private run(script: string, args: string[], what: string): Promise<unknown> {
    return this.deps.bounded(this.deps.commands.eval(script, { arguments: [PREFIX, ...args] }), what);
  }

  private async beat(): Promise<void> {
    if (this.beating || !this.deps.commands.isReady) return;
    this.beating = true;
    try {
      const [unknown, reaped] = (await this.run(PRESENCE_HEARTBEAT_SCRIPT, [this.relayId, String(this.deps.timeoutSeconds * 1000), String(this.deps.logLength)], 'a heartbeat')) as [number, string];
      // The members and channels of relays this heartbeat reaped: this relay decided their end, so it reports it.
      this.report(reaped);
      await this.writeOccupancy();
      if (Number(unknown) === 1 || this.lost || this.deps.alsoHeld?.()?.needsReassert) await this.reassert();
    } catch (error) {
      this.deps.logger.debug({ err: (error as Error).message }, 'presence heartbeat failed');
    } finally {
      this.beating = false;
    }
  }

  private async writeOccupancy(): Promise<void> {
    const key = redisKeys.occupancy(this.relayId);
    const counts = this.deps.core.occupied();
    const multi = this.deps.commands.multi().del(key);
    if (counts.size > 0) multi.hSet(key, Object.fromEntries([...counts].map(([channel, count]) => [channel, String(count)])));
    await this.deps.bounded(multi.pExpire(key, this.deps.timeoutSeconds * 1000).exec(), 'an occupancy write');
  }

  /**
   * Makes Redis hold exactly what this relay holds, then (after the presence timeout, so that every live relay had
   * time to reconnect and re-assert too, and no live member flaps) re-reads the lists its sockets see.
   */
  private async reassert(): Promise<void> {
    this.lost = false;
    const held = new Map<string, PresenceMember>();
    for (const [channel, member] of this.deps.core.presence.held()) held.set(`${channel}\n${member.id}`, member);
    const owned = await this.deps.bounded(this.deps.commands.sMembers(redisKeys.presenceOwned(this.relayId)), 'a presence read');
    try {
      for (const entry of owned) {
        if (held.has(entry)) continue;
        const cut = entry.indexOf('\n');
        await this.leave(entry.slice(0, cut), entry.slice(cut + 1));
      }
      for (const [entry, member] of held) await this.join(entry.slice(0, entry.indexOf('\n')), member);
      await this.deps.alsoHeld?.()?.reassert();
    } catch (error) {
      this.lost = true;
      throw error;
    }
    if (held.size > 0) this.deps.logger.info({ members: held.size }, 'presence re-asserted in redis');
    clearTimeout(this.reconcileTimer);
    this.reconcileTimer = setTimeout(() => {
      this.deps.core.presence.reconcile().catch((error: unknown) => {
        this.lost = true;
        this.deps.logger.warn({ err: (error as Error).message }, 'presence re-read failed; retried after the next heartbeat');
      });
    }, this.deps.timeoutSeconds * 1000);
    this.reconcileTimer.unref();
  }
}

/**
 * Occupancy across relays sharing Redis (the OccupancyStore of relay/core/occupancy.ts): this relay's first and last
 * subscriber of a channel run a script that decides, atomically, whether the channel went from no relay to one
 * (occupied) or from one to none (vacated); only the relay whose script decided it reports it. Scripts are issued in
 * the order the registry saw the changes, on one connection, so a quick leave-and-join stays in order.
 */
import type { DeliveryCore } from '../core/delivery.js';
import type { OccupancyStore } from '../core/occupancy.js';
import type { Logger } from '../logger.js';
import type { RedisClient } from './connection.js';
import { PREFIX, redisKeys } from './keys.js';
import { OCCUPY_SCRIPT, VACATE_SCRIPT } from './occupancy-scripts.js';

export interface RedisOccupancyDeps {
  commands: RedisClient;
  core: DeliveryCore;
  relayId: string;
  logger: Logger;
  bounded<T>(promise: Promise<T>, what: string): Promise<T>;
}

export class RedisOccupancy implements OccupancyStore {
  /** A claim or release failed (Redis away): the next heartbeat that succeeds makes Redis match this relay again. */
  private lost = false;

  constructor(private readonly deps: RedisOccupancyDeps) {}

  get needsReassert(): boolean {
    return this.lost;
  }

  firstHere(channel: string): void {
    this.run(OCCUPY_SCRIPT, channel, 'occupied');
  }

  lastHereLeft(channel: string): void {
    this.run(VACATE_SCRIPT, channel, 'vacated');
  }

  /**
   * Makes Redis hold exactly the channels this relay has subscribers of, after Redis lost its state (a restart, it
   * reaped this relay while it was away) or a claim or release failed: releases what it no longer has (reported
   * vacated where it was the last), claims what it has (reported occupied where no relay held it: what a site told
   * of a vacancy by the reaper needs to hear).
   */
  async reassert(): Promise<void> {
    this.lost = false;
    const { commands, core, relayId, bounded } = this.deps;
    try {
      const here = core.occupied();
      for (const channel of await bounded(commands.sMembers(redisKeys.occupying(relayId)), 'an occupancy read')) {
        if (!here.has(channel)) await this.decide(VACATE_SCRIPT, channel, 'vacated');
      }
      for (const channel of here.keys()) await this.decide(OCCUPY_SCRIPT, channel, 'occupied');
    } catch (error) {
      this.lost = true;
      throw error;
    }
  }

  private run(script: string, channel: string, op: 'occupied' | 'vacated'): void {
    this.decide(script, channel, op).catch((error: unknown) => {
      this.lost = true;
      this.deps.logger.debug({ err: (error as Error).message, channel, op }, 'occupancy not recorded in redis; re-asserted once redis answers');
    });
  }

  private async decide(script: string, channel: string, op: 'occupied' | 'vacated'): Promise<void> {
    const reply = await this.deps.bounded(this.deps.commands.eval(script, { arguments: [PREFIX, this.deps.relayId, channel] }), `an occupancy ${op === 'occupied' ? 'claim' : 'release'}`);
    if (Number(reply) === 1) this.deps.core.decided({ op, channel });
  }
}

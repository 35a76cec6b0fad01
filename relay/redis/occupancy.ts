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
import { PREFIX } from './keys.js';
import { OCCUPY_SCRIPT, VACATE_SCRIPT } from './occupancy-scripts.js';

export interface RedisOccupancyDeps {
  commands: RedisClient;
  core: DeliveryCore;
  relayId: string;
  logger: Logger;
  bounded<T>(promise: Promise<T>, what: string): Promise<T>;
}

export class RedisOccupancy implements OccupancyStore {
  constructor(private readonly deps: RedisOccupancyDeps) {}

  firstHere(channel: string): void {
    this.run(OCCUPY_SCRIPT, channel, 'occupied');
  }

  lastHereLeft(channel: string): void {
    this.run(VACATE_SCRIPT, channel, 'vacated');
  }

  /**
   * After Redis lost this relay's state (a restart, or it was reaped while away): claims every channel it has
   * subscribers of again. A channel no other relay claimed yet is reported occupied again, which is what a site that
   * was told it was vacated (by the reaper) needs to hear.
   */
  async reassert(): Promise<void> {
    for (const channel of this.deps.core.occupied().keys()) await this.decide(OCCUPY_SCRIPT, channel, 'occupied');
  }

  private run(script: string, channel: string, op: 'occupied' | 'vacated'): void {
    this.decide(script, channel, op).catch((error: unknown) =>
      this.deps.logger.warn({ err: (error as Error).message, channel, op }, 'occupancy not recorded in redis: the webhook for it is not sent'),
    );
  }

  private async decide(script: string, channel: string, op: 'occupied' | 'vacated'): Promise<void> {
    const reply = await this.deps.bounded(this.deps.commands.eval(script, { arguments: [PREFIX, this.deps.relayId, channel] }), `an occupancy ${op === 'occupied' ? 'claim' : 'release'}`);
    if (Number(reply) === 1) this.deps.core.decided({ op, channel });
  }
}

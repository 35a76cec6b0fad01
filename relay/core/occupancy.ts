/**
 * Occupancy: whether a channel has at least one subscriber anywhere (on any relay). This relay's registry says when a
 * channel gains its first subscriber here and loses its last one here; the occupancy store turns that into the
 * cluster-wide change, decided once: alone, the relay decides at once; with Redis, a script decides atomically
 * (relay/redis/occupancy.ts). Tracked only when something listens (webhooks), so a relay without --webhook-url pays
 * nothing for it.
 */
import type { PresenceChange } from './presence.js';

export type OccupancyChange = { op: 'occupied' | 'vacated'; channel: string };

/** A change decided once cluster-wide, told only to the relay that decided it (which reports it). */
export type DecidedChange = PresenceChange | OccupancyChange;

export interface OccupancyStore {
  /** The channel gained its first subscriber on this relay. */
  firstHere(channel: string): void;
  /** The channel lost its last subscriber on this relay. */
  lastHereLeft(channel: string): void;
}

/** One relay alone: the first subscriber here is the first anywhere. */
export class LocalOccupancy implements OccupancyStore {
  constructor(private readonly decided: (change: OccupancyChange) => void) {}

  firstHere(channel: string): void {
    this.decided({ op: 'occupied', channel });
  }

  lastHereLeft(channel: string): void {
    this.decided({ op: 'vacated', channel });
  }
}

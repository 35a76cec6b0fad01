/** Which subscribers read which channel: the one subscription registry of the relay, for every kind of client. */
import type { Subscriber } from './subscriber.js';

export class SubscriptionRegistry {
  private readonly members = new Map<string, Set<Subscriber>>();

  /** Returns the channels that had no subscriber here before (occupancy). */
  add(subscriber: Subscriber, channels: readonly string[]): string[] {
    const opened: string[] = [];
    for (const channel of channels) {
      let set = this.members.get(channel);
      if (!set) {
        this.members.set(channel, (set = new Set()));
        opened.push(channel);
      }
      set.add(subscriber);
    }
    return opened;
  }

  /** Returns the channels that have no subscriber here any more (occupancy). */
  remove(subscriber: Subscriber, channels: readonly string[]): string[] {
    const emptied: string[] = [];
    for (const channel of channels) {
      const set = this.members.get(channel);
      if (!set) continue;
      set.delete(subscriber);
      if (set.size === 0) {
        this.members.delete(channel);
        emptied.push(channel);
      }
    }
    return emptied;
  }

  of(channel: string): ReadonlySet<Subscriber> | undefined {
    return this.members.get(channel);
  }

  counts(): ReadonlyMap<string, number> {
    const counts = new Map<string, number>();
    for (const [channel, set] of this.members) counts.set(channel, set.size);
    return counts;
  }

  count(channel: string): number {
    return this.members.get(channel)?.size ?? 0;
  }
}

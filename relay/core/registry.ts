/** Which subscribers read which channel: the one subscription registry of the relay, for every kind of client. */
import type { Subscriber } from './subscriber.js';

export class SubscriptionRegistry {
  private readonly members = new Map<string, Set<Subscriber>>();

  add(subscriber: Subscriber, channels: readonly string[]): void {
    for (const channel of channels) {
      let set = this.members.get(channel);
      if (!set) this.members.set(channel, (set = new Set()));
      set.add(subscriber);
    }
  }

  remove(subscriber: Subscriber, channels: readonly string[]): void {
    for (const channel of channels) {
      const set = this.members.get(channel);
      if (!set) continue;
      set.delete(subscriber);
      if (set.size === 0) this.members.delete(channel);
    }
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

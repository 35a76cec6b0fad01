/**
 * Which lean clients read which channel: the rooms of the lean connections, kept apart from socket.io's adapter so
 * that a client costs one Set entry per channel and nothing else.
 */
import type { BroadcastTarget } from '../fast-path.js';
import type { LeanClient } from './client.js';

export class LeanChannels {
  private readonly members = new Map<string, Set<LeanClient>>();

  join(client: LeanClient, channels: readonly string[]): void {
    for (const channel of channels) {
      let set = this.members.get(channel);
      if (!set) this.members.set(channel, (set = new Set()));
      set.add(client);
    }
  }

  leave(client: LeanClient, channel: string): void {
    const set = this.members.get(channel);
    if (!set) return;
    set.delete(client);
    if (set.size === 0) this.members.delete(channel);
  }

  leaveAll(client: LeanClient, channels: readonly string[]): void {
    for (const channel of channels) this.leave(client, channel);
  }

  count(channel: string): number {
    return this.members.get(channel)?.size ?? 0;
  }

  /** Calls visit once per client the broadcast reaches: members of its rooms (everyone when none), minus `except`. */
  forEachRecipient(target: BroadcastTarget, everyone: Iterable<LeanClient>, visit: (client: LeanClient) => void): void {
    const excluded = this.excluded(target.except);
    const rooms = target.rooms;
    if (rooms.size === 0) {
      for (const client of everyone) if (client.session !== null && !excluded?.has(client)) visit(client);
      return;
    }
    // One room (every relay event): its members are already unique.
    const seen = rooms.size > 1 ? new Set<LeanClient>() : undefined;
    for (const room of rooms) {
      const set = this.members.get(room);
      if (!set) continue;
      for (const client of set) {
        if (excluded?.has(client) || seen?.has(client)) continue;
        seen?.add(client);
        visit(client);
      }
    }
  }

  private excluded(except: ReadonlySet<string> | undefined): Set<LeanClient> | undefined {
    if (!except || except.size === 0) return undefined;
    const out = new Set<LeanClient>();
    for (const room of except) for (const client of this.members.get(room) ?? []) out.add(client);
    return out;
  }
}

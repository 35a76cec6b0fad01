/**
 * Per-channel history for replay and idempotency. Every accepted event gets a relay-wide sequence number, so a
 * client's lastEventId marks one point in time across all the channels it reads.
 */
import type { EventEnvelope } from '../protocol/index.js';

interface Entry {
  seq: number;
  envelope: EventEnvelope;
  /** The envelope's JSON length, measured the first time a replay needs it. */
  bytes?: number;
}

interface ChannelLog {
  entries: Entry[];
  /** Highest sequence number this channel has dropped; a replay from before it is incomplete. */
  evictedThrough: number;
}

export interface ReplayResult {
  /**
   * False when lastEventId is no longer (or never was) in history, or is an event of a channel the client does not
   * read: a private id looks exactly like an unknown one. The client must reload.
   */
  found: boolean;
  /** False when a channel dropped events newer than lastEventId: the client missed some. */
  complete: boolean;
  events: EventEnvelope[];
  /** True when the missed events were more than the replay budget: none are returned, the client must reload. */
  overBudget?: boolean;
}

/**
 * Signed requests remembered past the history window, so that one replayed within its signature's validity is a
 * duplicate even after a busy channel (or `--history 0`) dropped its events. One small entry per request, bounded:
 * past the bound the oldest is forgotten first (a replay of that one request would then count on history alone).
 */
export const MAX_REMEMBERED_REQUESTS = 250_000;
/** What a replay answers when it must not say more than "reload". */
export const NOT_FOUND: ReplayResult = Object.freeze({ found: false, complete: false, events: [] as EventEnvelope[] });

export class EventHistory {
  /** Signed-request digest → unix second after which its signature no longer verifies; oldest first. */
  private readonly signedRequests = new Map<string, number>();

  private seq = 0;
  private readonly channels = new Map<string, ChannelLog>();
  private readonly byId = new Map<string, Entry>();
  /** Highest sequence number of any channel whose whole log was dropped to stay under maxChannels. */
  private droppedChannelsThrough = 0;

  constructor(
    private readonly perChannel: number,
    private readonly maxChannels: number,
  ) {}

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** True while a request with this digest was accepted and its signature could still verify. */
  hasSignedRequest(digest: string, nowSeconds: number): boolean {
    const until = this.signedRequests.get(digest);
    return until !== undefined && until >= nowSeconds;
  }

  rememberSignedRequest(digest: string, untilSeconds: number, nowSeconds: number): void {
    // Entries are added in arrival order and all live about as long, so the expired ones are at the front.
    for (const [oldest, until] of this.signedRequests) {
      if (until >= nowSeconds && this.signedRequests.size < MAX_REMEMBERED_REQUESTS) break;
      this.signedRequests.delete(oldest);
    }
    this.signedRequests.set(digest, untilSeconds);
  }

  get size(): number {
    return this.byId.size;
  }

  add(envelope: EventEnvelope): void {
    const entry: Entry = { seq: ++this.seq, envelope };
    if (this.perChannel === 0) return;
    const log = this.touch(envelope.channel);
    log.entries.push(entry);
    this.byId.set(envelope.id, entry);
    if (log.entries.length > this.perChannel) {
      const dropped = log.entries.shift() as Entry;
      log.evictedThrough = dropped.seq;
      this.byId.delete(dropped.envelope.id);
    }
  }

  /** Events after lastEventId on the given channels, oldest first, unless they pass maxBytes of JSON. */
  since(lastEventId: string, channels: Iterable<string>, maxBytes = Infinity): ReplayResult {
    const last = this.byId.get(lastEventId);
    const read = [...channels];
    if (!last || !read.includes(last.envelope.channel)) return { ...NOT_FOUND, events: [] };
    let complete = true;
    let bytes = 0;
    const found: Entry[] = [];
    for (const channel of read) {
      const log = this.channels.get(channel);
      if (!log) {
        if (this.droppedChannelsThrough > last.seq) complete = false;
        continue;
      }
      if (log.evictedThrough > last.seq) complete = false;
      for (let i = log.entries.length - 1; i >= 0 && (log.entries[i] as Entry).seq > last.seq; i--) {
        const entry = log.entries[i] as Entry;
        bytes += entry.bytes ??= JSON.stringify(entry.envelope).length;
        if (bytes > maxBytes) return { found: true, complete: false, events: [], overBudget: true };
        found.push(entry);
      }
    }
    found.sort((a, b) => a.seq - b.seq);
    return { found: true, complete, events: found.map((entry) => entry.envelope) };
  }

  /** Moves the channel to the most-recently-used end, creating it and dropping the coldest one if needed. */
  private touch(channel: string): ChannelLog {
    let log = this.channels.get(channel);
    if (log) {
      this.channels.delete(channel);
    } else {
      log = { entries: [], evictedThrough: 0 };
      if (this.channels.size >= this.maxChannels) this.dropColdestChannel();
    }
    this.channels.set(channel, log);
    return log;
  }

  private dropColdestChannel(): void {
    const [name, log] = this.channels.entries().next().value as [string, ChannelLog];
    this.channels.delete(name);
    for (const entry of log.entries) this.byId.delete(entry.envelope.id);
    const newest = log.entries.at(-1);
    if (newest) this.droppedChannelsThrough = Math.max(this.droppedChannelsThrough, newest.seq);
  }
}

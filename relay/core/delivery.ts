/**
 * The delivery core: every live event, from this relay's ingest or from the shared log, reaches every client here,
 * whatever its protocol. Each event is encoded once per wire format; each subscriber gets one write per event-loop
 * turn holding all of that turn's events for it, in order (subscribers that get the same events share one batch, so
 * a format that joins frames joins them once). The slow-consumer bound, the replay hold and the de-duplication of
 * replayed ids live here and nowhere else.
 */
import type { EventEnvelope } from '../../protocol/index.js';
import type { ClientEvent } from '../client-events.js';
import type { Logger } from '../logger.js';
import type { RelayMetrics } from '../metrics.js';
import { type Missed, ReplayedFilter } from '../replay.js';
import { isPresenceChannel } from '../../protocol/index.js';
import type { DecidedChange, OccupancyStore } from './occupancy.js';
import { LocalPresenceStore, type PresenceLimits, type PresenceMember, PresenceRoster } from './presence.js';
import { SubscriptionRegistry } from './registry.js';
import type { Batch, OutgoingEvent, Subscriber, WireFormat } from './subscriber.js';

/** A replaying client that falls further behind than this is cut rather than buffered without bound. */
export const MAX_HELD_PER_SUBSCRIBER = 10_000;

export interface DeliveryLimits {
  /** A subscriber whose unflushed output passes either bound when a new turn's events reach it is cut. */
  maxClientBufferBytes: number;
  maxClientBufferPackets: number;
}

/** The server's order to close every connection signed in as `user` of Pusher app `app`, on every relay. */
export interface UserTermination {
  app: string;
  user: string;
}

interface SharedBatch extends Batch {
  shared: true;
}

export class DeliveryCore {
  private readonly registry = new SubscriptionRegistry();
  /** Subscribers with a batch due at the end of this turn, each once. */
  private dirty: Subscriber[] = [];
  /** This turn's shared batch per channel and format. */
  private readonly turn = new Map<string, Map<WireFormat, SharedBatch>>();
  private scheduled = false;
  /** Frames written since start, by format name (the broadcast_frames metric). */
  readonly framesByFormat = new Map<string, number>();
  private readonly flushTurn = (): void => this.flush();
  private readonly terminationListeners: ((termination: UserTermination) => void)[] = [];
  /** Who is on each presence channel; in memory until the Redis broker hands it the shared store. */
  readonly presence: PresenceRoster;
  /** Where this relay's first/last subscriber of a channel is told; none unless something reports occupancy. */
  private occupancy: OccupancyStore | null = null;
  /** Told each presence or occupancy change this relay decided (once cluster-wide); none unless webhooks listen. */
  private decisions: ((change: DecidedChange) => void) | null = null;

  constructor(
    private readonly limits: DeliveryLimits & PresenceLimits,
    private readonly metrics: RelayMetrics,
    private readonly logger: Logger,
  ) {
    this.presence = new PresenceRoster(
      new LocalPresenceStore((change) => {
        this.presence.apply(change);
        this.decided(change);
      }),
      limits,
      metrics,
      logger,
    );
  }

  /** Reports occupancy (the first and last subscriber here) to `store`; set before any client connects. */
  trackOccupancy(store: OccupancyStore): void {
    this.occupancy = store;
  }

  get tracksOccupancy(): boolean {
    return this.occupancy !== null;
  }

  /** `sink` hears every change this relay decided (webhooks); set before any client connects. */
  onDecided(sink: (change: DecidedChange) => void): void {
    this.decisions = sink;
  }

  /** A presence or occupancy change this relay's store decided: told to the sink once, on this relay only. */
  decided(change: DecidedChange): void {
    this.decisions?.(change);
  }

  /**
   * Why the subscriber may not join these channels now (a presence channel full), or null. Checked by the session
   * before subscribe(), so that a refusal is an answer to the client rather than a silent half-join.
   */
  refusal(member: PresenceMember | null, channels: readonly string[], subscriber?: Subscriber): string | null {
    if (member === null) return null;
    for (const channel of channels) {
      if (!isPresenceChannel(channel) || (subscriber !== undefined && this.registry.of(channel)?.has(subscriber))) continue;
      const refused = this.presence.refusal(channel, member.id);
      if (refused !== null) return refused;
    }
    return null;
  }

  /**
   * `member` is who the subscriber is on these presence channels: its token's member for socket.io clients; a Pusher
   * client names it per subscription (its signed channel_data), hence the parameter.
   */
  subscribe(subscriber: Subscriber, channels: readonly string[], member: PresenceMember | null = subscriber.member): void {
    const opened = this.registry.add(subscriber, channels);
    if (this.occupancy) for (const channel of opened) this.occupancy.firstHere(channel);
    if (member === null) return;
    for (const channel of channels) if (isPresenceChannel(channel)) this.presence.join(subscriber, channel, member);
  }

  unsubscribe(subscriber: Subscriber, channels: readonly string[]): void {
    // A shared batch would go on taking this turn's later events of the channel it leaves.
    if (subscriber.batch !== null) this.ownBatch(subscriber);
    this.leaveChannels(subscriber, channels);
  }

  /** A closed client: out of every channel, nothing held. */
  remove(subscriber: Subscriber, channels: readonly string[]): void {
    this.leaveChannels(subscriber, channels);
    subscriber.held = null;
    subscriber.batch = null;
  }

  audience(channel: string): number {
    return this.registry.count(channel);
  }

  /** A client event to every subscriber of its channel here but the sending socket; no batch, no history. */
  deliverClientEvent(event: ClientEvent): void {
    const members = this.registry.of(event.channel);
    if (!members) return;
    const payload = { channel: event.channel, data: event.data, from: event.from };
    for (const subscriber of members) if (subscriber.open && subscriber.id !== event.origin) subscriber.notify(event.name, payload);
  }

  /** Front-ends that close a user's connections; the broker hands every relay's terminations here. */
  onTermination(listener: (termination: UserTermination) => void): void {
    this.terminationListeners.push(listener);
  }

  terminateUser(termination: UserTermination): void {
    for (const listener of this.terminationListeners) listener(termination);
  }

  /** Channels with at least one subscriber here, with how many (GET /v1/channels). */
  occupied(): ReadonlyMap<string, number> {
    return this.registry.counts();
  }

  /** Presence first (member_removed), then occupancy (channel_vacated): the order a site expects them in. */
  private leaveChannels(subscriber: Subscriber, channels: readonly string[]): void {
    const emptied = this.registry.remove(subscriber, channels);
    this.leavePresence(subscriber, channels);
    if (this.occupancy) for (const channel of emptied) this.occupancy.lastHereLeft(channel);
  }

  /** Not keyed on subscriber.member: a refreshed token may carry other info (or none) than the one it joined with. */
  private leavePresence(subscriber: Subscriber, channels: readonly string[]): void {
    for (const channel of channels) if (isPresenceChannel(channel)) this.presence.leave(subscriber, channel);
  }

  /** One accepted event to every subscriber of its channel (but the socket `except` names), at the end of this turn. */
  publish(envelope: EventEnvelope, except?: string): void {
    const members = this.registry.of(envelope.channel);
    if (!members) return;
    const event: OutgoingEvent = { envelope, encoded: new Map() };
    // This event's frame in the channel's shared batch, per format, pushed once.
    let local: Map<WireFormat, SharedBatch> | undefined;
    for (const subscriber of members) {
      if (!subscriber.open || (except !== undefined && subscriber.socketId === except)) continue;
      if (subscriber.held !== null) {
        this.hold(subscriber, event);
        continue;
      }
      if (subscriber.replayed !== null) {
        if (subscriber.replayed.repeats(envelope.id)) continue;
        subscriber.replayed = null;
      }
      let shared = local?.get(subscriber.format);
      if (!shared) {
        const frame = this.encode(event, subscriber.format);
        if (frame === undefined) return;
        shared = this.channelBatch(envelope.channel, subscriber.format);
        shared.frames.push(frame);
        (local ??= new Map()).set(subscriber.format, shared);
      }
      this.enqueue(subscriber, event, shared);
    }
  }

  /**
   * Subscribes a reconnecting client and holds its live events while `read` gets what it missed; `send` writes that,
   * then the held events follow without the ids already sent, and so do late live copies of them (with Redis an
   * event can be in history when it is read and still on its way through the log).
   */
  async replayThenLive(subscriber: Subscriber, channels: readonly string[], read: () => Promise<Missed>, send: (missed: Missed) => void): Promise<void> {
    subscriber.held = [];
    this.subscribe(subscriber, channels);
    let missed: Missed;
    try {
      missed = await read();
    } catch (error) {
      subscriber.held = null;
      throw error;
    }
    if (!subscriber.open) return;
    send(missed);
    const held = subscriber.held ?? [];
    subscriber.held = null;
    const filter = new ReplayedFilter(new Set(missed.events.map((envelope) => envelope.id)));
    for (const event of held) if (!filter.repeats(event.envelope.id)) this.enqueue(subscriber, event, undefined);
    subscriber.replayed = filter.active ? filter : null;
  }

  /** Writes what is due now (before the relay closes its clients, so that accepted events go out first). */
  flush(): void {
    this.scheduled = false;
    const dirty = this.dirty;
    this.dirty = [];
    this.turn.clear();
    let copies = 0;
    // Frames per format, counted per turn rather than per subscriber.
    const byFormat = new Map<WireFormat, number>();
    for (const subscriber of dirty) {
      const batch = subscriber.batch;
      subscriber.batch = null;
      if (!batch || !subscriber.open) continue;
      const { format, frames } = batch;
      const joined = format.join === undefined ? undefined : frames.length === 1 ? frames[0] : (batch.joined ??= format.join(frames));
      subscriber.write(frames, joined);
      copies += frames.length;
      byFormat.set(format, (byFormat.get(format) ?? 0) + frames.length);
    }
    for (const [format, frames] of byFormat) this.framesByFormat.set(format.name, (this.framesByFormat.get(format.name) ?? 0) + frames);
    if (copies > 0) this.metrics.deliveries.inc(copies);
  }

  private hold(subscriber: Subscriber, event: OutgoingEvent): void {
    const held = subscriber.held as OutgoingEvent[];
    if (held.length < MAX_HELD_PER_SUBSCRIBER) held.push(event);
    else this.cutSlow(subscriber);
  }

  /** Adds the event to the subscriber's batch of this turn (`shared` already holds it, when given). */
  private enqueue(subscriber: Subscriber, event: OutgoingEvent, shared: SharedBatch | undefined): void {
    if (subscriber.batch === null) {
      // Checked once per turn, before this turn's writes: what earlier turns left unflushed.
      if (subscriber.pendingBytes() > this.limits.maxClientBufferBytes || subscriber.pendingPackets() > this.limits.maxClientBufferPackets) {
        return this.cutSlow(subscriber);
      }
      this.dirty.push(subscriber);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flushTurn);
      }
      // The shared batch fits only a subscriber that gets every event of it, i.e. joined it at its first event.
      if (shared && shared.frames.length === 1) {
        subscriber.batch = shared;
        return;
      }
    }
    if (subscriber.batch === shared) return;
    const frame = this.encode(event, subscriber.format);
    if (frame === undefined) return;
    this.ownBatch(subscriber).frames.push(frame);
  }

  /**
   * The subscriber's batch as its own (a copy of the shared one it had): it is about to differ from it. Called only
   * for a subscriber already due this turn (in `dirty`) or that enqueue() just added there.
   */
  private ownBatch(subscriber: Subscriber): Batch {
    const batch = subscriber.batch;
    if (batch === null) return (subscriber.batch = { format: subscriber.format, frames: [] });
    if (!('shared' in batch)) return batch;
    return (subscriber.batch = { format: batch.format, frames: [...batch.frames] });
  }

  private channelBatch(channel: string, format: WireFormat): SharedBatch {
    let byFormat = this.turn.get(channel);
    if (!byFormat) this.turn.set(channel, (byFormat = new Map()));
    let batch = byFormat.get(format);
    if (!batch) byFormat.set(format, (batch = { format, frames: [], shared: true }));
    return batch;
  }

  private encode(event: OutgoingEvent, format: WireFormat): unknown {
    let frame = event.encoded.get(format);
    if (frame !== undefined) return frame;
    try {
      frame = format.encode(event.envelope);
    } catch (error) {
      // Ingest checked that the event encodes: a failure here is the relay's bug, and costs this event only.
      this.metrics.encodeFailures.inc({ path: 'broadcast' });
      this.logger.error({ err: error, id: event.envelope.id }, 'broadcast failed');
      return undefined;
    }
    event.encoded.set(format, frame);
    return frame;
  }

  private cutSlow(subscriber: Subscriber): void {
    this.metrics.rejections.inc({ reason: 'slow_consumer' });
    this.logger.warn({ pendingBytes: subscriber.pendingBytes(), pendingPackets: subscriber.pendingPackets() }, 'slow consumer disconnected');
    subscriber.held = null;
    subscriber.cut();
  }
}

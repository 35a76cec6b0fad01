/**
 * What the delivery core needs from a client, whatever protocol it speaks: how an event looks on its wire, how to
 * hand it a turn's frames, what it has not flushed yet, and how to cut it. A front-end (socket.io over `ws`,
 * engine.io's polling/upgrade, later Pusher) implements this; the core owns the fields marked "core's".
 */
import type { EventEnvelope } from '../../protocol/index.js';
import type { ReplayedFilter } from '../replay.js';
import type { PresenceMember } from './presence.js';

/** One encoding of events: computed once per event for every subscriber of that format. */
export interface WireFormat<F = unknown> {
  readonly name: string;
  encode(envelope: EventEnvelope): F;
  /** When a format's frames can go out as one write, joins a turn's frames (computed once per shared batch). */
  join?(frames: readonly F[]): F;
}

/** An accepted event on its way out, with its encodings cached per format. */
export interface OutgoingEvent {
  readonly envelope: EventEnvelope;
  readonly encoded: Map<WireFormat, unknown>;
}

/** A turn's frames for a subscriber: shared by every subscriber that gets exactly the same events. */
export interface Batch {
  readonly format: WireFormat;
  readonly frames: unknown[];
  /** The frames as one, once a subscriber needed it. */
  joined?: unknown;
}

export interface Subscriber {
  /** Unique among this relay's clients: names the sender of a client event, which never gets it back. */
  readonly id: string;
  readonly format: WireFormat;
  /** Bytes (and packets) handed to the transport that it has not reported written yet. */
  pendingBytes(): number;
  pendingPackets(): number;
  /** Writes this turn's frames in order; `joined` is the same frames as one when the format joins. */
  write(frames: readonly unknown[], joined: unknown): void;
  /** Ends a client the core gave up on (slow consumer): no polite close, the backlog is the problem. */
  cut(): void;
  /** False once the client closed: nothing more is written to it. */
  readonly open: boolean;
  /** Who the client is on presence channels (from its token), null when its token carries no member info. */
  readonly member: PresenceMember | null;
  /** Sends one named relay message (presence_state, member_added…) outside the event batches. */
  notify(name: string, payload: unknown): void;
  /** A Pusher protocol client's socket id, which a publish may exclude (the sender's own connection). */
  readonly socketId?: string;

  /** core's: this turn's frames, null when nothing is due. */
  batch: Batch | null;
  /** core's: live events held while the replay is read, null when not replaying. */
  held: OutgoingEvent[] | null;
  /** core's: after a replay, drops late live copies of what it sent, null once none can come. */
  replayed: ReplayedFilter | null;
}

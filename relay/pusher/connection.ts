/**
 * One Pusher protocol client: a `ws` socket and a small record. It is the client's Subscriber, so the delivery core
 * writes live events to it like to any socket.io client; channel rules are `canRead`'s, the message rate is the
 * shared MessageBudget's. Frames go to the TCP socket the HTTP server handed over for the upgrade, as in the
 * socket.io WebSocket front-end: one write per turn of pre-built bytes.
 */
import type { Socket as TcpSocket } from 'node:net';
import type { WebSocket } from 'ws';
import { canRead, CHANNEL_PATTERN, isPublicChannel } from '../../protocol/index.js';
import { chargeMessage, MessageBudget } from '../client-messages.js';
import type { Batch, OutgoingEvent, Subscriber, WireFormat } from '../core/subscriber.js';
import type { DeliveryCore } from '../core/delivery.js';
import { MAX_CHANNELS_PER_CLIENT } from '../handshake.js';
import type { RelayMetrics } from '../metrics.js';
import type { RelayOptions } from '../options.js';
import type { ReplayedFilter } from '../replay.js';
import { textFrame } from '../socketio/ws-frames.js';
import type { PusherApp } from './apps.js';
import { type ClientMessage, errorMessage, eventMessage, PONG, PUSHER_CODES, subscriptionError, subscriptionSucceeded } from './messages.js';
import { verifyChannelAuthorization } from './signatures.js';

const WS_OPEN = 1;

/** Pusher events as WebSocket frames; a turn's frames joined into one write. */
export const PUSHER_FORMAT: WireFormat<Buffer> = {
  name: 'pusher',
  encode: (envelope) => textFrame(eventMessage(envelope)),
  join: (frames) => Buffer.concat(frames),
};

const NO_CHANNELS: ReadonlySet<string> = new Set();

export interface PusherConnectionDeps {
  core: DeliveryCore;
  options: RelayOptions;
  metrics: RelayMetrics;
}

export class PusherConnection implements Subscriber {
  readonly format = PUSHER_FORMAT;
  batch: Batch | null = null;
  held: OutgoingEvent[] | null = null;
  replayed: ReplayedFilter | null = null;
  readonly channels = new Set<string>();
  /** Presence over the Pusher protocol is not served yet: a Pusher client is never a presence member. */
  readonly member = null;
  readonly budget: MessageBudget;
  /** When the client last sent anything (ms), and whether the relay's ping is still unanswered. */
  lastSeen = Date.now();
  pingedAt: number | null = null;

  constructor(
    readonly ws: WebSocket,
    private readonly tcp: TcpSocket,
    readonly app: PusherApp,
    readonly socketId: string,
    readonly address: string,
    private readonly deps: PusherConnectionDeps,
  ) {
    this.budget = new MessageBudget(deps.options.clientMessageRate);
  }

  get id(): string {
    return this.socketId;
  }

  /**
   * The core's named messages outside event batches. A Pusher client reads no presence channel yet, so what reaches
   * it here is a client event that a socket.io client sent on a private channel it also reads: Pusher's client-event
   * frame, with the sender's user id as `user_id`.
   */
  notify(name: string, payload: unknown): void {
    if (!name.startsWith('client-')) return;
    const { channel, data, from } = payload as { channel: string; data: unknown; from: string };
    this.send(JSON.stringify({ event: name, channel, data: JSON.stringify(data ?? null), user_id: from }));
  }

  get open(): boolean {
    return this.ws.readyState === WS_OPEN;
  }

  pendingBytes(): number {
    return this.tcp.writableLength;
  }

  pendingPackets(): number {
    return 0;
  }

  write(_frames: readonly unknown[], joined: unknown): void {
    if (this.open) this.tcp.write(joined as Buffer);
  }

  cut(): void {
    this.ws.terminate();
  }

  send(text: string): void {
    if (this.open) this.tcp.write(textFrame(text));
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  /** An error the client is told about and then disconnected for (pusher-js reads the close code). */
  fail(code: number, message: string): void {
    this.send(errorMessage(code, message));
    this.close(code, message.slice(0, 120));
  }

  receive(message: ClientMessage): void {
    this.lastSeen = Date.now();
    if (message.kind === 'pong') {
      this.pingedAt = null;
      return;
    }
    const verdict = chargeMessage(this.budget, this.deps);
    if (verdict === 'drop') return this.fail(PUSHER_CODES.clientEventRejected, `more than ${this.deps.options.clientMessageRate} messages per second, sustained`);
    if (verdict === 'refuse') return this.send(errorMessage(PUSHER_CODES.clientEventRejected, `more than ${this.deps.options.clientMessageRate} messages per second from this client; slow down`));
    switch (message.kind) {
      case 'ping':
        return this.send(PONG);
      case 'subscribe':
        return this.subscribe(message.channel, message.auth, message.channelData);
      case 'unsubscribe':
        if (this.channels.delete(message.channel)) this.deps.core.unsubscribe(this, [message.channel]);
        return;
      case 'client-event':
        // Client events come with presence and client-event policy (issue 14); until then they are refused.
        this.deps.metrics.rejections.inc({ reason: 'client_events_disabled' });
        return this.send(errorMessage(null, `client events are not enabled on this relay (${message.name} on ${message.channel} was not sent)`));
      case 'unknown':
        return this.send(errorMessage(null, `"${message.name}" is not an event this relay answers`));
      case 'invalid':
        this.deps.metrics.rejections.inc({ reason: 'invalid_frame' });
        return this.send(errorMessage(null, message.reason));
    }
  }

  /**
   * Pusher's channel kinds on wp-realtime's rule (canRead): `private-*` with a valid authorization for this socket;
   * any other name only when wp-realtime reads it as public (`public`, `public-*`). Presence and encrypted channels
   * are not served yet.
   */
  private subscribe(channel: string, auth: unknown, channelData: unknown): void {
    if (!CHANNEL_PATTERN.test(channel)) return this.refuse(channel, 400, `channel names match ${CHANNEL_PATTERN.source}`);
    if (this.channels.has(channel)) return this.send(subscriptionSucceeded(channel));
    if (channel.startsWith('presence-') || channel.startsWith('private-encrypted-')) {
      return this.refuse(channel, 400, `${channel.startsWith('presence-') ? 'presence' : 'encrypted'} channels are not available on this relay yet`);
    }
    let authorized = NO_CHANNELS;
    if (channel.startsWith('private-')) {
      const data = typeof channelData === 'string' ? channelData : undefined;
      if (!verifyChannelAuthorization(this.app, auth, this.socketId, channel, data)) {
        this.deps.metrics.rejections.inc({ reason: 'invalid_authorization' });
        return this.refuse(channel, 401, `invalid authorization for ${channel}: expected "<key>:<hex HMAC-SHA256(secret, socket_id:channel)>" for socket ${this.socketId}`);
      }
      authorized = new Set([channel]);
    }
    if (!canRead(channel, { tokenChannels: authorized, publicAllowed: this.deps.options.publicChannels })) {
      this.deps.metrics.rejections.inc({ reason: 'channel_forbidden' });
      const why = isPublicChannel(channel) ? 'this relay runs with --no-public' : 'only public and public-* channels are open; other channels need the private- prefix and an authorization';
      return this.refuse(channel, 403, `channel "${channel}" is not readable: ${why}`);
    }
    if (this.channels.size >= MAX_CHANNELS_PER_CLIENT) return this.refuse(channel, 400, `a client reads at most ${MAX_CHANNELS_PER_CLIENT} channels`);
    this.channels.add(channel);
    this.deps.core.subscribe(this, [channel]);
    this.send(subscriptionSucceeded(channel));
  }

  private refuse(channel: string, status: number, error: string): void {
    this.send(subscriptionError(channel, status, error));
  }
}

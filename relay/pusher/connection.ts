/**
 * One Pusher protocol client: a `ws` socket and a small record. It is the client's Subscriber, so the delivery core
 * writes live events to it like to any socket.io client; channel rules are `canRead`'s, the message rate is the
 * shared MessageBudget's. Frames go to the TCP socket the HTTP server handed over for the upgrade, as in the
 * socket.io WebSocket front-end: one write per turn of pre-built bytes.
 */
import type { Socket as TcpSocket } from 'node:net';
import type { WebSocket } from 'ws';
import { canRead, CHANNEL_PATTERN, isPresenceChannel, isPublicChannel } from '../../protocol/index.js';
import type { Broker } from '../broker.js';
import { checkClientEvent } from '../client-events.js';
import { chargeMessage, MessageBudget } from '../client-messages.js';
import type { Batch, OutgoingEvent, Subscriber, WireFormat } from '../core/subscriber.js';
import type { DeliveryCore } from '../core/delivery.js';
import { MEMBER_ADDED_EVENT, MEMBER_REMOVED_EVENT, PRESENCE_STATE_EVENT, type PresenceMember } from '../core/presence.js';
import { MAX_CHANNELS_PER_CLIENT } from '../handshake.js';
import type { RelayMetrics } from '../metrics.js';
import type { RelayOptions } from '../options.js';
import type { ReplayedFilter } from '../replay.js';
import { textFrame } from '../socketio/ws-frames.js';
import type { PusherApp } from './apps.js';
import { presenceMember, signedInUser } from './identity.js';
import {
  type ClientMessage,
  clientEventMessage,
  errorMessage,
  eventMessage,
  memberAdded,
  memberRemoved,
  PONG,
  presenceSucceeded,
  PUSHER_CODES,
  signinSucceeded,
  subscriptionError,
  subscriptionSucceeded,
} from './messages.js';
import { verifyChannelAuthorization, verifyUserAuthentication } from './signatures.js';

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
  broker: Pick<Broker, 'publishClientEvent'>;
  options: RelayOptions;
  metrics: RelayMetrics;
  /** `--client-events` as one pattern (client-events.ts): the same switch as for socket.io clients. */
  clientEventChannels: RegExp | null;
  /** Told when a connection signed in, so that the server can terminate a user's connections. */
  signedIn(connection: PusherConnection): void;
}

export class PusherConnection implements Subscriber {
  readonly format = PUSHER_FORMAT;
  batch: Batch | null = null;
  held: OutgoingEvent[] | null = null;
  replayed: ReplayedFilter | null = null;
  readonly channels = new Set<string>();
  /** Who this connection is on each presence channel it joined (from that subscription's signed channel_data). */
  private readonly memberships = new Map<string, PresenceMember>();
  /** Presence channels joined whose member list has not come yet: subscription_succeeded waits for it. */
  private readonly awaitingList = new Set<string>();
  /** The member of the latest presence subscription: the core's first guess when this connection leaves one. */
  member: PresenceMember | null = null;
  /** The user this connection signed in as (pusher:signin), null until then. */
  user: string | null = null;
  readonly budget: MessageBudget;
  private readonly clientEventBudget: MessageBudget;
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
    this.clientEventBudget = new MessageBudget(deps.options.clientEventRate);
  }

  get id(): string {
    return this.socketId;
  }

  /**
   * The core's named messages outside event batches, in Pusher's words: a presence channel's member list becomes its
   * subscription_succeeded, member changes become member_added / member_removed, and a client event (from a Pusher
   * or a socket.io client) carries its sender's user id as `user_id`.
   */
  notify(name: string, payload: unknown): void {
    if (name === PRESENCE_STATE_EVENT) {
      const { channel, members } = payload as { channel: string; members: PresenceMember[] };
      if (this.awaitingList.delete(channel)) this.send(presenceSucceeded(channel, members));
      return;
    }
    if (name === MEMBER_ADDED_EVENT || name === MEMBER_REMOVED_EVENT) {
      const { channel, member } = payload as { channel: string; member: PresenceMember };
      // Before its list a change is news to nobody: the list, read later, already has it.
      if (!this.memberships.has(channel) || this.awaitingList.has(channel)) return;
      return this.send(name === MEMBER_ADDED_EVENT ? memberAdded(channel, member) : memberRemoved(channel, member));
    }
    if (!name.startsWith('client-')) return;
    const { channel, data, from } = payload as { channel: string; data: unknown; from: string };
    this.send(clientEventMessage(name, channel, data, from));
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
        return this.unsubscribe(message.channel);
      case 'signin':
        return this.signin(message.auth, message.userData);
      case 'client-event':
        return this.clientEvent(message.name, message.channel, message.data);
      case 'unknown':
        return this.send(errorMessage(null, `"${message.name}" is not an event this relay answers`));
      case 'invalid':
        this.deps.metrics.rejections.inc({ reason: 'invalid_frame' });
        return this.send(errorMessage(null, message.reason));
    }
  }

  /**
   * Pusher's channel kinds on wp-realtime's rule (canRead): `private-*` and `presence-*` with a valid authorization
   * for this socket (a presence one signs its channel_data, which names the member); any other name only when
   * wp-realtime reads it as public (`public`, `public-*`). Encrypted channels are not served.
   */
  private subscribe(channel: string, auth: unknown, channelData: unknown): void {
    if (!CHANNEL_PATTERN.test(channel)) return this.refuse(channel, 400, `channel names match ${CHANNEL_PATTERN.source}`);
    if (this.channels.has(channel)) return this.confirmAgain(channel);
    if (channel.startsWith('private-encrypted-')) return this.refuse(channel, 400, 'encrypted channels are not available on this relay');
    const presence = isPresenceChannel(channel);
    let authorized = NO_CHANNELS;
    let member: PresenceMember | null = null;
    if (channel.startsWith('private-') || presence) {
      const data = typeof channelData === 'string' ? channelData : undefined;
      if ((presence && data === undefined) || !verifyChannelAuthorization(this.app, auth, this.socketId, channel, data)) {
        this.deps.metrics.rejections.inc({ reason: 'invalid_authorization' });
        const signed = presence ? 'socket_id:channel:channel_data' : 'socket_id:channel';
        return this.refuse(channel, 401, `invalid authorization for ${channel}: expected "<key>:<hex HMAC-SHA256(secret, ${signed})>" for socket ${this.socketId}`);
      }
      if (presence) {
        const identity = presenceMember(data);
        if (!identity.ok) {
          this.deps.metrics.rejections.inc({ reason: 'invalid_authorization' });
          return this.refuse(channel, 400, identity.message);
        }
        member = identity.value;
      }
      authorized = new Set([channel]);
    }
    if (!canRead(channel, { tokenChannels: authorized, publicAllowed: this.deps.options.publicChannels })) {
      this.deps.metrics.rejections.inc({ reason: 'channel_forbidden' });
      const why = isPublicChannel(channel) ? 'this relay runs with --no-public' : 'only public and public-* channels are open; other channels need the private- or presence- prefix and an authorization';
      return this.refuse(channel, 403, `channel "${channel}" is not readable: ${why}`);
    }
    if (this.channels.size >= MAX_CHANNELS_PER_CLIENT) return this.refuse(channel, 400, `a client reads at most ${MAX_CHANNELS_PER_CLIENT} channels`);
    const full = this.deps.core.refusal(member, [channel], this);
    if (full !== null) {
      this.deps.metrics.rejections.inc({ reason: 'presence_full' });
      return this.refuse(channel, 403, full);
    }
    this.channels.add(channel);
    if (member !== null) {
      this.memberships.set(channel, member);
      this.awaitingList.add(channel);
      this.member = member;
    }
    this.deps.core.subscribe(this, [channel], member);
    // A presence channel is confirmed with its member list, once the core has read it (notify above).
    if (member === null) this.send(subscriptionSucceeded(channel));
  }

  /** A repeated subscription: confirmed again, a presence one with the list as this relay holds it now. */
  private confirmAgain(channel: string): void {
    if (!this.memberships.has(channel)) return this.send(subscriptionSucceeded(channel));
    if (this.awaitingList.has(channel)) return;
    const members = this.deps.core.presence.known(channel);
    if (members !== undefined) this.send(presenceSucceeded(channel, members));
  }

  private unsubscribe(channel: string): void {
    if (!this.channels.delete(channel)) return;
    this.deps.core.unsubscribe(this, [channel]);
    this.memberships.delete(channel);
    this.awaitingList.delete(channel);
  }

  /**
   * pusher:signin: the app's server signed user_data for this socket. A signed-in connection can be terminated by
   * the server (POST /apps/<id>/users/<user>/terminate_connections) and sends client events as that user on private
   * channels. Pusher's answer to a bad signature: pusher:error 4009 and the connection closed.
   */
  private signin(auth: unknown, userData: unknown): void {
    const data = typeof userData === 'string' ? userData : undefined;
    if (data === undefined || !verifyUserAuthentication(this.app, auth, this.socketId, data)) {
      this.deps.metrics.rejections.inc({ reason: 'invalid_authorization' });
      return this.fail(PUSHER_CODES.unauthorized, `Invalid signin: expected auth "<key>:<hex HMAC-SHA256(secret, socket_id::user::user_data)>" for socket ${this.socketId}`);
    }
    const identity = signedInUser(data);
    if (!identity.ok) {
      this.deps.metrics.rejections.inc({ reason: 'invalid_authorization' });
      return this.fail(PUSHER_CODES.unauthorized, `Invalid signin: ${identity.message}`);
    }
    if (this.user !== null && this.user !== identity.value) {
      return this.send(errorMessage(null, `this connection is signed in as user ${this.user} already; a connection is one user`));
    }
    this.user = identity.value;
    this.deps.signedIn(this);
    this.send(signinSucceeded(data));
  }

  /**
   * A client event, decided by the relay's one client-event rule (client-events.ts: --client-events, private-* and
   * presence-* only, subscribed, size and rate). Its sender is the member this connection is on a presence channel,
   * else the user it signed in as: a client event never comes from nobody, as for socket.io clients.
   */
  private clientEvent(name: string, channel: string, data: unknown): void {
    const session = { user: this.memberships.get(channel)?.id ?? this.user, channels: [...this.channels] };
    const verdict = checkClientEvent(session, this.socketId, name, { channel, data }, this.deps.clientEventChannels, this.clientEventBudget, this.deps);
    if (verdict.ok) {
      this.deps.metrics.clientEvents.inc();
      return this.deps.broker.publishClientEvent(verdict.event);
    }
    if (verdict.error === 'client_event_rate_limited') return this.send(errorMessage(PUSHER_CODES.clientEventRejected, verdict.message));
    const message =
      verdict.error === 'client_event_anonymous' ? `client events on "${channel}" need a user: subscribe to it as a presence member, or sign in (pusher:signin) first` : verdict.message;
    this.send(errorMessage(null, `${name} was not sent: ${message}`));
  }

  private refuse(channel: string, status: number, error: string): void {
    this.send(subscriptionError(channel, status, error));
  }
}

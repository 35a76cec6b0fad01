/**
 * One socket.io client of the default namespace, whatever carries it (the WebSocket front-end or engine.io's
 * polling/upgrade): the socket.io packet layer (connect, event, ack, disconnect) implemented once, each packet turned
 * into core calls. It is the client's Subscriber: the delivery core writes live events to it through its transport.
 */
import { CLIENT_EVENT_NAME, REPLAY_GAP_EVENT_NAME } from '../../protocol/index.js';
import type { Batch, OutgoingEvent, Subscriber } from '../core/subscriber.js';
import { checkClientEvent } from '../client-events.js';
import { chargeFrame, type ClientEventAnswer, handleClientEvent, MessageBudget } from '../client-messages.js';
import { CLOSE_NORMAL, CLOSE_POLICY, CLOSE_PROTOCOL } from '../closing.js';
import { checkHandshake, type ClientSession } from '../handshake.js';
import { readMissed, type ReplayedFilter } from '../replay.js';
import type { RevocationVerdict } from '../revocations.js';
import { strikeChannels, type SubscriptionTarget } from '../subscriptions.js';
import { ackPacket, connectErrorPacket, connectPacket, DISCONNECT, eventPacket, type IncomingPacket } from './packets.js';
import type { SocketIoDeps } from './protocol.js';
import type { SocketIoTransport } from './transport.js';

/** Told to a session whose user was cut off, just before the server disconnects it. */
export const TOKEN_REVOKED_EVENT = 'token_revoked';
/** Told to a session that left channels its token no longer opens (a lost role): `{ channels }`. */
export const CHANNELS_REVOKED_EVENT = 'channels_revoked';

export class SocketIoSession implements Subscriber {
  /** Set by the connect packet; until then the client reads nothing. */
  session: ClientSession | null = null;
  batch: Batch | null = null;
  held: OutgoingEvent[] | null = null;
  replayed: ReplayedFilter | null = null;
  /** When the transport opened (ms); the connect packet must follow within the connect timeout. */
  readonly openedAt = Date.now();
  readonly budget: MessageBudget;
  /** Client events have their own, lower rate, inside the message rate. */
  private readonly clientEventBudget: MessageBudget;

  constructor(
    readonly id: string,
    readonly transport: SocketIoTransport,
    private readonly deps: SocketIoDeps,
  ) {
    this.budget = new MessageBudget(deps.options.clientMessageRate);
    this.clientEventBudget = new MessageBudget(deps.options.clientEventRate);
  }

  get format(): SocketIoTransport['format'] {
    return this.transport.format;
  }

  get open(): boolean {
    return this.transport.open;
  }

  get member(): Subscriber['member'] {
    return this.session?.member ?? null;
  }

  notify(name: string, payload: unknown): void {
    this.emit(name, payload);
  }

  pendingBytes(): number {
    return this.transport.pendingBytes();
  }

  pendingPackets(): number {
    return this.transport.pendingPackets();
  }

  write(frames: readonly unknown[], joined: unknown): void {
    this.transport.write(frames, joined);
  }

  cut(): void {
    this.transport.terminate();
  }

  emit(name: string, ...args: unknown[]): void {
    this.transport.send(eventPacket(name, ...args));
  }

  /** The server ends the session (socket.io's disconnect(true)): the client sees "io server disconnect" and stays away. */
  disconnect(code = CLOSE_NORMAL): void {
    this.transport.send(DISCONNECT);
    this.transport.closeAfterDisconnect(code);
  }

  /**
   * Its user was cut off after its token was issued: the session ends (`token_revoked`, then "io server disconnect":
   * the client must come back with a new token, which it gets only if WordPress still signs it in), or, when only
   * channels were struck (a lost role), it leaves those and is told which (`channels_revoked`).
   */
  revoke(verdict: RevocationVerdict): void {
    if (!this.open || this.session === null) return;
    if (verdict.revoked) {
      this.emit(TOKEN_REVOKED_EVENT, { message: 'your access was revoked; reconnect with a new token' });
      this.disconnect();
      return;
    }
    if (verdict.struck.size === 0) return;
    const left = strikeChannels(this.subscriptionTarget(), verdict.struck);
    if (left.length > 0) this.emit(CHANNELS_REVOKED_EVENT, { channels: left });
  }

  /** Counts a frame that is no event (a noop, a client ping) against the message rate; drops a flooding client. */
  charge(): void {
    if (chargeFrame(this.budget, this.deps)) this.disconnect(CLOSE_POLICY);
  }

  /** One socket.io packet from the client. */
  receive(packet: IncomingPacket): void {
    // Closing (dropped, or told to restart): what it still sends, such as the rest of a flood, is not read.
    if (!this.open) return;
    switch (packet.kind) {
      case 'invalid':
        // As socket.io does with a packet it cannot decode: count it and close the connection.
        this.deps.metrics.rejections.inc({ reason: 'invalid_frame' });
        this.deps.logger.debug({ id: this.id, reason: packet.reason }, 'invalid frame: closing');
        this.transport.close(CLOSE_PROTOCOL);
        return;
      case 'connect':
        this.connect(packet.nsp, packet.auth).catch((error: unknown) => {
          // Nothing a client or a stored event brings may become an unhandled rejection: end this client only.
          this.deps.logger.error({ err: error, id: this.id }, 'connect handler failed: closing the connection');
          this.transport.terminate();
        });
        return;
      case 'disconnect':
        // The client left the only namespace there is: nothing stays to read.
        if (packet.nsp === '/') this.transport.close(CLOSE_NORMAL);
        return;
      case 'event':
        // Packets for a namespace the client has not joined are ignored, as socket.io does.
        if (packet.nsp === '/' && this.session !== null) this.request(packet.name, packet.args, packet.ackId);
        return;
      default:
        return;
    }
  }

  private async connect(nsp: string, auth: unknown): Promise<void> {
    if (nsp !== '/') return this.transport.send(connectErrorPacket(nsp, 'Invalid namespace'));
    if (this.session !== null) return;
    const { options, metrics, core } = this.deps;
    const refusal = await this.deps.limitHandshake(this.transport.address);
    if (!this.open || this.session !== null) return;
    if (refusal) return this.transport.send(connectErrorPacket('/', refusal.message, refusal));
    const result = checkHandshake(auth, options.secret, options.publicChannels, this.deps.revocations);
    if (!result.ok) {
      metrics.rejections.inc({ reason: result.reason });
      return this.transport.send(connectErrorPacket('/', result.message, { error: result.reason, message: result.message }));
    }
    const session = result.session;
    const refused = core.refusal(session.member, session.channels);
    if (refused !== null) {
      metrics.rejections.inc({ reason: 'presence_full' });
      return this.transport.send(connectErrorPacket('/', refused, { error: 'presence_full', message: refused }));
    }
    this.session = session;
    this.transport.send(connectPacket(this.id));
    const lastEventId = session.lastEventId;
    if (lastEventId === undefined) return core.subscribe(this, session.channels);
    await core.replayThenLive(
      this,
      session.channels,
      () => readMissed(this.deps, lastEventId, session.channels, options.maxReplayBytes),
      (missed) => {
        if (missed.gap) this.emit(REPLAY_GAP_EVENT_NAME, { lastEventId });
        for (const envelope of missed.events) this.emit(CLIENT_EVENT_NAME, envelope);
      },
    );
  }

  private request(name: string, args: unknown[], ackId: number | undefined): void {
    const outcome = handleClientEvent(this.subscriptionTarget(), this.budget, name, args, ackId !== undefined, this.deps);
    if (outcome.answer && ackId !== undefined) this.transport.send(ackPacket(ackId, outcome.answer));
    if (outcome.drop) this.disconnect(CLOSE_POLICY);
  }

  private subscriptionTarget(): SubscriptionTarget & { clientEvent(name: string, payload: unknown): ClientEventAnswer } {
    return {
      clientEvent: (name, payload) => {
        const verdict = checkClientEvent(this.session as ClientSession, this.id, name, payload, this.deps.clientEventChannels, this.clientEventBudget, this.deps);
        if (!verdict.ok) return verdict;
        this.deps.metrics.clientEvents.inc();
        this.deps.broker.publishClientEvent(verdict.event);
        return { ok: true };
      },
      session: this.session as ClientSession,
      join: (channels) => this.deps.core.subscribe(this, channels),
      leave: (channel) => this.deps.core.unsubscribe(this, [channel]),
      refusal: (channels) => this.deps.core.refusal(this.member, channels, this),
    };
  }
}

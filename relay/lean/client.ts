/**
 * One lean WebSocket connection: the WebSocket, the session once the client has connected, and the few flags the
 * heartbeat and replay need. Kept small on purpose: this record is what each browser costs the relay.
 */
import type { WebSocket } from 'ws';
import type { EncodedBroadcast } from '../fast-path.js';
import { type FrameWriter, idleTcpSocket } from '../frame-writer.js';
import { MessageBudget } from '../client-messages.js';
import type { ClientSession } from '../handshake.js';
import type { ReplayedFilter } from '../replay.js';
import { CLOSE_NORMAL } from '../closing.js';
import { DISCONNECT, eventPacket } from './packets.js';

/** A live broadcast that arrived while the client's replay was being read. */
export interface HeldBroadcast {
  id: string;
  broadcast: EncodedBroadcast;
}

const WS_OPEN = 1;

export class LeanClient {
  /** Set by the connect packet; until then the client reads nothing. */
  session: ClientSession | null = null;
  /** Live broadcasts held while a replay is read; null when not replaying. */
  held: HeldBroadcast[] | null = null;
  /** After a replay: drops live copies of what it sent that arrive late (with Redis); null once none can. */
  replayed: ReplayedFilter | null = null;
  /** A ping went out and no pong has come back yet. */
  pongDue = false;
  /** When the WebSocket opened (ms); the connect packet must follow within the connect timeout. */
  readonly openedAt = Date.now();
  /** When the last ping went out (ms); the first one is due a ping interval after opening. */
  pingedAt = this.openedAt;

  /** The client's message rate (--client-message-rate), shared rules with the socket.io path. */
  readonly budget: MessageBudget;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
    readonly address: string,
    messageRate: number,
  ) {
    this.budget = new MessageBudget(messageRate);
  }

  get open(): boolean {
    return this.ws.readyState === WS_OPEN;
  }

  /** Unsent bytes: what ws holds plus what the TCP socket has not written yet (ws's bufferedAmount counts both). */
  get unsentBytes(): number {
    return this.ws.bufferedAmount;
  }

  sendText(text: string): void {
    if (this.open) this.ws.send(text);
  }

  emit(name: string, ...args: unknown[]): void {
    this.sendText(eventPacket(name, ...args));
  }

  /**
   * Writes a broadcast: its pre-built frame straight to the TCP socket when ws has nothing queued (a frame can then not
   * overtake anything), else as a message through ws. 'slow' when the client is too far behind to write to.
   */
  write(broadcast: EncodedBroadcast, writer: FrameWriter): 'written' | 'slow' | 'closed' {
    if (!this.open) return 'closed';
    const tcp = broadcast.frame === undefined ? undefined : idleTcpSocket(this.ws);
    if (tcp && broadcast.frame) return writer.write(tcp, broadcast.frame);
    if (this.unsentBytes > writer.maxUnsentBytes) return 'slow';
    const [text] = broadcast.encoded;
    if (typeof text === 'string') this.ws.send('4' + text);
    return 'written';
  }

  /** The server ends the session (socket.io's disconnect(true)): the client sees "io server disconnect". */
  disconnect(code = CLOSE_NORMAL): void {
    this.sendText(DISCONNECT);
    this.ws.close(code);
  }
}

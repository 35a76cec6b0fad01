/**
 * One lean WebSocket connection: the WebSocket, the session once the client has connected, and the few flags the
 * heartbeat and replay need. Kept small on purpose: this record is what each browser costs the relay.
 */
import type { Socket as TcpSocket } from 'node:net';
import type { WebSocket } from 'ws';
import type { EncodedBroadcast } from '../fast-path.js';
import type { FrameWriter } from '../frame-writer.js';
import type { ClientSession } from '../handshake.js';
import type { ReplayedFilter } from '../replay.js';
import { DISCONNECT, eventPacket } from './packets.js';

/** A live broadcast that arrived while the client's replay was being read. */
export interface HeldBroadcast {
  id: string;
  broadcast: EncodedBroadcast;
}

interface WsInternals {
  _socket?: TcpSocket;
  _sender?: { _state?: number; _queue?: unknown[] };
}

const WS_OPEN = 1;
/** ws's Sender state when it is not deflating or reading a Blob (ws 8.18+); compression is off for these sockets. */
const SENDER_IDLE = 0;

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

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
    readonly address: string,
  ) {}

  get open(): boolean {
    return this.ws.readyState === WS_OPEN;
  }

  /** Unsent bytes queued in the kernel's direction, by ws and by the TCP socket. */
  get unsentBytes(): number {
    return Math.max(this.ws.bufferedAmount, (this.ws as unknown as WsInternals)._socket?.writableLength ?? 0);
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
    const internals = this.ws as unknown as WsInternals;
    const tcp = internals._socket;
    const sender = internals._sender;
    const idle = sender !== undefined && sender._state === SENDER_IDLE && (sender._queue?.length ?? 0) === 0;
    if (broadcast.frame !== undefined && tcp !== undefined && idle && tcp.writable) return writer.write(tcp, broadcast.frame);
    if (this.unsentBytes > writer.maxUnsentBytes) return 'slow';
    const [text] = broadcast.encoded;
    if (typeof text === 'string') this.ws.send('4' + text);
    return 'written';
  }

  /** The server ends the session (socket.io's disconnect(true)): the client sees "io server disconnect". */
  disconnect(): void {
    this.sendText(DISCONNECT);
    this.ws.close(1000);
  }
}

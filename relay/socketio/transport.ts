/** What the socket.io session needs from the transport under it; each front-end implements it its own way. */
import type { WireFormat } from '../core/subscriber.js';

export interface SocketIoTransport {
  /** How a live event looks on this transport (encoded once per event by the core). */
  readonly format: WireFormat;
  readonly address: string;
  /** False once closing: nothing more is sent or read. */
  readonly open: boolean;
  /** One socket.io packet (text without engine.io's message prefix). */
  send(packet: string): void;
  /** A turn's live events, as the core batched them. */
  write(frames: readonly unknown[], joined: unknown): void;
  /** What was handed to the transport and not reported written yet. */
  pendingBytes(): number;
  pendingPackets(): number;
  /** Closes with a WebSocket close code (engine.io's close packet when polling). */
  close(code: number): void;
  /** Closes after a disconnect packet, once that packet can reach the client. */
  closeAfterDisconnect(code: number): void;
  /** Cuts at once. */
  terminate(): void;
}

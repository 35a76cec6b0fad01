/**
 * Writes pre-built WebSocket frames straight to subscribers' TCP sockets, each socket corked until the end of the
 * event-loop turn: every frame of one turn reaches a subscriber in one syscall, in order. Shared by the socket.io fast
 * path and the lean WebSocket connections, so that a turn's writes to both kinds of client are flushed together.
 *
 * A subscriber whose unsent bytes from earlier turns pass the bound is reported instead of written to; the caller
 * cuts it (a polite close frame would wait behind the backlog, and the backlog is the problem).
 */
import type { Socket as TcpSocket } from 'node:net';

export type WriteOutcome = 'written' | 'slow';

/** The parts of a `ws` WebSocket (ws 8.18+) that tell whether a frame may bypass it. */
interface WsInternals {
  readyState: number;
  _socket?: TcpSocket;
  _sender?: { _state?: number; _queue?: unknown[] };
}

const WS_OPEN = 1;
/** ws's Sender state when it is not deflating or reading a Blob. */
const SENDER_IDLE = 0;

/**
 * The TCP socket under an open `ws` WebSocket when ws has nothing queued (compression, Blob reads), so that a frame
 * written to it cannot overtake a message sent through ws; undefined otherwise. The relay tests of delivery order
 * fail if these ws internals change.
 */
export function idleTcpSocket(ws: unknown): TcpSocket | undefined {
  const internals = ws as WsInternals;
  const tcp = internals._socket;
  const sender = internals._sender;
  if (internals.readyState !== WS_OPEN || !tcp || tcp.destroyed || !tcp.writable) return undefined;
  if (!sender || sender._state !== SENDER_IDLE || (sender._queue?.length ?? 0) > 0) return undefined;
  return tcp;
}

export class FrameWriter {
  private readonly corked = new Set<TcpSocket>();
  private readonly uncorkAll = (): void => {
    for (const tcp of this.corked) tcp.uncork();
    this.corked.clear();
  };

  constructor(readonly maxUnsentBytes: number) {}

  /** Writes the frame's parts (corked for this turn), or answers 'slow' without writing. */
  write(tcp: TcpSocket, frame: readonly Buffer[]): WriteOutcome {
    if (!this.corked.has(tcp)) {
      // Checked once per turn, before corking: what is still unsent from earlier turns, not this turn's own writes.
      if (tcp.writableLength > this.maxUnsentBytes) return 'slow';
      if (this.corked.size === 0) setImmediate(this.uncorkAll);
      tcp.cork();
      this.corked.add(tcp);
    }
    for (const part of frame) tcp.write(part);
    return 'written';
  }
}

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

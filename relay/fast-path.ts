/**
 * The broadcast fast path for WebSocket clients. socket.io already encodes a room broadcast once and pre-builds its
 * WebSocket frame; what stays per subscriber is engine.io's packet queue, its events and write callbacks, and one
 * write syscall per event. Here that pre-built frame is written straight to the subscriber's TCP socket, which stays
 * corked until the end of the event-loop turn: every event of one turn reaches a subscriber in one syscall, in order.
 *
 * A subscriber takes the fast path only when engine.io has nothing queued for it, so a frame can never overtake a
 * packet socket.io sent earlier (replay, acks, pings): while anything is queued, and for polling or upgrading clients,
 * the normal socket.io path is used. A subscriber whose unsent bytes pass the bound is dropped at write time.
 *
 * Other clients of the same rooms (the lean WebSocket connections, relay/lean/) get every broadcast through
 * `alsoDeliver`, in the same turn and through the same FrameWriter.
 *
 * Hook: the in-memory adapter's broadcast (also the Redis adapter's local delivery) calls this._encode() and then,
 * synchronously, this.apply(); both are wrapped on the instance, as the live gate does for apply
 * (socket.io-adapter 2.5). The relay tests of delivery order, polling clients and slow consumers fail if that changes.
 */
import type { Socket as TcpSocket } from 'node:net';
import type { Namespace, Socket } from 'socket.io';
import { type FrameWriter, idleTcpSocket } from './frame-writer.js';

interface PacketOptions {
  preEncoded?: boolean;
  volatile?: boolean;
  wsPreEncodedFrame?: Buffer[];
}

interface WsInternals {
  terminate(): void;
}

interface EngineConnection {
  readyState: string;
  upgrading: boolean;
  writeBuffer: unknown[];
  transport: { name: string; socket?: WsInternals };
  close(discard?: boolean): void;
}

/** What socket.io-adapter's broadcast passes to apply(): target rooms (all clients when empty), rooms left out, flags. */
export interface BroadcastTarget {
  rooms: ReadonlySet<string>;
  except?: ReadonlySet<string>;
  flags?: Record<string, unknown>;
}

/** One broadcast as encoded once by socket.io: the packets and, for a single text packet, its WebSocket frame. */
export interface EncodedBroadcast {
  encoded: readonly unknown[];
  frame: readonly Buffer[] | undefined;
}

type Apply = (opts: BroadcastTarget, callback: (socket: Socket) => void) => void;
interface Packet {
  id?: number;
}
type Encode = (packet: Packet, packetOptions: PacketOptions) => unknown[];
type OutgoingListeners = { notifyOutgoingListeners?: (packet: Packet) => void };

export interface FastPathHooks {
  writer: FrameWriter;
  /** A subscriber dropped at write time for holding more than maxUnsentBytes unsent. */
  onSlowConsumer(socket: Socket, unsentBytes: number): void;
  /** Every broadcast that asks for no ack, for clients socket.io does not know (the lean connections). */
  alsoDeliver?(target: BroadcastTarget, broadcast: EncodedBroadcast): void;
}

export interface FastPathStats {
  /** Frames written directly / handed to socket.io's normal path, since start. */
  direct: number;
  fallback: number;
}

/** The TCP socket a frame may be written to now without overtaking anything, or undefined. */
function directTarget(socket: Socket): { tcp: TcpSocket; ws: WsInternals } | undefined {
  const conn = socket.conn as unknown as EngineConnection;
  if (conn.readyState !== 'open' || conn.upgrading || conn.writeBuffer.length > 0) return undefined;
  const transport = conn.transport;
  if (transport.name !== 'websocket') return undefined;
  const ws = transport.socket;
  const tcp = ws && idleTcpSocket(ws);
  return ws && tcp ? { tcp, ws } : undefined;
}

export function installFastPath(namespace: Namespace, hooks: FastPathHooks): FastPathStats {
  const adapter = namespace.adapter as unknown as { apply: Apply; _encode: Encode };
  const apply = adapter.apply.bind(adapter);
  const encode = adapter._encode.bind(adapter);
  const stats: FastPathStats = { direct: 0, fallback: 0 };
  let nextApply: { packet: Packet; broadcast: EncodedBroadcast; direct: boolean } | undefined;

  /** Writes the frame now (corked for this turn), drops a slow consumer, or leaves the socket to socket.io ('busy'). */
  function writeDirect(socket: Socket, frame: readonly Buffer[]): 'written' | 'dropped' | 'busy' {
    const target = directTarget(socket);
    if (!target) return 'busy';
    const { tcp, ws } = target;
    if (hooks.writer.write(tcp, frame) === 'written') return 'written';
    hooks.onSlowConsumer(socket, tcp.writableLength);
    (socket.conn as unknown as EngineConnection).close(true);
    ws.terminate();
    return 'dropped';
  }

  adapter._encode = (packet, packetOptions) => {
    const encoded = encode(packet, packetOptions);
    const frame = packetOptions.wsPreEncodedFrame;
    // Acks need socket.io's per-socket bookkeeping; volatile packets its "drop when busy" rule.
    const direct = packet.id === undefined && !packetOptions.volatile && frame !== undefined;
    nextApply = packet.id === undefined ? { packet, broadcast: { encoded, frame }, direct } : undefined;
    return encoded;
  };

  adapter.apply = (opts, callback) => {
    const pending = nextApply;
    nextApply = undefined;
    if (!pending) return apply(opts, callback);
    const { packet, broadcast, direct } = pending;
    if (!direct) apply(opts, callback);
    else {
      const frame = broadcast.frame as readonly Buffer[];
      apply(opts, (socket) => {
        const outcome = writeDirect(socket, frame);
        if (outcome === 'busy') {
          stats.fallback++;
          callback(socket);
        } else if (outcome === 'written') {
          stats.direct++;
          // What socket.io's own callback does besides writing: socket.onAnyOutgoing() listeners.
          (socket as unknown as OutgoingListeners).notifyOutgoingListeners?.(packet);
        }
      });
    }
    hooks.alsoDeliver?.(opts, broadcast);
  };

  return stats;
}

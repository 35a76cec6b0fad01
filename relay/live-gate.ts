/**
 * Holds live broadcasts for a socket while it replays history, so that a reconnecting client gets what it missed
 * first, then live events, with no duplicate and no gap even when history is read asynchronously (Redis): the socket
 * joins its rooms first, its live events queue here, history is read and sent, then the queue is flushed without the
 * ids already sent, and so are copies of them that reach this relay after the flush (ReplayedFilter).
 *
 * Only broadcasts that name their event id in their flags (the Redis broker's, see redis/emitter-message.ts) are held;
 * the in-memory broker reads history synchronously, so nothing can slip in between its join and its read.
 * The hook is the namespace adapter's apply(): every broadcast, local or from another relay, ends there. socket.io
 * declares it private in its types but calls it through `this` (socket.io-adapter 2.5), so an instance wrapper sees
 * every broadcast; the relay tests that replay under live traffic would fail if that stopped being true.
 */
import type { Namespace, Socket } from 'socket.io';
import { ReplayedFilter } from './replay.js';

/** Broadcast flags the Redis broker sets; socket.io ignores flags it does not know. */
export const EVENT_ID_FLAG = 'wpRealtimeEventId';
export const PROBE_FLAG = 'wpRealtimeProbe';

/** A replaying client that falls further behind than this is dropped rather than buffered without bound. */
const MAX_HELD_PER_SOCKET = 10_000;

interface HeldDelivery {
  id: string;
  deliver: () => void;
}

export interface LiveGateHooks {
  /** One flagged event copy handed to a local client. */
  onDelivery(): void;
  /** A probe broadcast came back through the shared stream: this relay receives what other relays publish. */
  onProbe(token: string): void;
}

export interface LiveGate {
  hold(socket: Socket): void;
  /** Flushes what was held, in order, and from then on skips live copies of what the replay already sent. */
  release(socket: Socket, alreadySent: ReadonlySet<string>): void;
}

type ApplyOptions = { flags?: Record<string, unknown> };
type Apply = (opts: ApplyOptions, callback: (socket: Socket) => void) => void;

export function installLiveGate(namespace: Namespace, hooks: LiveGateHooks): LiveGate {
  const held = new Map<string, HeldDelivery[]>();
  const replayed = new Map<string, ReplayedFilter>();
  const adapter = namespace.adapter as unknown as { apply: Apply };
  const apply = adapter.apply.bind(adapter);

  adapter.apply = (opts, callback) => {
    const flags = opts.flags;
    const probe = flags?.[PROBE_FLAG];
    if (typeof probe === 'string') hooks.onProbe(probe);
    const id = flags?.[EVENT_ID_FLAG];
    if (typeof id !== 'string') return apply(opts, callback);
    apply(opts, (socket) => {
      const queue = held.get(socket.id);
      const deliver = (): void => {
        hooks.onDelivery();
        callback(socket);
      };
      if (!queue) {
        const filter = replayed.get(socket.id);
        if (filter?.repeats(id)) return;
        if (filter) replayed.delete(socket.id);
        return deliver();
      }
      if (queue.length >= MAX_HELD_PER_SOCKET) {
        held.delete(socket.id);
        socket.disconnect(true);
        return;
      }
      queue.push({ id, deliver });
    });
  };

  return {
    hold(socket) {
      held.set(socket.id, []);
    },
    release(socket, alreadySent) {
      const queue = held.get(socket.id) ?? [];
      held.delete(socket.id);
      const filter = new ReplayedFilter(alreadySent);
      for (const entry of queue) if (!filter.repeats(entry.id)) entry.deliver();
      if (!filter.active || socket.disconnected) return;
      replayed.set(socket.id, filter);
      socket.once('disconnect', () => replayed.delete(socket.id));
    },
  };
}

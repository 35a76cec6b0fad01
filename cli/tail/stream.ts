/**
 * The connection behind `wp-realtime tail`: one socket.io client that reads the channels asked for, keeps its
 * token fresh (when it mints its own from the secret), and resumes after every reconnect from the last event it
 * printed. The relay keeps no subscription across connections, so everything this client reads is in its handshake:
 * `auth` is a function, evaluated on every (re)connect, with the current token, channels and lastEventId.
 */
import { io, type Socket } from 'socket.io-client';
import { CLIENT_EVENT_NAME, type EventEnvelope, REPLAY_GAP_EVENT_NAME } from '../../protocol/index.js';

export interface TailCredentials {
  /** A fresh token for each handshake and refresh (minted from the secret), or the one given, or none. */
  token(): string | undefined;
  /** Seconds until a token from token() expires; undefined: never refreshed (a given token, or none). */
  refreshAfterSeconds?: number;
}

export interface TailStreamOptions {
  relayUrl: string;
  credentials: TailCredentials;
  /** Sent as auth.channels; undefined: the relay's default (public + the token's channels). */
  channels?: string[];
  lastEventId?: string;
  onEvent(event: EventEnvelope): void;
  /** Progress for people (connected, reconnecting …), never mixed into the events. */
  onStatus(line: string): void;
}

export interface TailStream {
  /** Resolves when the stream ends: stop() was called, or the relay refused this client (the reason). */
  readonly ended: Promise<TailRefusal | null>;
  stop(): void;
}

/** The relay refused the handshake (bad or expired token, forbidden channel): retrying cannot help. */
export interface TailRefusal {
  code: string;
  message: string;
}

/** Ids already printed, so that a replay overlapping what arrived live never prints an event twice. */
const SEEN_IDS_KEPT = 10_000;

export function startTailStream(options: TailStreamOptions): TailStream {
  let lastEventId = options.lastEventId;
  let everConnected = false;
  /** One "cannot connect" line per outage, not one per retry. */
  let retryAnnounced = false;
  let stopped = false;
  let refreshTimer: NodeJS.Timeout | undefined;
  const seen = new Set<string>();
  let finish: (refusal: TailRefusal | null) => void = () => {};
  const ended = new Promise<TailRefusal | null>((resolve) => (finish = resolve));

  const socket: Socket = io(options.relayUrl, {
    transports: ['websocket'],
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
    auth: (send) => {
      const auth: Record<string, unknown> = {};
      const token = options.credentials.token();
      if (token !== undefined) auth.token = token;
      if (options.channels !== undefined) auth.channels = options.channels;
      if (lastEventId !== undefined) auth.lastEventId = lastEventId;
      send(auth);
    },
  });

  function end(refusal: TailRefusal | null): void {
    if (stopped) return;
    stopped = true;
    clearTimeout(refreshTimer);
    socket.disconnect();
    finish(refusal);
  }

  function scheduleRefresh(): void {
    clearTimeout(refreshTimer);
    const seconds = options.credentials.refreshAfterSeconds;
    if (seconds === undefined || stopped) return;
    // At 80% of the lifetime, so that the relay never sees the token expire.
    refreshTimer = setTimeout(() => {
      socket.timeout(5_000).emit('refresh_token', { token: options.credentials.token() }, (error: Error | null, ack?: { ok: boolean; message?: string }) => {
        if (error === null && ack?.ok === true) {
          scheduleRefresh();
          return;
        }
        // A reconnect carries a freshly minted token, and lastEventId replays what the gap missed.
        options.onStatus(`token refresh failed (${error?.message ?? ack?.message ?? 'no answer'}); reconnecting …`);
        // The disconnect handler reconnects (socket.io does not after a disconnect asked for by this side).
        socket.disconnect();
      });
    }, Math.max(1_000, seconds * 800));
  }

  socket.on('connect', () => {
    const channels = options.channels?.join(', ') ?? "public and the token's channels";
    const resume = lastEventId !== undefined ? `, resuming after ${lastEventId}` : '';
    options.onStatus(`${everConnected ? 'reconnected' : 'connected'} to ${options.relayUrl} (${channels}${resume})`);
    everConnected = true;
    retryAnnounced = false;
    scheduleRefresh();
  });
  socket.on('connect_error', (error: Error & { data?: { error?: string; message?: string } }) => {
    if (!socket.active) {
      // Refused by the relay itself (socket.io will not retry): say why and stop.
      end({ code: error.data?.error ?? 'refused', message: error.data?.message ?? error.message });
      return;
    }
    if (!retryAnnounced) options.onStatus(`cannot connect (${error.message}); retrying until the relay is back …`);
    retryAnnounced = true;
  });
  socket.on('disconnect', (reason: string) => {
    clearTimeout(refreshTimer);
    if (stopped) return;
    options.onStatus(`disconnected (${reason}); reconnecting …`);
    // socket.io reconnects by itself except after a disconnect the relay asked for (e.g. an expired token).
    if (!socket.active) socket.connect();
  });
  socket.on(CLIENT_EVENT_NAME, (event: EventEnvelope) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    if (seen.size > SEEN_IDS_KEPT) seen.delete(seen.values().next().value as string);
    lastEventId = event.id;
    options.onEvent(event);
  });
  socket.on(REPLAY_GAP_EVENT_NAME, (gap: { lastEventId?: string }) => {
    options.onStatus(
      `the relay no longer holds the events after ${gap.lastEventId ?? 'the last one seen'}; events sent meanwhile may be missing`,
    );
  });

  return { ended, stop: () => end(null) };
}

/** Every knob of the relay, with the defaults the contract and the CLI document. */
import { DATA_LIMIT_DEFAULTS } from '../protocol/index.js';
import type { PusherApp } from './pusher/apps.js';

export interface RelayOptions {
  port: number;
  host: string;
  secret: string;
  /** Allowed browser origins; empty means any origin (the relay warns at start-up). */
  corsOrigins: string[];
  /** Events kept per channel for replay and idempotency. */
  history: number;
  /** Channels that keep history; the least recently used channel's history is dropped past this. */
  historyChannels: number;
  maxPayload: number;
  /** Nesting of objects and arrays allowed in an event's data (`data` itself is level 1); deeper is refused with 400. */
  maxDataDepth: number;
  /** Object keys plus array items allowed in one event's data; more is refused with 400. */
  maxDataKeys: number;
  /** Largest message a client may send (subscribe, refresh_token); a bigger frame closes its connection. */
  maxClientMessageBytes: number;
  /** False under `--no-public`: clients without a token are refused and public channels need a token too. */
  publicChannels: boolean;
  /** Ingest requests per second allowed from one IP address. */
  ingestRate: number;
  maxConnectionsPerIp: number;
  /** Socket.IO handshakes per second allowed from one IP address (a burst of the same size is allowed). */
  handshakeRate: number;
  /** Shared Redis for several relays (broadcasts, history, idempotency); undefined keeps everything in memory. */
  redisUrl?: string;
  /** With Redis: how long an event id stays claimed and a channel's history is kept after its last event. */
  historyTtlSeconds: number;
  /** A client whose unsent output passes either bound is disconnected as a slow consumer. */
  maxClientBufferBytes: number;
  maxClientBufferPackets: number;
  /** How long SIGTERM waits for in-flight work before closing what is left. */
  drainTimeoutMs: number;
  logLevel: string;
  /**
   * Serve clients that open a WebSocket straight away with the WebSocket front-end (relay/socketio/websocket.ts);
   * polling clients always use engine.io's. `--no-lean-websocket` sends them through engine.io too.
   */
  leanWebSocket: boolean;
  /**
   * Proxies whose X-Forwarded-For is believed for the per-IP limits (`--trust-proxy`): addresses, CIDR subnets or
   * loopback / linklocal / uniquelocal. Empty: the TCP peer is the client.
   */
  trustProxy: string[];
  /**
   * WordPress webhook routes (`--webhook-url`, e.g. https://example.com/wp-json/acme-live/v1/webhook) told with a
   * signed `relay_ready` when the relay starts listening and whenever it is ready again (relay/webhooks.ts).
   */
  webhookUrls: string[];
  /** How long one webhook POST may take before it counts as failed. */
  webhookTimeoutMs: number;
  /** Retries of a failed webhook POST (exponential backoff from 0.5 s, at most 30 s apart). */
  webhookRetries: number;
  /** Events one webhook URL may have waiting (`--webhook-max-queue`); past it the oldest is dropped (counted, logged). */
  webhookMaxQueue: number;
  /** Also report accepted client events to the webhook URLs (`--webhook-client-events`); off by default. */
  webhookClientEvents: boolean;
  /**
   * Bytes of missed events one reconnecting client may be replayed (`--max-replay-bytes`); past it the client gets
   * `replay_gap` alone and reloads, so a handshake can never make the relay queue history's worth of data for it.
   */
  maxReplayBytes: number;
  /**
   * Messages per second one client may send (`--client-message-rate`, a burst of the same size allowed): past it a
   * message is refused (`rate_limited` ack); a client that keeps sending at more than twice the rate is disconnected.
   */
  clientMessageRate: number;
  /** Raw TCP connections one address may hold open (`--max-sockets-per-ip`); a trusted proxy is not capped. */
  maxSocketsPerIp: number;
  /** How long a client may take to send a request's headers (`--headers-timeout`), and the whole request. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** How long an idle keep-alive HTTP connection stays open (`--keep-alive-timeout`). */
  keepAliveTimeoutMs: number;
  /** Users one presence channel holds (`--max-presence-members`); a new user past it is refused `presence_full`. */
  maxPresenceMembers: number;
  /**
   * With Redis: a relay that has not written its heartbeat for this long (`--presence-timeout`, seconds) is taken
   * for dead and its presence members are removed by the others; heartbeats go every third of it.
   */
  presenceTimeoutSeconds: number;
  /** Channel patterns (`*` wildcard) of private-* / presence-* channels where clients may send client-* events; none by default. */
  clientEvents: string[];
  /** Largest client event data, in JSON bytes (`--max-client-event-bytes`). */
  maxClientEventBytes: number;
  /** Client events per second one client may send (`--client-event-rate`, burst of the same size). */
  clientEventRate: number;
  /** engine.io heartbeat, for both kinds of connection (socket.io's defaults). */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /**
   * Pusher apps (`--pusher-app-id`, `--pusher-key`, `--pusher-secret`): with one or more, the relay also speaks the
   * Pusher Channels protocol at /app/<key> and serves the Pusher HTTP API at /apps/<id>/… (relay/pusher/).
   */
  pusherApps: PusherApp[];
}

export const RELAY_DEFAULTS: Omit<RelayOptions, 'secret'> = {
  port: 3000,
  host: '127.0.0.1',
  corsOrigins: [],
  history: 100,
  historyChannels: 10_000,
  maxPayload: 65_536,
  maxDataDepth: DATA_LIMIT_DEFAULTS.maxDepth,
  maxDataKeys: DATA_LIMIT_DEFAULTS.maxKeys,
  maxClientMessageBytes: 16 * 1024,
  publicChannels: true,
  ingestRate: 200,
  maxConnectionsPerIp: 1_000,
  handshakeRate: 50,
  historyTtlSeconds: 86_400,
  maxClientBufferBytes: 4 * 1024 * 1024,
  maxClientBufferPackets: 5_000,
  drainTimeoutMs: 10_000,
  logLevel: 'info',
  leanWebSocket: true,
  trustProxy: [],
  webhookUrls: [],
  webhookTimeoutMs: 10_000,
  webhookRetries: 8,
  webhookMaxQueue: 10_000,
  webhookClientEvents: false,
  maxReplayBytes: 1024 * 1024,
  clientMessageRate: 20,
  maxSocketsPerIp: 2_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 20_000,
  keepAliveTimeoutMs: 5_000,
  maxPresenceMembers: 1_000,
  presenceTimeoutSeconds: 15,
  clientEvents: [],
  maxClientEventBytes: 4_096,
  clientEventRate: 10,
  pingIntervalMs: 25_000,
  pingTimeoutMs: 20_000,
  pusherApps: [],
};

export function withDefaults(options: Partial<RelayOptions> & { secret: string }): RelayOptions {
  return { ...RELAY_DEFAULTS, ...options };
}

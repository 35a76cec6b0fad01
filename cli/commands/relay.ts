import { Command, InvalidArgumentError, Option } from 'commander';
import { trustedProxies, TrustProxyError } from '../../relay/client-address.js';
import { RELAY_DEFAULTS, type RelayOptions } from '../../relay/options.js';
import { type PusherApp, PusherAppError, validatePusherApps } from '../../relay/pusher/apps.js';
import { RuntimeFailure, UsageError } from '../errors.js';
import { integerInRange, parsePort, requireSecret } from '../options.js';

interface RelayFlags {
  port: number;
  host: string;
  secret?: string;
  corsOrigin?: string[];
  redis?: string;
  history: number;
  maxPayload: number;
  maxDataDepth: number;
  maxDataKeys: number;
  maxClientMessage: number;
  historyChannels: number;
  public: boolean;
  ingestRate: number;
  maxConnectionsPerIp: number;
  handshakeRate: number;
  historyTtl: number;
  maxClientBuffer: number;
  maxClientQueue: number;
  logLevel: string;
  leanWebsocket: boolean;
  trustProxy?: string[];
  webhookUrl?: string[];
  webhookTimeout: number;
  webhookRetries: number;
  webhookMaxQueue: number;
  webhookClientEvents: boolean;
  maxReplayBytes: number;
  clientMessageRate: number;
  maxPresenceMembers: number;
  clientEvents?: string[];
  maxClientEventBytes: number;
  clientEventRate: number;
  presenceTimeout: number;
  maxSocketsPerIp: number;
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  drainTimeout: number;
  pusherAppId?: string;
  pusherKey?: string;
  pusherSecret?: string;
}

/** The Pusher front-end's app: all three flags, or none (the front-end stays off). */
function pusherApps(flags: RelayFlags): PusherApp[] {
  const given = [flags.pusherAppId, flags.pusherKey, flags.pusherSecret].filter((value) => value !== undefined).length;
  if (given === 0) return [];
  if (given < 3) throw new UsageError('relay: the Pusher front-end needs --pusher-app-id, --pusher-key and --pusher-secret together (or WP_REALTIME_PUSHER_APP_ID, _KEY, _SECRET)');
  const app = { id: flags.pusherAppId as string, key: flags.pusherKey as string, secret: flags.pusherSecret as string };
  try {
    validatePusherApps([app]);
  } catch (error) {
    if (error instanceof PusherAppError) throw new UsageError(`relay: --pusher-*: ${error.message}`);
    throw error;
  }
  return [app];
}

/** A --client-events pattern: a private-* or presence-* channel name in which `*` stands for any characters. */
function parseClientEventPattern(pattern: string, previous: string[] | undefined): string[] {
  if (!/^(?:private|presence)-[A-Za-z0-9_.:*-]{1,119}$/.test(pattern)) {
    throw new UsageError(`relay: --client-events "${pattern}" must be a private-* or presence-* channel pattern (letters, digits, _ . : - and the * wildcard)`);
  }
  return [...(previous ?? []), pattern];
}

function parseOrigin(value: string, previous: string[] | undefined): string[] {
  const origins = value.split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    let url: URL | null;
    try {
      url = new URL(origin);
    } catch {
      url = null;
    }
    if (!url || url.origin !== origin) {
      throw new UsageError(`relay: --cors-origin "${origin}" must be an origin like https://example.com (scheme, host, optional port)`);
    }
  }
  return [...(previous ?? []), ...origins];
}

function parseTrustProxy(value: string, previous: string[] | undefined): string[] {
  const proxies = value.split(',').map((p) => p.trim()).filter(Boolean);
  try {
    trustedProxies(proxies);
  } catch (error) {
    if (error instanceof TrustProxyError) throw new UsageError(`relay: --trust-proxy ${error.message}`);
    throw error;
  }
  return [...(previous ?? []), ...proxies];
}

function parseWebhookUrl(value: string, previous: string[] | undefined): string[] {
  // The environment variable holds one or more URLs separated by commas or spaces.
  const urls = value.split(/[\s,]+/).filter(Boolean);
  for (const candidate of urls) {
    let url: URL | null;
    try {
      url = new URL(candidate);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new UsageError(`relay: --webhook-url "${candidate}" must be an http(s) URL like https://example.com/wp-json/acme-live/v1/webhook`);
    }
  }
  return [...(previous ?? []), ...urls];
}

function parseRedisUrl(value: string): string {
  let url: URL | null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new InvalidArgumentError(`"${value}" must be a Redis URL like redis://127.0.0.1:6379 (or rediss:// for TLS).`);
  }
  return value;
}

export function relayCommand(): Command {
  return new Command('relay')
    .description('run the relay: accepts signed events from WordPress and broadcasts them to browsers')
    .addOption(new Option('--port <port>', 'port to listen on (0 picks a free one)').env('WP_REALTIME_PORT').argParser(parsePort).default(RELAY_DEFAULTS.port))
    .addOption(new Option('--host <host>', 'address to listen on').env('WP_REALTIME_HOST').default(RELAY_DEFAULTS.host))
    .addOption(new Option('--secret <s>', 'shared secret (required)').env('WP_REALTIME_SECRET'))
    .addOption(
      new Option('--cors-origin <origin...>', 'browser origins allowed to connect (default: any, with a warning)')
        .env('WP_REALTIME_CORS_ORIGINS')
        .argParser(parseOrigin),
    )
    .addOption(
      new Option('--redis <url>', 'Redis shared by several relays: broadcasts, replay history and de-duplication')
        .env('WP_REALTIME_REDIS_URL')
        .argParser(parseRedisUrl),
    )
    .option('--history <n>', 'events kept per channel for replay and de-duplication', integerInRange(0, 100_000), RELAY_DEFAULTS.history)
    .option('--max-payload <bytes>', 'largest ingest body accepted', integerInRange(256, 16 * 1024 * 1024), RELAY_DEFAULTS.maxPayload)
    .option('--max-data-depth <levels>', "nesting of objects and arrays allowed in an event's data (data itself is level 1); deeper is refused with 400", integerInRange(1, 256), RELAY_DEFAULTS.maxDataDepth)
    .option('--max-data-keys <n>', "object keys plus array items allowed in one event's data; more is refused with 400", integerInRange(1, 1_000_000), RELAY_DEFAULTS.maxDataKeys)
    .option('--max-client-message <bytes>', 'largest message a client may send; a bigger frame closes its connection', integerInRange(1024, 16 * 1024 * 1024), RELAY_DEFAULTS.maxClientMessageBytes)
    .option('--history-channels <n>', 'without --redis: channels that keep history (the least recently used is dropped past this)', integerInRange(1, 10_000_000), RELAY_DEFAULTS.historyChannels)
    .option('--no-public', 'refuse clients without a token; public channels need a token too')
    .option('--ingest-rate <n>', 'ingest requests per second allowed from one IP', integerInRange(1, 1_000_000), RELAY_DEFAULTS.ingestRate)
    .option('--max-connections-per-ip <n>', 'open client connections allowed from one IP', integerInRange(1, 1_000_000), RELAY_DEFAULTS.maxConnectionsPerIp)
    .option('--handshake-rate <n>', 'client connections per second allowed from one IP', integerInRange(1, 1_000_000), RELAY_DEFAULTS.handshakeRate)
    .option('--history-ttl <seconds>', 'with --redis: how long event ids and idle channel history are kept', integerInRange(60, 30 * 86_400), RELAY_DEFAULTS.historyTtlSeconds)
    .option('--max-client-buffer <bytes>', 'unsent bytes a client may fall behind before it is dropped as a slow consumer', integerInRange(1024, 1024 ** 3), RELAY_DEFAULTS.maxClientBufferBytes)
    .option('--max-client-queue <packets>', 'queued packets a client may fall behind before it is dropped as a slow consumer', integerInRange(1, 10_000_000), RELAY_DEFAULTS.maxClientBufferPackets)
    .option(
      '--trust-proxy <proxy...>',
      'proxies whose X-Forwarded-For names the client for the per-IP limits: addresses, CIDR subnets, loopback, linklocal, uniquelocal',
      parseTrustProxy,
    )
    .addOption(
      new Option('--webhook-url <url...>', "WordPress webhook routes told (signed) when the relay is ready, so sites send what they queued during an outage at once, and of channel_occupied/vacated and member_added/removed: the plugin's /wp-json/<slug>/v1/webhook")
        .env('WP_REALTIME_WEBHOOK_URL')
        .argParser(parseWebhookUrl),
    )
    .option('--webhook-timeout <ms>', 'how long one webhook request may take', integerInRange(100, 120_000), RELAY_DEFAULTS.webhookTimeoutMs)
    .option('--webhook-retries <n>', 'retries of a failed webhook request (backoff from 0.5 s, at most 30 s apart)', integerInRange(0, 100), RELAY_DEFAULTS.webhookRetries)
    .option('--webhook-max-queue <n>', 'events one webhook URL may have waiting; past it the oldest is dropped (counted on /metrics, logged)', integerInRange(1, 1_000_000), RELAY_DEFAULTS.webhookMaxQueue)
    .option('--webhook-client-events', 'also report accepted client events (client_event) to the webhook URLs (default: off)', RELAY_DEFAULTS.webhookClientEvents)
    .option('--max-replay-bytes <bytes>', 'missed events (JSON bytes) replayed to one reconnecting client; past it the client gets replay_gap and reloads', integerInRange(1024, 1024 ** 3), RELAY_DEFAULTS.maxReplayBytes)
    .option('--client-message-rate <n>', 'messages per second one client may send (refused past it; dropped past twice it)', integerInRange(1, 1_000_000), RELAY_DEFAULTS.clientMessageRate)
    .option('--max-presence-members <n>', 'users one presence channel holds; a new user past it is refused (presence_full)', integerInRange(1, 1_000_000), RELAY_DEFAULTS.maxPresenceMembers)
    .option('--presence-timeout <seconds>', 'with --redis: a relay silent this long is taken for dead and its presence members are removed (heartbeat every third of it)', integerInRange(2, 3_600), RELAY_DEFAULTS.presenceTimeoutSeconds)
    .option('--client-events <pattern...>', 'private-* / presence-* channel patterns (* wildcard) where clients may send client-* events to the other subscribers (default: none)', parseClientEventPattern)
    .option('--max-client-event-bytes <bytes>', "largest client event data (JSON bytes)", integerInRange(16, 1024 * 1024), RELAY_DEFAULTS.maxClientEventBytes)
    .option('--client-event-rate <n>', 'client events per second one client may send', integerInRange(1, 10_000), RELAY_DEFAULTS.clientEventRate)
    .option('--max-sockets-per-ip <n>', 'raw TCP connections one IP may hold open (a --trust-proxy proxy is not capped)', integerInRange(1, 1_000_000), RELAY_DEFAULTS.maxSocketsPerIp)
    .option('--headers-timeout <seconds>', 'time a client may take to send request headers', integerInRange(1, 3_600), RELAY_DEFAULTS.headersTimeoutMs / 1000)
    .option('--request-timeout <seconds>', 'time a client may take to send a whole request, body included', integerInRange(1, 3_600), RELAY_DEFAULTS.requestTimeoutMs / 1000)
    .option('--keep-alive-timeout <seconds>', 'how long an idle keep-alive HTTP connection stays open', integerInRange(1, 3_600), RELAY_DEFAULTS.keepAliveTimeoutMs / 1000)
    .option('--drain-timeout <seconds>', 'on SIGTERM/SIGINT: how long in-flight requests may take before they are cut', integerInRange(0, 3_600), RELAY_DEFAULTS.drainTimeoutMs / 1000)
    .addOption(new Option('--pusher-app-id <id>', 'with --pusher-key and --pusher-secret: also speak the Pusher Channels protocol (WebSocket at /app/<key>, HTTP API at /apps/<id>/)').env('WP_REALTIME_PUSHER_APP_ID'))
    .addOption(new Option('--pusher-key <key>', "the Pusher app's key (the only credential a browser sees)").env('WP_REALTIME_PUSHER_KEY'))
    .addOption(new Option('--pusher-secret <secret>', "the Pusher app's secret (signs channel authorizations and HTTP API requests)").env('WP_REALTIME_PUSHER_SECRET'))
    .option('--no-lean-websocket', "serve WebSocket-first clients through engine.io's WebSocket transport too (more memory per connection; the WebSocket front-end is the default)")
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default(RELAY_DEFAULTS.logLevel))
    .action(async (flags: RelayFlags) => {
      const secret = requireSecret(flags.secret, 'relay');
      const options: Partial<RelayOptions> & { secret: string } = {
        secret,
        port: flags.port,
        host: flags.host,
        corsOrigins: flags.corsOrigin ?? [],
        history: flags.history,
        maxPayload: flags.maxPayload,
        maxDataDepth: flags.maxDataDepth,
        maxDataKeys: flags.maxDataKeys,
        maxClientMessageBytes: flags.maxClientMessage,
        historyChannels: flags.historyChannels,
        publicChannels: flags.public,
        ingestRate: flags.ingestRate,
        maxConnectionsPerIp: flags.maxConnectionsPerIp,
        handshakeRate: flags.handshakeRate,
        historyTtlSeconds: flags.historyTtl,
        redisUrl: flags.redis,
        maxClientBufferBytes: flags.maxClientBuffer,
        maxClientBufferPackets: flags.maxClientQueue,
        logLevel: flags.logLevel,
        leanWebSocket: flags.leanWebsocket,
        trustProxy: flags.trustProxy ?? [],
        webhookUrls: flags.webhookUrl ?? [],
        webhookTimeoutMs: flags.webhookTimeout,
        webhookRetries: flags.webhookRetries,
        webhookMaxQueue: flags.webhookMaxQueue,
        webhookClientEvents: flags.webhookClientEvents,
        maxReplayBytes: flags.maxReplayBytes,
        clientMessageRate: flags.clientMessageRate,
        maxPresenceMembers: flags.maxPresenceMembers,
        clientEvents: flags.clientEvents ?? [],
        maxClientEventBytes: flags.maxClientEventBytes,
        clientEventRate: flags.clientEventRate,
        presenceTimeoutSeconds: flags.presenceTimeout,
        maxSocketsPerIp: flags.maxSocketsPerIp,
        headersTimeoutMs: flags.headersTimeout * 1000,
        requestTimeoutMs: flags.requestTimeout * 1000,
        keepAliveTimeoutMs: flags.keepAliveTimeout * 1000,
        drainTimeoutMs: flags.drainTimeout * 1000,
        pusherApps: pusherApps(flags),
      };
      // Loaded when the command runs, not for every `wp-realtime …` (--help must start in well under a second).
      const [{ createRelay }, { createLogger }] = await Promise.all([import('../../relay/index.js'), import('../../relay/logger.js')]);
      const relay = createRelay(options);
      // Signal handlers go in before anything is printed: whoever waits for the banner may signal right after it.
      let stopRequested: (signal: NodeJS.Signals) => void = () => {};
      const signalled = new Promise<NodeJS.Signals>((resolve) => (stopRequested = resolve));
      process.once('SIGTERM', stopRequested);
      process.once('SIGINT', stopRequested);
      let url: string;
      try {
        url = await relay.start();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const hint = code === 'EADDRINUSE' ? `; port ${flags.port} is taken, pick another with --port` : '';
        throw new RuntimeFailure(`relay: could not listen on ${flags.host}:${flags.port} (${(error as Error).message})${hint}`);
      }
      if (options.corsOrigins?.length === 0) {
        relay.logger.warn('no --cors-origin given: browsers from any origin may connect; list your site with --cors-origin');
      }
      // The contract's "relay listening on <url>" line, as a JSON log line like every other line on stdout, and at
      // any --log-level: scripts wait for it.
      createLogger('info').info({ url }, `relay listening on ${url}`);
      const signal = await signalled;
      relay.logger.info({ signal }, 'draining');
      try {
        await relay.stop();
      } catch (error) {
        throw new RuntimeFailure(`relay: drain failed (${(error as Error).message})`);
      }
      if (options.redisUrl !== undefined) {
        // Drained. The socket.io Redis adapter's own connections close on their own schedule (a blocking read for up
        // to 5 s, or reconnect timers while Redis is away); nothing is left for them to do, so do not wait for them.
        process.exit(0);
      }
    });
}

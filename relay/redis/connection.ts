/**
 * The relay's Redis connections. Two clients, because they must fail differently while Redis is away:
 * - `commands` runs the broker's scripts with no offline queue, so a publish fails at once (ingest answers 503 and the
 *   WordPress outbox retries) instead of waiting for a Redis that may not come back;
 * - `reader` runs the log reader's blocking XREAD and keeps its offline queue, so the read loop waits for Redis
 *   instead of spinning on errors, and resumes from where it stopped when Redis returns.
 * Both reconnect forever with capped backoff; errors are logged, never thrown, so Redis can never crash the relay.
 */
import { createClient } from 'redis';
import type { Logger } from '../logger.js';

export type RedisClient = ReturnType<typeof createClient>;

const MAX_BACKOFF_MS = 2_000;

/** Exponential backoff with jitter, capped, so several relays do not reconnect in lockstep. */
function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** retries, MAX_BACKOFF_MS) + Math.floor(Math.random() * 100);
}

/** Redis URLs in logs never carry their password. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unparseable)';
  }
}

function createLoggedClient(url: string, role: 'commands' | 'reader', logger: Logger): RedisClient {
  const forCommands = role === 'commands';
  const client = createClient({
    url,
    disableOfflineQueue: forCommands,
    // Keeps the idle command connection alive through proxies and NATs that drop quiet ones. Not on the reader's
    // client: its blocking reads keep their connection busy anyway.
    ...(forCommands ? { pingInterval: 5_000 } : {}),
    socket: { connectTimeout: 2_000, reconnectStrategy: reconnectDelay },
  });
  let reported = false;
  client.on('error', (error: Error) => {
    // One line per outage, not one per retry.
    if (reported) return;
    reported = true;
    logger.error({ redis: redactRedisUrl(url), role, err: error.message }, 'redis unreachable: ingest answers 503 until it returns');
  });
  client.on('ready', () => {
    if (reported) logger.info({ redis: redactRedisUrl(url), role }, 'redis reachable again');
    reported = false;
  });
  return client;
}

export interface RedisConnections {
  commands: RedisClient;
  reader: RedisClient;
  isReady(): boolean;
  /** Starts connecting in the background: the relay listens (and /readyz answers 503) while Redis is down. */
  connect(): void;
  close(): Promise<void>;
}

export function createRedisConnections(url: string, logger: Logger): RedisConnections {
  const commands = createLoggedClient(url, 'commands', logger);
  const reader = createLoggedClient(url, 'reader', logger);
  return {
    commands,
    reader,
    isReady: () => commands.isReady && reader.isReady,
    connect() {
      for (const client of [commands, reader]) {
        // connect() retries by itself through reconnectStrategy; a rejection only means the client was closed.
        client.connect().catch((error: Error) => logger.debug({ err: error.message }, 'redis connect abandoned'));
      }
    },
    async close() {
      for (const client of [commands, reader]) {
        if (client.isOpen) client.destroy();
      }
    },
  };
}

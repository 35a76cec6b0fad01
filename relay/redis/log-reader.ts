/**
 * Cross-relay fan-out: every relay reads the shared log (the stream the publish script appends each accepted event
 * to, in sequence order) with a blocking XREAD and hands each event to its delivery core. No socket.io adapter: one
 * log gives every relay the same events, once, in the same order as history. After an outage the read resumes from
 * the last entry it read, so a relay that lost Redis catches up on what others accepted meanwhile.
 */
import type { EventEnvelope } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { RedisClient } from './connection.js';
import { redisKeys } from './keys.js';

/** How long one XREAD waits for new entries; bounds how late close() is noticed. */
const BLOCK_MS = 1_000;
const BATCH = 1_000;
const RETRY_MS = 200;

type Entry = [id: string, fields: string[]];

export class LogReader {
  /** The last entry read; undefined until the first read fixed the starting point (the log's tail then). */
  private last: string | undefined;
  /** True once a read succeeded since the last failure: this relay receives what every relay accepts. */
  private synced = false;
  private closed = false;

  constructor(
    private readonly client: RedisClient,
    private readonly deliver: (envelope: EventEnvelope, except: string | undefined) => void,
    /** Entries with field `p` instead of `e`: presence changes (redis/presence.ts). */
    private readonly presence: (json: string) => void,
    /** Entries with field `c`: client events (relay/client-events.ts), never in history. */
    private readonly clientEvent: (json: string) => void,
    /** Entries with field `u`: a server's termination of a user's Pusher connections (relay/pusher/). */
    private readonly termination: (json: string) => void,
    private readonly logger: Logger,
  ) {}

  get isSynced(): boolean {
    return this.synced && this.client.isReady;
  }

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.closed = true;
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      try {
        if (this.last === undefined) {
          const tail = (await this.client.sendCommand(['XREVRANGE', redisKeys.log, '+', '-', 'COUNT', '1'])) as Entry[];
          this.last = tail[0]?.[0] ?? '0-0';
        } else {
          const reply = (await this.client.sendCommand(['XREAD', 'COUNT', String(BATCH), 'BLOCK', String(BLOCK_MS), 'STREAMS', redisKeys.log, this.last])) as
            | [string, Entry[]][]
            | null;
          for (const [, entries] of reply ?? []) for (const [id, fields] of entries) this.read(id, fields);
        }
        if (!this.synced) this.logger.info('redis connected: this relay shares broadcasts, history and idempotency');
        this.synced = true;
      } catch (error) {
        if (this.closed) return;
        if (this.synced) this.logger.warn({ err: (error as Error).message }, 'reading the shared log failed; retrying');
        this.synced = false;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private read(id: string, fields: string[]): void {
    this.last = id;
    try {
      if (fields[0] === 'p') return this.presence(fields[1] ?? '');
      if (fields[0] === 'c') return this.clientEvent(fields[1] ?? '');
      if (fields[0] === 'u') return this.termination(fields[1] ?? '');
      const json = fields[fields.indexOf('e') + 1];
      const except = fields.indexOf('x') === -1 ? undefined : fields[fields.indexOf('x') + 1];
      this.deliver(JSON.parse(json ?? '') as EventEnvelope, except);
    } catch (error) {
      // Another relay (or an older version) wrote something this one cannot read: it costs that entry only.
      this.logger.error({ err: (error as Error).message, entry: id }, 'skipped an unreadable entry of the shared log');
    }
  }
}

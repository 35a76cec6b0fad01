/** Structured JSON logs (pino) on stdout, one object per line, ready for any log shipper. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'wp-realtime-relay' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** How `wp-realtime tail` prints one event: a JSON line (the envelope, for scripts) or a short line for people. */
import type { EventEnvelope } from '../../protocol/index.js';

export interface FormatOptions {
  json: boolean;
  /** ANSI colours: only when stdout is a terminal (and NO_COLOR is not set). */
  color: boolean;
}

const paint = (code: string, text: string, on: boolean): string => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

/** HH:MM:SS.mmm of the relay's ingest time (UTC, as the relay stamped it). */
function clock(time: string): string {
  const parsed = new Date(time);
  return Number.isNaN(parsed.getTime()) ? time : parsed.toISOString().slice(11, 23);
}

export function formatEvent(event: EventEnvelope, options: FormatOptions): string {
  if (options.json) return JSON.stringify(event);
  const data = event.data === undefined || (typeof event.data === 'object' && event.data !== null && Object.keys(event.data).length === 0)
    ? ''
    : `  ${JSON.stringify(event.data)}`;
  return [
    paint('2', clock(event.time), options.color),
    paint('36', event.channel, options.color),
    paint('1', event.type, options.color),
  ].join('  ') + data;
}

/** `--type` patterns: an exact type, or a prefix ending in `*` (`post.*`). No pattern: every type. */
export function typeMatcher(patterns: readonly string[]): (type: string) => boolean {
  if (patterns.length === 0) return () => true;
  return (type) => patterns.some((pattern) => (pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern));
}

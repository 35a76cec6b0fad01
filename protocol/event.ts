/** The event as WordPress sends it, and the envelope every browser receives as the socket.io event `custom_event`. */
import { z } from 'zod';
import { CHANNEL_PATTERN, DEFAULT_CHANNEL } from './channels.js';
import { checkDataShape, DATA_LIMIT_DEFAULTS, type DataLimits, type DataShapeFailure } from './data-shape.js';

export const CLIENT_EVENT_NAME = 'custom_event';
export const REPLAY_GAP_EVENT_NAME = 'replay_gap';
export const EVENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
export const EVENT_TYPE_PATTERN = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;
export const MAX_BATCH_SIZE = 100;

export const incomingEventSchema = z.strictObject({
  id: z.string().regex(EVENT_ID_PATTERN, `must match ${EVENT_ID_PATTERN.source}`).optional(),
  channel: z.string().regex(CHANNEL_PATTERN, `must match ${CHANNEL_PATTERN.source}`).default(DEFAULT_CHANNEL),
  type: z.string({ error: 'is required and must be a string' }).regex(EVENT_TYPE_PATTERN, `must match ${EVENT_TYPE_PATTERN.source}`),
  data: z.record(z.string(), z.unknown(), { error: 'must be a JSON object' }).default({}),
});

export const ingestBodySchema = z.union([
  incomingEventSchema,
  z
    .array(incomingEventSchema)
    .min(1, 'a batch holds at least one event')
    .max(MAX_BATCH_SIZE, `a batch holds at most ${MAX_BATCH_SIZE} events`),
]);

export type IncomingEvent = z.output<typeof incomingEventSchema>;

export interface EventEnvelope {
  id: string;
  channel: string;
  type: string;
  data: Record<string, unknown>;
  /** ISO 8601, set by the relay on ingest. */
  time: string;
}

export type ParseFailure = 'invalid_event' | DataShapeFailure;

export type ParseResult = { ok: true; events: IncomingEvent[] } | { ok: false; reason: ParseFailure; message: string };

function describeIssue(issue: z.core.$ZodIssue, batch: boolean): string {
  const path = issue.path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`)).join('');
  const field = (batch ? 'events' : 'event') + path;
  if (issue.code === 'unrecognized_keys') return `${field}: unknown field(s) ${issue.keys.join(', ')}`;
  return `${field}: ${issue.message}`;
}

/**
 * Validates a parsed JSON body (one event or a batch); the error message names the first offending field.
 * `data` is checked against the shape limits on the body as parsed (zod's copy of a record would already have lost
 * a `__proto__` key) and the events carry that same object: what was signed is what is stored and sent.
 */
export function parseIngestBody(body: unknown, limits: DataLimits = DATA_LIMIT_DEFAULTS): ParseResult {
  const batch = Array.isArray(body);
  const schema = batch ? ingestBodySchema.options[1] : incomingEventSchema;
  const result = schema.safeParse(body);
  if (!result.success) {
    if (!batch && (typeof body !== 'object' || body === null)) {
      return { ok: false, reason: 'invalid_event', message: 'body must be a JSON object (one event) or an array of events' };
    }
    const first = result.error.issues[0];
    return { ok: false, reason: 'invalid_event', message: first ? describeIssue(first, batch) : 'invalid event' };
  }
  const events = Array.isArray(result.data) ? result.data : [result.data];
  const raw = (batch ? body : [body]) as { data?: Record<string, unknown> }[];
  for (const [index, event] of events.entries()) {
    const data = raw[index]?.data;
    if (data === undefined) continue;
    const problem = checkDataShape(data, limits);
    if (problem) return { ok: false, reason: problem.reason, message: `${batch ? `events[${index}]` : 'event'}.data${problem.path}: ${problem.message}` };
    event.data = data;
  }
  return { ok: true, events };
}

/**
 * Control events: events on the reserved channel `wp-realtime.control` (protocol/revocation.ts) are instructions to
 * the relay, taken out of a signed batch before anything is stored: never numbered, never in history, never
 * broadcast. Only `revoke` exists. Riding the event ingest means one signature, one outbox and one retry path on the
 * WordPress side, and ordering with the events around it (a user's cut goes out before what is sent after it).
 */
import { CONTROL_CHANNEL, type IncomingEvent, parseRevocation, REVOKE_TYPE, type Revocation } from '../protocol/index.js';

export type ControlSplit =
  | { ok: true; events: IncomingEvent[]; revocations: Revocation[]; controlIds: Map<number, string> }
  | { ok: false; message: string };

/** The batch's ordinary events and its revocations; a control event that is no valid revocation refuses the batch. */
export function splitControlEvents(events: IncomingEvent[], batch: boolean, now: number): ControlSplit {
  if (!events.some((event) => event.channel === CONTROL_CHANNEL)) return { ok: true, events, revocations: [], controlIds: new Map() };
  const ordinary: IncomingEvent[] = [];
  const revocations: Revocation[] = [];
  const controlIds = new Map<number, string>();
  for (const [index, event] of events.entries()) {
    if (event.channel !== CONTROL_CHANNEL) {
      ordinary.push(event);
      continue;
    }
    const field = batch ? `events[${index}]` : 'event';
    if (event.type !== REVOKE_TYPE) return { ok: false, message: `${field}.type: the only control event is "${REVOKE_TYPE}"` };
    const parsed = parseRevocation(event.data, `${field}.data`, now);
    if (!parsed.ok) return parsed;
    revocations.push(parsed.revocation);
    controlIds.set(index, event.id as string);
  }
  return { ok: true, events: ordinary, revocations, controlIds };
}

/**
 * A broadcast in the wire format of the socket.io Redis Streams adapter, written by the relay's publish script the way
 * the socket.io project's own emitters do (sender uid "emitter"). Writing it in the same atomic script that claims the
 * id and appends history means an accepted event is always broadcast, by every relay's adapter, exactly once.
 * relay/test/live-gate.test.ts proves this format against the installed adapter (pinned at an exact version).
 */
import { CLIENT_EVENT_NAME, type EventEnvelope } from '../../protocol/index.js';
import { EVENT_ID_FLAG, PROBE_FLAG } from '../live-gate.js';

/** Stream entry fields besides `data`: emitter uid, default namespace, message type BROADCAST (3). */
export const EMITTER_FIELDS = { uid: 'emitter', nsp: '/', type: '3' } as const;

/** socket.io-parser's EVENT packet type. */
const EVENT_PACKET = 2;

function broadcastData(event: unknown[], rooms: string[], flags: Record<string, string>): string {
  return JSON.stringify({ packet: { type: EVENT_PACKET, data: event, nsp: '/' }, opts: { rooms, except: [], flags } });
}

/** The `data` field that makes every relay emit the envelope to the sockets in its channel's room. */
export function eventBroadcastData(envelope: EventEnvelope): string {
  return broadcastData([CLIENT_EVENT_NAME, envelope], [envelope.channel], { [EVENT_ID_FLAG]: envelope.id });
}

/** A broadcast to a room nobody is in: seeing it come back proves this relay's adapter reads the shared stream. */
export function probeBroadcastData(token: string): string {
  return broadcastData(['wp_realtime_probe'], [`wp-realtime-probe:${token}`], { [PROBE_FLAG]: token });
}

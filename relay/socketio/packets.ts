/**
 * The subset of the engine.io v4 and socket.io v5 wire formats a client of the default namespace uses, as text:
 * engine.io `0{…}` open, `2`/`3` ping/pong, `4…` message; socket.io (inside a message) `0{auth}` connect,
 * `1` disconnect, `2[name,…args]` event, `2<id>[…]` event with ack, `3<id>[…]` ack, `4{…}` connect error.
 * The socket.io layer is shared by both front-ends (engine.io hands it messages; the WebSocket front-end strips the
 * `4` itself). Pure functions, so every rule is testable alone. Binary packets (socket.io types 5 and 6) are not
 * part of this subset: the relay never sends or expects binary.
 */

export type IncomingPacket =
  | { kind: 'pong' }
  | { kind: 'ignored' }
  | { kind: 'close' }
  | { kind: 'connect'; nsp: string; auth: unknown }
  | { kind: 'disconnect'; nsp: string }
  | { kind: 'event'; nsp: string; name: string; args: unknown[]; ackId?: number }
  | { kind: 'invalid'; reason: string };

/** Event names socket.io reserves for itself; a client may not send them. */
const RESERVED_EVENTS = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

const ENGINE_CLOSE = '1';
const ENGINE_PING = '2';
const ENGINE_PONG = '3';
const ENGINE_MESSAGE = '4';
const ENGINE_UPGRADE = '5';
const ENGINE_NOOP = '6';

const SIO_CONNECT = '0';
const SIO_DISCONNECT = '1';
const SIO_EVENT = '2';
const SIO_ACK = '3';

/** An engine.io packet as a WebSocket text frame (the WebSocket front-end). */
export function decodeIncoming(text: string): IncomingPacket {
  switch (text[0]) {
    case ENGINE_PONG:
      return { kind: 'pong' };
    case ENGINE_CLOSE:
      return { kind: 'close' };
    // In engine.io v4 the server pings; a client ping or noop asks for nothing.
    case ENGINE_PING:
    case ENGINE_NOOP:
      return { kind: 'ignored' };
    case ENGINE_MESSAGE:
      return decodeSocketPacket(text, 1);
    case ENGINE_UPGRADE:
      return { kind: 'invalid', reason: 'upgrade packet on a connection that started as a WebSocket' };
    default:
      return { kind: 'invalid', reason: `unknown engine.io packet type "${text.slice(0, 1)}"` };
  }
}

/** A socket.io packet starting at `start` (0 for what engine.io hands over as a message). */
export function decodeSocketPacket(text: string, start = 0): IncomingPacket {
  const type = text[start];
  if (type !== SIO_CONNECT && type !== SIO_DISCONNECT && type !== SIO_EVENT && type !== SIO_ACK) {
    return { kind: 'invalid', reason: `socket.io packet type "${type ?? ''}" is not accepted` };
  }
  let at = start + 1;
  let nsp = '/';
  if (text[at] === '/') {
    const comma = text.indexOf(',', at);
    nsp = comma === -1 ? text.slice(at) : text.slice(at, comma);
    at = comma === -1 ? text.length : comma + 1;
  }
  let ackId: number | undefined;
  let digits = at;
  while (digits < text.length && text.charCodeAt(digits) >= 48 && text.charCodeAt(digits) <= 57) digits++;
  if (digits > at) {
    if (digits - at > 15) return { kind: 'invalid', reason: 'ack id too long' };
    ackId = Number(text.slice(at, digits));
    at = digits;
  }
  const body = text.slice(at);
  let payload: unknown;
  if (body !== '') {
    try {
      payload = JSON.parse(body);
    } catch {
      return { kind: 'invalid', reason: 'payload is not JSON' };
    }
  }
  switch (type) {
    case SIO_CONNECT:
      if (payload !== undefined && (typeof payload !== 'object' || payload === null || Array.isArray(payload))) {
        return { kind: 'invalid', reason: 'connect payload must be an object' };
      }
      return { kind: 'connect', nsp, auth: payload };
    case SIO_DISCONNECT:
      return { kind: 'disconnect', nsp };
    case SIO_EVENT: {
      if (!Array.isArray(payload) || payload.length === 0) return { kind: 'invalid', reason: 'event payload must be a non-empty array' };
      const [name, ...args] = payload as unknown[];
      if (typeof name !== 'string' || RESERVED_EVENTS.has(name)) return { kind: 'invalid', reason: 'event name must be a non-reserved string' };
      return ackId === undefined ? { kind: 'event', nsp, name, args } : { kind: 'event', nsp, name, args, ackId };
    }
    // The relay never asks a client for an ack; an ack from one answers nothing.
    default:
      return Array.isArray(payload) ? { kind: 'ignored' } : { kind: 'invalid', reason: 'ack payload must be an array' };
  }
}

export const PING = ENGINE_PING;
/** The engine.io message prefix the WebSocket front-end puts before every socket.io packet below. */
export const MESSAGE = ENGINE_MESSAGE;
export const DISCONNECT = SIO_DISCONNECT;

export function openPacket(sid: string, pingInterval: number, pingTimeout: number, maxPayload: number): string {
  return '0' + JSON.stringify({ sid, upgrades: [], pingInterval, pingTimeout, maxPayload });
}

function prefix(type: string, nsp: string): string {
  return type + (nsp === '/' ? '' : `${nsp},`);
}

export function connectPacket(sid: string): string {
  return prefix(SIO_CONNECT, '/') + JSON.stringify({ sid });
}

export function connectErrorPacket(nsp: string, message: string, data?: unknown): string {
  return prefix('4', nsp) + JSON.stringify(data === undefined ? { message } : { message, data });
}

export function eventPacket(name: string, ...args: unknown[]): string {
  return prefix(SIO_EVENT, '/') + JSON.stringify([name, ...args]);
}

export function ackPacket(ackId: number, ...args: unknown[]): string {
  return prefix(SIO_ACK, '/') + String(ackId) + JSON.stringify(args);
}

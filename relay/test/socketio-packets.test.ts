/** The shared socket.io packet codec (relay/socketio/packets.ts): what socket.io-client sends, and what it must reject. */
import { describe, expect, it } from 'vitest';
import { Encoder } from 'socket.io-parser';
import { ackPacket, connectErrorPacket, connectPacket, decodeIncoming, decodeSocketPacket, eventPacket, openPacket } from '../socketio/packets.js';
import { textFrame } from '../socketio/ws-frames.js';

/** socket.io-parser's encoding of a packet: what engine.io hands over as a message. */
function encoded(packet: Parameters<Encoder['encode']>[0]): string {
  return String(new Encoder().encode(packet)[0]);
}

/** What socket.io-client puts on a WebSocket for a packet (engine.io message prefix "4" + socket.io-parser's encoding). */
function fromClient(packet: Parameters<Encoder['encode']>[0]): string {
  return `4${encoded(packet)}`;
}

describe('decodeIncoming', () => {
  it('reads the packets socket.io-client sends', () => {
    expect(decodeIncoming(fromClient({ type: 0, nsp: '/' }))).toEqual({ kind: 'connect', nsp: '/', auth: undefined });
    expect(decodeIncoming(fromClient({ type: 0, nsp: '/', data: { token: 't', lastEventId: 'e-1' } }))).toEqual({
      kind: 'connect',
      nsp: '/',
      auth: { token: 't', lastEventId: 'e-1' },
    });
    expect(decodeIncoming(fromClient({ type: 0, nsp: '/admin', data: {} }))).toEqual({ kind: 'connect', nsp: '/admin', auth: {} });
    expect(decodeIncoming(fromClient({ type: 2, nsp: '/', data: ['subscribe', { channels: ['a'] }], id: 12 }))).toEqual({
      kind: 'event',
      nsp: '/',
      name: 'subscribe',
      args: [{ channels: ['a'] }],
      ackId: 12,
    });
    expect(decodeIncoming(fromClient({ type: 2, nsp: '/', data: ['ping-me'] }))).toEqual({ kind: 'event', nsp: '/', name: 'ping-me', args: [] });
    expect(decodeIncoming(fromClient({ type: 1, nsp: '/' }))).toEqual({ kind: 'disconnect', nsp: '/' });
    expect(decodeIncoming('3')).toEqual({ kind: 'pong' });
    expect(decodeIncoming('1')).toEqual({ kind: 'close' });
    expect(decodeIncoming('6')).toEqual({ kind: 'ignored' });
  });

  it.each([
    ['', 'unknown engine.io packet type'],
    ['9', 'unknown engine.io packet type'],
    ['5', 'upgrade packet'],
    ['42', 'non-empty array'],
    ['42{"a":1}', 'non-empty array'],
    ['42[1,2]', 'non-reserved string'],
    ['42["connect"]', 'non-reserved string'],
    ['42["x",', 'not JSON'],
    ['40[1]', 'connect payload must be an object'],
    ['40"token"', 'connect payload must be an object'],
    ['451-["x",{"_placeholder":true,"num":0}]', 'packet type "5"'],
    ['44{"message":"x"}', 'packet type "4"'],
    ['421234567890123456["x"]', 'ack id too long'],
  ])('rejects %j', (frame, reason) => {
    const decoded = decodeIncoming(frame);
    expect(decoded.kind).toBe('invalid');
    expect(decoded).toMatchObject({ reason: expect.stringContaining(reason) });
  });
});

describe('decodeSocketPacket', () => {
  it('reads what engine.io hands over as a message, as decodeIncoming reads it inside a WebSocket frame', () => {
    const packets: Parameters<Encoder['encode']>[0][] = [
      { type: 0, nsp: '/', data: { token: 't' } },
      { type: 2, nsp: '/', data: ['subscribe', 'a'], id: 3 },
      { type: 1, nsp: '/' },
    ];
    for (const packet of packets) expect(decodeSocketPacket(encoded(packet))).toEqual(decodeIncoming(fromClient(packet)));
    expect(decodeSocketPacket('2["x",')).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('not JSON') });
  });
});

describe('outgoing packets', () => {
  it('writes the packets a socket.io server writes', () => {
    expect(openPacket('abc', 25_000, 20_000, 16_384)).toBe('0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":16384}');
    expect(connectPacket('s1')).toBe(encoded({ type: 0, nsp: '/', data: { sid: 's1' } }));
    expect(connectErrorPacket('/', 'no', { error: 'e' })).toBe(encoded({ type: 4, nsp: '/', data: { message: 'no', data: { error: 'e' } } }));
    expect(connectErrorPacket('/admin', 'Invalid namespace')).toBe('4/admin,{"message":"Invalid namespace"}');
    expect(eventPacket('custom_event', { id: 'a' })).toBe(encoded({ type: 2, nsp: '/', data: ['custom_event', { id: 'a' }] }));
    expect(ackPacket(7, { ok: true })).toBe(encoded({ type: 3, nsp: '/', id: 7, data: [{ ok: true }] }));
  });

  it('frames text as an unmasked final WebSocket text frame with 7-bit, 16-bit and 64-bit lengths', () => {
    for (const length of [0, 125, 126, 65_535, 65_536, 70_000]) {
      const text = 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2);
      const frame = textFrame(text);
      const bytes = Buffer.byteLength(text);
      expect(frame[0]).toBe(0x81);
      const header = bytes < 126 ? 2 : bytes < 65_536 ? 4 : 10;
      const declared = bytes < 126 ? (frame[1] as number) : bytes < 65_536 ? frame.readUInt16BE(2) : Number(frame.readBigUInt64BE(2));
      expect(declared).toBe(bytes);
      expect(frame.subarray(header).toString()).toBe(text);
    }
  });
});

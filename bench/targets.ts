/**
 * The servers under test and how each one is fed: the wp-realtime relay (signed POST /v1/events), the recipe's naive
 * express + socket.io relay (unsigned POST /event-from-wp, io.emit to everyone) and a raw `ws` broadcast server
 * (POST /publish, the body written to every socket as is). `wp-realtime-pusher` is the same relay with a Pusher app,
 * fed the same way (as WordPress feeds it) but read by Pusher-protocol subscribers at /app/<key>.
 */
import { signatureHeader } from '../protocol/index.js';

export const TARGETS = ['wp-realtime', 'wp-realtime-pusher', 'naive-socketio', 'raw-ws'] as const;
export type Target = (typeof TARGETS)[number];

/**
 * The optional prototypes (bench/prototypes/fast-relay.ts) run only when asked for; they are not products.
 * prototype-relay writes one pre-built frame per event; prototype-batched also coalesces the events of one
 * event-loop turn into one write per subscriber.
 */
export const PROTOTYPE_TARGETS = ['prototype-relay', 'prototype-batched'] as const;
export const ALL_TARGETS = [...TARGETS, ...PROTOTYPE_TARGETS] as const;
export type AnyTarget = (typeof ALL_TARGETS)[number];

/** Servers that take signed events on POST /v1/events (and batches of them). */
export function isSignedIngest(target: AnyTarget): boolean {
  return target === 'wp-realtime' || target === 'wp-realtime-pusher' || target === 'prototype-relay' || target === 'prototype-batched';
}

/** The wp-realtime relay, read over socket.io or over the Pusher protocol: the targets the headline ratios are for. */
export const RELAY_TARGETS = ['wp-realtime', 'wp-realtime-pusher'] as const satisfies readonly AnyTarget[];

/** The Pusher app the `wp-realtime-pusher` relay is started with; subscribers connect to /app/<key>. */
export const BENCH_PUSHER_APP = { id: '1', key: 'bench-pusher-key' } as const;

/** How a target's subscribers speak: socket.io clients, Pusher protocol 7 over `ws`, or plain `ws` frames. */
export type SubscriberProtocol = 'socket.io' | 'pusher' | 'raw';

export function subscriberProtocol(target: AnyTarget): SubscriberProtocol {
  if (target === 'raw-ws') return 'raw';
  return target === 'wp-realtime-pusher' ? 'pusher' : 'socket.io';
}

/** How subscribers connect: socket.io clients either skip long-polling or start with it and upgrade (the default). */
export type Transport = 'websocket' | 'default';

export function usesSocketIo(target: AnyTarget): boolean {
  return subscriberProtocol(target) === 'socket.io';
}

export interface PublishRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The event WordPress would send, padded so that what a browser receives is about EVENT_BYTES long. The id is in
 * `data` too: a Pusher message carries only the event's name, channel and data, and subscribers count by id.
 */
export const EVENT_BYTES = 250;
const PAD = 'x'.repeat(256);

export function benchEvent(id: string, seq: number): Record<string, unknown> {
  const event = { id, channel: 'public', type: 'post.published', data: { id, seq, title: 'Benchmark post', url: 'http://127.0.0.1/?p=1', pad: '' } };
  // The relay adds "time":"<ISO 8601>" (about 33 bytes); the others forward the body as it came.
  const base = JSON.stringify(event).length + 33;
  event.data.pad = PAD.slice(0, Math.max(0, EVENT_BYTES - base));
  return event;
}

export function publishRequest(target: AnyTarget, secret: string, events: Record<string, unknown>[]): PublishRequest {
  const single = events.length === 1 ? events[0] : events;
  switch (target) {
    case 'wp-realtime':
    case 'wp-realtime-pusher':
    case 'prototype-relay':
    case 'prototype-batched': {
      const body = JSON.stringify(single);
      return { path: '/v1/events', headers: { 'content-type': 'application/json', 'x-wp-realtime-signature': signatureHeader(secret, body) }, body };
    }
    case 'naive-socketio':
      // The recipe's endpoint takes one event per request and re-emits whatever it was given.
      return { path: '/event-from-wp', headers: { 'content-type': 'application/json' }, body: JSON.stringify(single) };
    case 'raw-ws':
      return { path: '/publish', headers: { 'content-type': 'application/json' }, body: JSON.stringify(single) };
  }
}

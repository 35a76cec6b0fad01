/**
 * PROTOTYPE, not product code: the broadcast path the issue proposes for the relay, to measure its effect before
 * relay/ changes. Same wire protocol for clients (socket.io `custom_event` envelopes on channel rooms) and the same
 * signed POST /v1/events ingest, but:
 *  - websocket transport only, perMessageDeflate and httpCompression off;
 *  - each event is encoded once into one complete WebSocket frame (engine.io "4" + socket.io "2[…]" text) and that
 *    same Buffer is written straight to every subscriber's TCP socket: no per-client packet objects, no engine.io
 *    write buffer, no ws framing, one write() instead of a corked header + payload writev, no write callback;
 *  - a subscriber whose socket already holds too much unsent data is dropped at write time (no periodic sweep);
 *  - the upgrade request and the handshake's copy of its headers are let go once the connection is set up;
 *  - with --coalesce, the frames of every event accepted during one event-loop turn are concatenated and written to
 *    each subscriber with one write(): under load, fewer syscalls per delivery; when events are sparse, no added
 *    delay (the flush runs in the same turn's setImmediate phase).
 * It reaches into engine.io/ws internals (`conn.transport.socket._socket`) that a product would wrap or replace.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket as NetSocket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Server } from 'socket.io';
import { WebSocket } from 'ws';
import { CLIENT_EVENT_NAME, parseIngestBody, SIGNATURE_HEADER, verifySignature } from '../../protocol/index.js';

const MAX_BODY_BYTES = 65_536;
const MAX_UNSENT_BYTES = 4 * 1024 * 1024;

function argValue(flag: string): string {
  const index = process.argv.indexOf(flag);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  if (!value) {
    process.stderr.write(`prototype relay: ${flag} is required\n`);
    process.exit(2);
  }
  return value;
}

const secret = argValue('--secret');
const coalesce = process.argv.includes('--coalesce');
const httpServer = createServer();
const io = new Server(httpServer, { serveClient: false, transports: ['websocket'], perMessageDeflate: false, httpCompression: false });
io.on('connection', (socket) => {
  void socket.join('public');
  // Nothing reads the upgrade request's headers after the handshake; the relay would copy what it needs first.
  (socket.handshake as { headers: unknown }).headers = {};
});
// engine.io keeps the upgrade request (IncomingMessage, its headers and raw headers) for the connection's lifetime.
io.engine.on('connection', (raw: { request: unknown }) => {
  raw.request = null;
});

interface EngineWebSocketTransport {
  name: string;
  socket?: { _socket?: NetSocket };
}

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
/** ws exposes its framer at runtime (socket.io-adapter uses it the same way); @types/ws does not declare it. */
const { Sender } = WebSocket as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };

/** One text frame, built once per event; server frames are unmasked, so every subscriber gets the same bytes. */
function frameFor(envelope: Record<string, unknown>): Buffer {
  const payload = Buffer.from(`42${JSON.stringify([CLIENT_EVENT_NAME, envelope])}`);
  const parts = Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false });
  return Buffer.concat(parts);
}

const pendingFrames = new Map<string, Buffer[]>();
let flushScheduled = false;

function flushPending(): void {
  flushScheduled = false;
  for (const [channel, frames] of pendingFrames) broadcast(channel, frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames));
  pendingFrames.clear();
}

function publish(channel: string, frame: Buffer): void {
  if (!coalesce) {
    broadcast(channel, frame);
    return;
  }
  const frames = pendingFrames.get(channel);
  if (frames) frames.push(frame);
  else pendingFrames.set(channel, [frame]);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushPending);
  }
}

function broadcast(channel: string, frame: Buffer): number {
  const members = io.sockets.adapter.rooms.get(channel);
  if (!members) return 0;
  let written = 0;
  for (const id of members) {
    const socket = io.sockets.sockets.get(id);
    const transport = socket?.conn.transport as unknown as EngineWebSocketTransport | undefined;
    const tcp = transport?.name === 'websocket' ? transport.socket?._socket : undefined;
    if (!socket || !tcp || tcp.destroyed) continue;
    if (tcp.writableLength > MAX_UNSENT_BYTES) {
      tcp.destroy();
      continue;
    }
    tcp.write(frame);
    written++;
  }
  return written;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function ingest(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) return reply(res, 413, { error: 'payload_too_large', message: 'body too large' });
    const body = Buffer.concat(chunks);
    const signature = verifySignature(req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined, body, secret);
    if (!signature.ok) return reply(res, 401, { error: 'invalid_signature', message: signature.message });
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return reply(res, 400, { error: 'invalid_json', message: 'body is not JSON' });
    }
    const parsed = parseIngestBody(json);
    if (!parsed.ok) return reply(res, 400, { error: 'invalid_event', message: parsed.message });
    const time = new Date().toISOString();
    const ids = parsed.events.map((event) => {
      const envelope = { id: event.id ?? randomUUID(), channel: event.channel, type: event.type, data: event.data, time };
      publish(event.channel, frameFor(envelope));
      return envelope.id;
    });
    reply(res, 202, { accepted: ids.length, ids });
  });
}

httpServer.on('request', (req, res) => {
  // socket.io answers its own path; everything else is ours.
  if (req.url?.startsWith('/socket.io/')) return;
  if (req.method === 'POST' && req.url === '/v1/events') return ingest(req, res);
  reply(res, 404, { error: 'not_found', message: `no route for ${req.method} ${req.url}` });
});

httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as AddressInfo;
  process.stdout.write(`prototype relay listening on http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => process.exit(0));

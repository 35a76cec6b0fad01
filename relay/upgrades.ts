/** What every WebSocket front-end does with a socket the HTTP server hands over for an upgrade, before `ws` has it. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AllowRequest } from './limits.js';

/** Every front-end's first step: guard the socket, then the connection gate (origin, per-IP quota), then `accept`. */
export function gateUpgrade(allowRequest: AllowRequest, req: IncomingMessage, socket: Duplex, accept: () => void): void {
  socket.on('error', destroySocket);
  allowRequest(req, (reason, allowed) => (allowed ? accept() : refuseUpgrade(socket, reason ?? 'connection refused')));
}

/**
 * The upgrade socket's error listener. Node's HTTP server stops handling errors of a socket it hands over: a peer
 * that resets now must not take the process down. Module-level: a closure would keep the request alive.
 */
export function destroySocket(this: Duplex): void {
  this.destroy();
}

/**
 * Answers a refused upgrade over HTTP, as engine.io does, with the relay's JSON error body, then closes the socket:
 * the HTTP server no longer tracks it, so a client that keeps its side open must not keep it alive.
 */
export function refuseUpgrade(socket: Duplex, reason: string, status: 403 | 429 = 403): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: status === 429 ? 'handshake_rate_limited' : 'forbidden', message: reason });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${status === 429 ? 'Too Many Requests' : 'Forbidden'}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * Raw HTTP connection limits, against slowloris and connection hoarding: how many TCP connections one address may
 * hold open (a trusted proxy is not capped), how long a client may take to send its headers and its whole request,
 * and how long an idle keep-alive connection stays open. Node's defaults (60 s headers, 300 s request, checked every
 * 30 s) let a trickling client hold a connection for minutes; these are set explicitly and checked every second.
 * Timed-out requests get a 408 with the relay's JSON error body, unparsable ones a 400; all are counted by reason.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { peerClassifier } from './client-address.js';
import type { Logger } from './logger.js';
import type { RejectionReason, RelayMetrics } from './metrics.js';
import type { RelayOptions } from './options.js';

/** How often Node checks the header and request timeouts (its default, 30 s, would add up to 30 s to each). */
export const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

type Limits = Pick<RelayOptions, 'maxSocketsPerIp' | 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'trustProxy'>;

function errorResponse(status: 400 | 408, error: string, message: string): string {
  const body = JSON.stringify({ error, message });
  const text = status === 408 ? 'Request Timeout' : 'Bad Request';
  return `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export function guardHttpConnections(server: Server, options: Limits, metrics: RelayMetrics, logger: Logger): void {
  server.headersTimeout = options.headersTimeoutMs;
  server.requestTimeout = options.requestTimeoutMs;
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  const classify = peerClassifier(options.trustProxy);
  const openByAddress = new Map<string, number>();

  server.on('connection', (socket: Socket) => {
    const { address, trusted } = classify(socket.remoteAddress);
    if (trusted) return;
    const open = openByAddress.get(address) ?? 0;
    if (open >= options.maxSocketsPerIp) {
      metrics.rejections.inc({ reason: 'too_many_sockets' });
      logger.debug({ ip: address }, 'connection refused: too many open connections from this address');
      socket.destroy();
      return;
    }
    openByAddress.set(address, open + 1);
    socket.once('close', () => {
      const left = (openByAddress.get(address) ?? 1) - 1;
      if (left <= 0) openByAddress.delete(address);
      else openByAddress.set(address, left);
    });
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    // A peer that reset or went away gets no answer; it is not a refusal.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const reason: RejectionReason = timedOut ? 'request_timeout' : 'invalid_http';
    metrics.rejections.inc({ reason });
    const response = timedOut
      ? errorResponse(408, 'request_timeout', `the request was not received within ${options.headersTimeoutMs / 1000} s (headers) / ${options.requestTimeoutMs / 1000} s (whole request)`)
      : errorResponse(400, 'invalid_http', 'the request is not valid HTTP/1.1');
    // HTTP server sockets allow half-open connections: destroy once the answer is out, whatever the peer does.
    socket.end(response, () => socket.destroy());
    setTimeout(() => socket.destroy(), 1_000).unref();
  });
}

/**
 * `--trust-proxy`: the per-IP limits count the visitor behind a trusted proxy, and a visitor cannot choose its own
 * address by sending X-Forwarded-For. Pure resolver tests, then a real relay process with real connections.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SIGNATURE_HEADER, signatureHeader } from '../../protocol/index.js';
import { addressResolver, trustedProxies } from '../client-address.js';
import { startRelayProcess } from './support/relay-process.js';

function request(peer: string, forwardedFor?: string): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } } as unknown as IncomingMessage;
}

describe('addressResolver', () => {
  it('ignores X-Forwarded-For unless the peer is a trusted proxy', () => {
    expect(addressResolver([])(request('127.0.0.1', '203.0.113.7'))).toBe('127.0.0.1');
    expect(addressResolver(['10.0.0.0/8'])(request('198.51.100.1', '203.0.113.7'))).toBe('198.51.100.1');
  });

  it('takes the first untrusted hop from the nearest one, so a client-sent prefix cannot spoof it', () => {
    const resolve = addressResolver(['loopback', '10.0.0.0/8']);
    expect(resolve(request('127.0.0.1', '203.0.113.7'))).toBe('203.0.113.7');
    // The visitor sent "1.2.3.4"; the proxy appended the address it saw.
    expect(resolve(request('127.0.0.1', '1.2.3.4, 203.0.113.7'))).toBe('203.0.113.7');
    // Two trusted proxies in a row.
    expect(resolve(request('::ffff:127.0.0.1', '203.0.113.7, 10.1.2.3'))).toBe('203.0.113.7');
    // All hops trusted: the farthest one is the best there is.
    expect(resolve(request('127.0.0.1', '10.0.0.9'))).toBe('10.0.0.9');
    // A malformed hop stops the walk at what the proxies vouched for.
    expect(resolve(request('127.0.0.1', '203.0.113.7, not-an-ip'))).toBe('127.0.0.1');
    expect(resolve(request('::1', '2001:db8::5'))).toBe('2001:db8::5');
  });

  it.each(['localhost', '10.0.0.0/33', '10.0.0.0/x', '300.1.1.1', ''])('refuses %j as a trusted proxy', (value) => {
    expect(() => trustedProxies([value])).toThrow(/not an IP address, a CIDR subnet/);
  });
});

function openWebSocket(url: string, forwardedFor: string): Promise<number> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: { 'x-forwarded-for': forwardedFor } });
  return new Promise((resolve) => {
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
  });
}

async function ingest(url: string, secret: string, forwardedFor: string): Promise<number> {
  const body = JSON.stringify({ type: 'proxy.test' });
  const response = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signatureHeader(secret, body), 'x-forwarded-for': forwardedFor },
    body,
  });
  return response.status;
}

describe('--trust-proxy on a running relay', () => {
  it('counts connections and ingest per visitor behind a trusted proxy, and per peer without it', async () => {
    const behindProxy = await startRelayProcess(['--trust-proxy', 'loopback', '--max-connections-per-ip', '1', '--ingest-rate', '1']);
    const direct = await startRelayProcess(['--max-connections-per-ip', '1', '--ingest-rate', '1']);
    try {
      expect(await openWebSocket(behindProxy.url, '203.0.113.1')).toBe(101);
      expect(await openWebSocket(behindProxy.url, '203.0.113.2')).toBe(101);
      expect(await openWebSocket(behindProxy.url, '203.0.113.1')).toBe(403);
      expect(await ingest(behindProxy.url, behindProxy.secret, '203.0.113.1')).toBe(202);
      expect(await ingest(behindProxy.url, behindProxy.secret, '203.0.113.2')).toBe(202);
      expect(await ingest(behindProxy.url, behindProxy.secret, '203.0.113.1')).toBe(429);

      // Without --trust-proxy the header changes nothing: both visitors are 127.0.0.1.
      expect(await openWebSocket(direct.url, '203.0.113.1')).toBe(101);
      expect(await openWebSocket(direct.url, '203.0.113.2')).toBe(403);
      expect(await ingest(direct.url, direct.secret, '203.0.113.1')).toBe(202);
      expect(await ingest(direct.url, direct.secret, '203.0.113.2')).toBe(429);
    } finally {
      await Promise.all([behindProxy.stop(), direct.stop()]);
    }
  });

  it('refuses an invalid --trust-proxy with exit code 2 and a one-line reason', async () => {
    const failed = await startRelayProcess(['--trust-proxy', 'localhost']).then(
      () => null,
      (error: Error) => error.message,
    );
    expect(failed).toMatch(/exited with 2/);
    expect(failed).toMatch(/--trust-proxy "localhost" is not an IP address/);
  });
});


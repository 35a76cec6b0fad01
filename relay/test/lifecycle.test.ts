/** Start-up, health, drain on SIGTERM, slow consumers and --no-public, each against a real relay process. */
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { mintToken, SIGNATURE_HEADER, signatureHeader } from '../../protocol/index.js';
import { connect, connectError, postSigned, settle } from './support/clients.js';
import { runCli, startRelayProcess } from './support/relay-process.js';

describe('start-up', () => {
  it('refuses to start without a secret, saying how to give one (exit 2)', async () => {
    const result = await runCli(['relay', '--port', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--secret.*WP_REALTIME_SECRET.*wp-realtime secret/);
  });

  it('refuses a weak secret and bad flags with exit 2', async () => {
    expect((await runCli(['relay', '--secret', 'short'])).code).toBe(2);
    expect((await runCli(['relay', '--secret', 'x'.repeat(40), '--port', '70000'])).code).toBe(2);
    expect((await runCli(['relay', '--secret', 'x'.repeat(40), '--history', '-1'])).code).toBe(2);
    const cors = await runCli(['relay', '--secret', 'x'.repeat(40), '--cors-origin', 'example.com/path']);
    expect(cors.code).toBe(2);
    expect(cors.stderr).toContain('--cors-origin');
    const redis = await runCli(['relay', '--secret', 'x'.repeat(40), '--redis', 'http://127.0.0.1:6379']);
    expect(redis.code).toBe(2);
    expect(redis.stderr).toContain('redis://');
    expect((await runCli(['relay', '--secret', 'x'.repeat(40), '--handshake-rate', '0'])).code).toBe(2);
  });

  it('takes its secret and port from the environment', async () => {
    const result = await runCli(['relay'], { WP_REALTIME_SECRET: 'short' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the secret is 5 characters');
  });

  it('exits 1 with a clear message when the port is taken', async () => {
    const first = await startRelayProcess();
    const port = new URL(first.url).port;
    const second = await runCli(['relay', '--port', port, '--secret', first.secret]);
    await first.stop();
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`port ${port} is taken`);
  });

  it('warns that any origin may connect when no --cors-origin is given, and not otherwise', async () => {
    const open = await startRelayProcess(['--log-level', 'info']);
    const listed = await startRelayProcess(['--log-level', 'info', '--cors-origin', 'https://example.com']);
    await settle(100);
    expect(open.output()).toContain('any origin');
    expect(listed.output()).not.toContain('any origin');
    await Promise.all([open.stop(), listed.stop()]);
  });
});

describe('health and metrics', () => {
  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    const relay = await startRelayProcess();
    try {
      expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${relay.url}/readyz`);
      expect(ready.status).toBe(200);
      const client = await connect(relay.url);
      await postSigned(relay.url, relay.secret, { type: 'x' });
      await client.waitFor(1);
      const metrics = await fetch(`${relay.url}/metrics`);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      const text = await metrics.text();
      expect(text).toMatch(/^wp_realtime_connections 1$/m);
      expect(text).toMatch(/^wp_realtime_events_in_total 1$/m);
      expect(text).toMatch(/^wp_realtime_deliveries_total 1$/m);
      expect(text).toMatch(/^wp_realtime_ingest_to_emit_seconds_count 1$/m);
      client.close();
    } finally {
      await relay.stop();
    }
  });
});

describe('drain', () => {
  it('on SIGTERM finishes the request in flight, delivers its event, answers 503 to newcomers and exits 0', async () => {
    const relay = await startRelayProcess();
    const client = await connect(relay.url);
    const body = JSON.stringify({ id: 'in-flight', type: 'x' });
    const url = new URL(`${relay.url}/v1/events`);
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), [SIGNATURE_HEADER]: signatureHeader(relay.secret, body) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 5));
      // The rest of the body arrives only after the relay was told to stop.
      setTimeout(() => req.end(body.slice(5)), 300);
    });
    await settle(100);
    const exited = relay.stop('SIGTERM');
    expect(await inFlight).toBe(202);
    expect(await exited).toBe(0);
    expect(client.events.map((e) => e.id)).toEqual(['in-flight']);
    await expect(fetch(`${relay.url}/healthz`)).rejects.toThrow();
  });

  it('exits 0 on SIGINT too', async () => {
    const relay = await startRelayProcess();
    expect(await relay.stop('SIGINT')).toBe(0);
  });
});

// WebSocket-first clients are lean connections by default, full socket.io sockets with --no-lean-websocket.
describe.each([
  { mode: 'lean WebSocket', flags: [], path: 'websocket' },
  { mode: 'socket.io WebSocket', flags: ['--no-lean-websocket'], path: 'engine.io' },
])('slow consumers ($mode)', ({ flags, path }) => {
  it('drops a client that stops reading while fast clients keep receiving', async () => {
    const relay = await startRelayProcess(['--max-client-buffer', '262144', '--max-client-queue', '200', '--max-payload', '1048576', ...flags]);
    try {
      const fast = await connect(relay.url);
      // The slow client's TCP socket, through the agent its WebSocket connects with (a public option of
      // socket.io-client and ws); once paused, the relay's output for this client can only pile up.
      const sockets: Socket[] = [];
      class CapturingAgent extends Agent {
        override createConnection(...args: Parameters<Agent['createConnection']>): ReturnType<Agent['createConnection']> {
          const socket = super.createConnection(...args);
          if (socket) sockets.push(socket as Socket);
          return socket;
        }
      }
      const slow = await connect(relay.url, { agent: new CapturingAgent() as unknown as string });
      expect(sockets).toHaveLength(1);
      sockets[0]?.pause();

      const pad = 'x'.repeat(8_000);
      const total = 1_000;
      for (let batch = 0; batch < total / 100; batch++) {
        const events = Array.from({ length: 100 }, (_, i) => ({ id: `bulk-${batch}-${i}`, type: 'bulk', data: { pad } }));
        expect((await postSigned(relay.url, relay.secret, events)).status).toBe(202);
      }
      await fast.waitFor(total, 20_000);

      const deadline = Date.now() + 5_000;
      let text = '';
      while (Date.now() < deadline) {
        text = await (await fetch(`${relay.url}/metrics`)).text();
        if (/wp_realtime_rejections_total\{reason="slow_consumer"\} 1/.test(text)) break;
        await settle(100);
      }
      expect(text).toMatch(/wp_realtime_rejections_total\{reason="slow_consumer"\} 1/);
      expect(text).toMatch(/^wp_realtime_connections 1$/m);
      // The events took the direct frame writes, which drop a slow consumer at write time.
      expect(text).toMatch(new RegExp(`^wp_realtime_broadcast_frames\\{path="${path}"\\} [1-9]\\d*$`, 'm'));
      expect(fast.socket.connected).toBe(true);
      fast.close();
      slow.close();
    } finally {
      await relay.stop();
    }
  });
});

describe('--no-public', () => {
  it('refuses clients without a token and needs a token listing even public channels', async () => {
    const relay = await startRelayProcess(['--no-public']);
    try {
      const anonymous = await connectError(relay.url);
      expect(anonymous.data).toMatchObject({ error: 'token_required' });
      const withoutPublic = await connectError(relay.url, {
        auth: { token: mintToken({ secret: relay.secret, user: '1', channels: ['private-user-1'] }), channels: ['public'] },
      });
      expect(withoutPublic.data).toMatchObject({ error: 'channel_forbidden' });
      const member = await connect(relay.url, { auth: { token: mintToken({ secret: relay.secret, user: '1', channels: ['public'] }) } });
      await postSigned(relay.url, relay.secret, { id: 'np-1', type: 'x' });
      await member.waitFor(1);
      member.close();
    } finally {
      await relay.stop();
    }
  });
});

/**
 * --webhook-url: a real relay process POSTs its signed relay_ready batch to a real local HTTP receiver; failures are
 * retried with backoff and the retries are bounded; a site that refuses the request is not pestered.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, verifySignature } from '../../protocol/index.js';
import { retryDelayMs } from '../webhooks.js';
import { startRedisServer } from './support/redis-server.js';
import { runCli, startRelayProcess, type RelayProcess } from './support/relay-process.js';

interface Received {
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver that answers each request with the next status of `statuses` (the last one repeats). */
async function startReceiver(statuses: number[]): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wp-json/acme-live/v1/webhook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function webhookCounts(relay: RelayProcess): Promise<Record<string, number>> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^wp_realtime_webhooks_total\{outcome="(\w+)"\} (\d+)/gm)) counts[match[1] as string] = Number(match[2]);
  return counts;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('relay_ready webhook', () => {
  it('POSTs a signed relay_ready batch to every --webhook-url as soon as the relay listens', async () => {
    const first = await startReceiver([200]);
    const second = await startReceiver([200]);
    cleanups.push(first.close, second.close);
    const started = Date.now();
    const relay = await startRelayProcess(['--webhook-url', first.url, second.url]);
    cleanups.push(() => relay.stop());
    await waitFor(() => first.received.length === 1 && second.received.length === 1, 5_000);
    for (const receiver of [first, second]) {
      const [request] = receiver.received;
      expect(request!.headers['content-type']).toBe('application/json');
      const signature = verifySignature(request!.headers[SIGNATURE_HEADER.toLowerCase()] as string, request!.body, relay.secret);
      expect(signature.ok).toBe(true);
      // The same bytes under another secret do not verify: the receiver can tell a forgery.
      expect(verifySignature(request!.headers[SIGNATURE_HEADER.toLowerCase()] as string, request!.body, 'x'.repeat(43)).ok).toBe(false);
      const batch = JSON.parse(request!.body) as { time_ms: number; events: { name: string }[] };
      expect(batch.events).toEqual([{ name: 'relay_ready' }]);
      expect(batch.time_ms).toBeGreaterThanOrEqual(started);
      expect(batch.time_ms).toBeLessThanOrEqual(Date.now());
    }
    // Ready once, announced once: nothing more while the relay stays ready.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(first.received).toHaveLength(1);
    expect(await webhookCounts(relay)).toMatchObject({ delivered: 2, retried: 0, gave_up: 0 });
  });

  it('retries a failing site with growing delays, and stops after --webhook-retries', async () => {
    const receiver = await startReceiver([503]);
    cleanups.push(receiver.close);
    const relay = await startRelayProcess(['--webhook-url', receiver.url, '--webhook-retries', '3']);
    cleanups.push(() => relay.stop());
    // 1 attempt + 3 retries after 0.5 + 1 + 2 s.
    await waitFor(() => receiver.received.length === 4, 10_000);
    const gaps = receiver.received.slice(1).map((r, i) => r.at - receiver.received[i]!.at);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(retryDelayMs(i + 1) - 50));
    expect(gaps[2]!).toBeGreaterThan(gaps[0]!);
    await new Promise((r) => setTimeout(r, 5_000));
    expect(receiver.received).toHaveLength(4);
    expect(await webhookCounts(relay)).toMatchObject({ delivered: 0, retried: 3, gave_up: 1 });
  }, 30_000);

  it('delivers once the site answers again, and does not retry a site that refuses (401)', async () => {
    const flaky = await startReceiver([500, 502, 200]);
    const refusing = await startReceiver([401]);
    cleanups.push(flaky.close, refusing.close);
    const relay = await startRelayProcess(['--webhook-url', flaky.url, '--webhook-url', refusing.url]);
    cleanups.push(() => relay.stop());
    await waitFor(() => flaky.received.length === 3, 10_000);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(flaky.received).toHaveLength(3);
    expect(refusing.received).toHaveLength(1);
    expect(await webhookCounts(relay)).toMatchObject({ delivered: 1, retried: 2, refused: 1, gave_up: 0 });
  }, 30_000);

  it('counts a site that does not answer within --webhook-timeout as failed', async () => {
    // Accepts the connection and never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => (silent.closeAllConnections(), silent.close(resolve))));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`;
    const relay = await startRelayProcess(['--webhook-url', url, '--webhook-timeout', '300', '--webhook-retries', '1']);
    cleanups.push(() => relay.stop());
    await waitFor(() => false, 2_500).catch(() => undefined);
    expect(await webhookCounts(relay)).toMatchObject({ retried: 1, gave_up: 1 });
  }, 15_000);

  it('with --redis: announces only once Redis is shared, and again each time Redis comes back', async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.dispose());
    const receiver = await startReceiver([200]);
    cleanups.push(receiver.close);
    await redis.stop();
    const relay = await startRelayProcess(['--redis', redis.url, '--webhook-url', receiver.url]);
    cleanups.push(() => relay.stop());
    // Listening, but not ready without Redis: WordPress would only get 503s, so it is not told yet.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(receiver.received).toHaveLength(0);
    await redis.start();
    await waitFor(() => receiver.received.length === 1, 10_000);
    await redis.stop();
    for (let tries = 0; (await fetch(`${relay.url}/readyz`)).status !== 503; tries++) {
      if (tries > 100) throw new Error('the relay never noticed that Redis stopped');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(receiver.received).toHaveLength(1);
    // The relay samples its readiness every 250 ms: let it see the outage (timers run late on a loaded machine).
    await new Promise((r) => setTimeout(r, 2_000));
    await redis.start();
    await waitFor(() => receiver.received.length === 2, 25_000);
    expect((JSON.parse(receiver.received[1]!.body) as { events: unknown }).events).toEqual([{ name: 'relay_ready' }]);
  }, 75_000);

  it('takes the URLs from WP_REALTIME_WEBHOOK_URL, and refuses a URL that is not http(s) with exit 2', async () => {
    const bad = await runCli(['relay', '--secret', 'x'.repeat(40), '--webhook-url', 'ftp://example.com/hook']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--webhook-url');
    const badEnv = await runCli(['relay', '--secret', 'x'.repeat(40)], { WP_REALTIME_WEBHOOK_URL: 'not a url' });
    expect(badEnv.code).toBe(2);
    const receiver = await startReceiver([200]);
    cleanups.push(receiver.close);
    const previous = process.env['WP_REALTIME_WEBHOOK_URL'];
    process.env['WP_REALTIME_WEBHOOK_URL'] = `${receiver.url}, ${receiver.url}?second`;
    try {
      const relay = await startRelayProcess();
      cleanups.push(() => relay.stop());
      await waitFor(() => receiver.received.length === 2, 5_000);
    } finally {
      if (previous === undefined) delete process.env['WP_REALTIME_WEBHOOK_URL'];
      else process.env['WP_REALTIME_WEBHOOK_URL'] = previous;
    }
  });
});

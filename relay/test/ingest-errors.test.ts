/** Every bad ingest input gets the contract's status and error body, and the relay keeps delivering afterwards. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signatureHeader } from '../../protocol/index.js';
import { connect, postRaw, postSigned, type TestClient } from './support/clients.js';
import { type RelayProcess, startRelayProcess } from './support/relay-process.js';

let relay: RelayProcess;
let watcher: TestClient;

beforeAll(async () => {
  relay = await startRelayProcess(['--max-payload', '2048']);
  watcher = await connect(relay.url);
});
afterAll(async () => {
  watcher.close();
  await relay.stop();
});

const json = { 'content-type': 'application/json' };

/** A signed body sent in chunks with no Content-Length: the limit must hold while reading, not only on the header. */
function postChunked(body: string): ReturnType<typeof postRaw> {
  return new Promise((resolve, reject) => {
    const req = request(`${relay.url}/v1/events`, { method: 'POST', headers: signed(body) }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>, headers: new Headers() }));
    });
    req.on('error', reject);
    for (let offset = 0; offset < body.length; offset += 1000) req.write(body.slice(offset, offset + 1000));
    req.end();
  });
}
const signed = (body: string, secret = relay.secret, timestamp?: number) => ({
  ...json,
  [SIGNATURE_HEADER]: signatureHeader(secret, body, timestamp),
});

type Case = [name: string, send: () => ReturnType<typeof postRaw>, status: number, error: string, mentions?: string];

const cases: Case[] = [
  ['no signature', () => postRaw(relay.url, '{"type":"x"}', json), 401, 'missing_signature', SIGNATURE_HEADER],
  ['a garbled signature', () => postRaw(relay.url, '{"type":"x"}', { ...json, [SIGNATURE_HEADER]: 't=abc,v1=zz' }), 401, 'invalid_signature'],
  ['a signature under another secret', () => postRaw(relay.url, '{"type":"x"}', signed('{"type":"x"}', 'another-secret-that-is-long-enough-0000')), 401, 'invalid_signature'],
  ['a signature over another body', () => postRaw(relay.url, '{"type":"y"}', signed('{"type":"x"}')), 401, 'invalid_signature'],
  ['a stale signature (301 s old)', () => postRaw(relay.url, '{"type":"x"}', signed('{"type":"x"}', relay.secret, Math.floor(Date.now() / 1000) - 301)), 401, 'stale_signature', 'clock'],
  ['bad JSON', () => postRaw(relay.url, '{"type":', signed('{"type":')), 400, 'invalid_json'],
  ['a wrong content type', () => postRaw(relay.url, 'type=x', { 'content-type': 'application/x-www-form-urlencoded', [SIGNATURE_HEADER]: signatureHeader(relay.secret, 'type=x') }), 415, 'unsupported_media_type', 'application/json'],
  ['a missing type', () => postSigned(relay.url, relay.secret, { data: {} }), 400, 'invalid_event', 'event.type'],
  ['an invalid type', () => postSigned(relay.url, relay.secret, { type: 'Has Spaces' }), 400, 'invalid_event', 'event.type'],
  ['an invalid channel', () => postSigned(relay.url, relay.secret, { type: 'x', channel: 'no/slashes' }), 400, 'invalid_event', 'event.channel'],
  ['an invalid id', () => postSigned(relay.url, relay.secret, { type: 'x', id: 'x'.repeat(65) }), 400, 'invalid_event', 'event.id'],
  ['data that is not an object', () => postSigned(relay.url, relay.secret, { type: 'x', data: [1, 2] }), 400, 'invalid_event', 'event.data'],
  ['an unknown field', () => postSigned(relay.url, relay.secret, { type: 'x', colour: 'red' }), 400, 'invalid_event', 'colour'],
  ['a bad event inside a batch', () => postSigned(relay.url, relay.secret, [{ type: 'ok' }, { type: '' }]), 400, 'invalid_event', 'events[1].type'],
  ['an empty batch', () => postSigned(relay.url, relay.secret, []), 400, 'invalid_event', 'at least one'],
  ['a batch over 100', () => postSigned(relay.url, relay.secret, Array.from({ length: 101 }, () => ({ type: 'x' }))), 400, 'invalid_event', 'at most 100'],
  ['a body over --max-payload', () => postSigned(relay.url, relay.secret, { type: 'x', data: { pad: 'x'.repeat(4096) } }), 413, 'payload_too_large', '2048'],
  ['a chunked body over --max-payload', () => postChunked(JSON.stringify({ type: 'x', data: { pad: 'x'.repeat(4096) } })), 413, 'payload_too_large', '2048'],
];

describe('bad ingest input', () => {
  it.each(cases)('answers %s with the documented error', async (_name, send, status, error, mentions) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error, message: expect.any(String) });
    if (mentions) expect(response.body.message).toContain(mentions);
  });

  it('broadcast nothing for any of them, and still delivers a valid event', async () => {
    const posted = await postSigned(relay.url, relay.secret, { id: 'after-the-storm', type: 'ok' });
    expect(posted.status).toBe(202);
    await watcher.waitFor(1);
    expect(watcher.events.map((e) => e.id)).toEqual(['after-the-storm']);
  });

  it('answers other methods with 405 and unknown paths with 404, as JSON', async () => {
    const get = await fetch(`${relay.url}/v1/events`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toMatchObject({ error: 'method_not_allowed' });
    const missing = await fetch(`${relay.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
  });

  it('counts rejections by reason in /metrics', async () => {
    const text = await (await fetch(`${relay.url}/metrics`)).text();
    expect(text).toMatch(/wp_realtime_rejections_total\{reason="invalid_signature"\} 3/);
    expect(text).toMatch(/wp_realtime_rejections_total\{reason="payload_too_large"\} 2/);
    expect(text).toMatch(/wp_realtime_events_in_total 1/);
  });
});

describe('rate limit', () => {
  it('answers a flood over the per-IP rate with 429 and Retry-After, then recovers', async () => {
    const limited = await startRelayProcess(['--ingest-rate', '5']);
    try {
      const client = await connect(limited.url);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => postSigned(limited.url, limited.secret, { id: `flood-${i}`, type: 'x' })),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 202)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(15);
      const refused = results.find((r) => r.status === 429);
      expect(refused?.body).toMatchObject({ error: 'rate_limited' });
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await client.waitFor(5);

      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await postSigned(limited.url, limited.secret, { id: 'after-flood', type: 'x' })).status).toBe(202);
      await client.waitFor(6);
      client.close();
    } finally {
      await limited.stop();
    }
  });
});

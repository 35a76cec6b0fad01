/** The Pusher signatures against the examples of Pusher's documentation (protocol/vectors/pusher.json) and the pusher SDK. */
import { readFileSync } from 'node:fs';
import Pusher from 'pusher';
import { describe, expect, it } from 'vitest';
import { apiStringToSign, channelAuthorization, hmacHex, verifyApiRequest, verifyChannelAuthorization } from '../pusher/signatures.js';

interface Vectors {
  channelAuthorization: { key: string; secret: string; socketId: string; channel: string; auth: string }[];
  apiRequest: { appId: string; key: string; secret: string; method: string; path: string; body: string; query: string; now: number; stringToSign: string; authSignature: string }[];
}

const vectors = JSON.parse(readFileSync(new URL('../../protocol/vectors/pusher.json', import.meta.url), 'utf8')) as Vectors;

describe('Pusher channel authorization', () => {
  it.each(vectors.channelAuthorization)('matches the documented example for $channel', ({ key, secret, socketId, channel, auth }) => {
    const app = { id: '1', key, secret };
    expect(channelAuthorization(app, socketId, channel)).toBe(auth);
    expect(verifyChannelAuthorization(app, auth, socketId, channel)).toBe(true);
    expect(verifyChannelAuthorization(app, auth, '1234.1235', channel)).toBe(false);
    expect(verifyChannelAuthorization(app, auth.toUpperCase(), socketId, channel)).toBe(false);
    expect(verifyChannelAuthorization(app, undefined, socketId, channel)).toBe(false);
    // The pusher SDK, as a WordPress site or any app server would use it, agrees.
    expect(new Pusher({ appId: '1', key, secret, host: '127.0.0.1' }).authorizeChannel(socketId, channel).auth).toBe(auth);
  });

  it('covers channel_data (presence) when given', () => {
    const app = { id: '1', key: 'k', secret: 's'.repeat(16) };
    const data = '{"user_id":"7"}';
    const auth = channelAuthorization(app, '1.2', 'presence-room', data);
    expect(auth).toBe(`k:${hmacHex(app.secret, `1.2:presence-room:${data}`)}`);
    expect(verifyChannelAuthorization(app, auth, '1.2', 'presence-room')).toBe(false);
  });
});

describe('Pusher HTTP API signature', () => {
  it.each(vectors.apiRequest)('matches the documented example for $method $path', ({ appId, key, secret, method, path, body, query, now, stringToSign, authSignature }) => {
    const app = { id: appId, key, secret };
    const params = new URLSearchParams(query);
    expect(apiStringToSign(method, path, new Map(params))).toBe(stringToSign);
    expect(hmacHex(secret, stringToSign)).toBe(authSignature);
    const signed = new URLSearchParams(`${query}&auth_signature=${authSignature}`);
    expect(verifyApiRequest(app, method, path, signed, Buffer.from(body), now)).toBeNull();
    // Each part is covered: the body, the path, the method, the clock, the key.
    expect(verifyApiRequest(app, method, path, signed, Buffer.from(`${body} `), now)?.message).toMatch(/body_md5/);
    expect(verifyApiRequest(app, method, '/apps/4/events', signed, Buffer.from(body), now)?.message).toMatch(/Invalid signature/);
    expect(verifyApiRequest(app, 'PUT', path, signed, Buffer.from(body), now)?.message).toMatch(/Invalid signature/);
    expect(verifyApiRequest(app, method, path, signed, Buffer.from(body), now + 601)?.message).toMatch(/Timestamp expired/);
    expect(verifyApiRequest({ ...app, key: 'other' }, method, path, signed, Buffer.from(body), now)?.message).toMatch(/auth_key/);
    expect(verifyApiRequest(app, method, path, new URLSearchParams(`${query}&auth_key=x&auth_signature=${authSignature}`), Buffer.from(body), now)?.message).toMatch(/twice/);
  });
});

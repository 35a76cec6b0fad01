/** The Pusher signatures against the examples of Pusher's documentation (protocol/vectors/pusher.json) and the pusher SDK. */
import { readFileSync } from 'node:fs';
import Pusher from 'pusher';
import { describe, expect, it } from 'vitest';
import { presenceMember, signedInUser } from '../pusher/identity.js';
import {
  apiStringToSign,
  channelAuthorization,
  hmacHex,
  userAuthentication,
  verifyApiRequest,
  verifyChannelAuthorization,
  verifyUserAuthentication,
} from '../pusher/signatures.js';

interface Vectors {
  channelAuthorization: { key: string; secret: string; socketId: string; channel: string; auth: string }[];
  apiRequest: { appId: string; key: string; secret: string; method: string; path: string; body: string; query: string; now: number; stringToSign: string; authSignature: string }[];
}

const vectors = JSON.parse(readFileSync(new URL('../../protocol/vectors/pusher.json', import.meta.url), 'utf8')) as Vectors;

interface PresenceVectors {
  presenceAuthorization: { key: string; secret: string; socketId: string; channel: string; channelData: string; stringToSign: string; auth: string; member: object }[];
  userAuthentication: { key: string; secret: string; socketId: string; userData: string; stringToSign: string; auth: string; userId: string }[];
  refusedChannelData: { channelData: string; why: string }[];
}

const presenceVectors = JSON.parse(readFileSync(new URL('../../protocol/vectors/pusher-presence.json', import.meta.url), 'utf8')) as PresenceVectors;

describe('Pusher presence authorization and user authentication (protocol/vectors/pusher-presence.json)', () => {
  it.each(presenceVectors.presenceAuthorization)('presence: $channel for $socketId', ({ key, secret, socketId, channel, channelData, stringToSign, auth, member }) => {
    const app = { id: '1', key, secret };
    expect(`${key}:${hmacHex(secret, stringToSign)}`).toBe(auth);
    expect(channelAuthorization(app, socketId, channel, channelData)).toBe(auth);
    expect(verifyChannelAuthorization(app, auth, socketId, channel, channelData)).toBe(true);
    // channel_data is covered: another member (or none) under the same auth is refused.
    expect(verifyChannelAuthorization(app, auth, socketId, channel, channelData.replace('}}', ' }}'))).toBe(false);
    expect(verifyChannelAuthorization(app, auth, socketId, channel)).toBe(false);
    const sdk = new Pusher({ appId: '1', key, secret, host: '127.0.0.1' }).authorizeChannel(socketId, channel, JSON.parse(channelData) as Pusher.PresenceChannelData);
    expect(sdk).toEqual({ auth, channel_data: channelData });
    expect(presenceMember(channelData)).toEqual({ ok: true, value: member });
  });

  it.each(presenceVectors.userAuthentication)('signin: user $userId for $socketId', ({ key, secret, socketId, userData, stringToSign, auth, userId }) => {
    const app = { id: '1', key, secret };
    expect(`${key}:${hmacHex(secret, stringToSign)}`).toBe(auth);
    expect(userAuthentication(app, socketId, userData)).toBe(auth);
    expect(verifyUserAuthentication(app, auth, socketId, userData)).toBe(true);
    expect(verifyUserAuthentication(app, auth, '1.1', userData)).toBe(false);
    expect(verifyUserAuthentication({ ...app, secret: 'another-secret-0123456789' }, auth, socketId, userData)).toBe(false);
    const sdk = new Pusher({ appId: '1', key, secret, host: '127.0.0.1' }).authenticateUser(socketId, JSON.parse(userData) as Pusher.UserChannelData);
    expect(sdk).toEqual({ auth, user_data: userData });
    expect(signedInUser(userData)).toEqual({ ok: true, value: userId });
  });

  it.each(presenceVectors.refusedChannelData)('refuses channel_data $channelData', ({ channelData }) => {
    expect(presenceMember(channelData).ok).toBe(false);
  });

  it('bounds channel_data and user_data before parsing them', () => {
    expect(presenceMember(JSON.stringify({ user_id: '1', user_info: { name: 'x' }, pad: 'p'.repeat(3000) }))).toMatchObject({ ok: false, message: expect.stringMatching(/at most 2048 bytes/) });
    expect(signedInUser(JSON.stringify({ id: '1', pad: 'p'.repeat(5000) }))).toMatchObject({ ok: false, message: expect.stringMatching(/at most 4096 bytes/) });
    expect(signedInUser('{"user_info":{}}')).toMatchObject({ ok: false, message: expect.stringMatching(/user_data.id/) });
    expect(signedInUser('[]')).toMatchObject({ ok: false });
  });
});

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

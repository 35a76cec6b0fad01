/**
 * protocol/vectors/pusher-wordpress.json (user authentication and presence channel_data, the plugin's Pusher routes)
 * stays what the official pusher SDK makes and what the relay verifies: the JSON strings are JSON.stringify of the
 * members, and the auth strings match both the SDK's and relay/pusher/signatures.ts's.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Pusher from 'pusher';
import { describe, expect, it } from 'vitest';
import { channelAuthorization, verifyChannelAuthorization } from '../../relay/pusher/signatures.js';

interface Vector {
  key: string;
  secret: string;
  socketId: string;
  channel?: string;
  member: { id?: string; user_id?: string; user_info?: Record<string, unknown> };
  userData?: string;
  channelData?: string;
  stringToSign: string;
  auth: string;
}

const vectors = JSON.parse(readFileSync(new URL('../vectors/pusher-wordpress.json', import.meta.url), 'utf8')) as {
  userAuthentication: Vector[];
  presenceAuthorization: Vector[];
};

function sdk(v: Vector): Pusher {
  return new Pusher({ appId: '1', key: v.key, secret: v.secret, host: '127.0.0.1' });
}

describe('pusher-wordpress vectors', () => {
  it.each(vectors.userAuthentication.map((v) => [v.socketId, v] as const))('user authentication for socket %s', (_label, v) => {
    expect(JSON.stringify(v.member)).toBe(v.userData);
    expect(v.stringToSign).toBe(`${v.socketId}::user::${v.userData}`);
    expect(`${v.key}:${createHmac('sha256', v.secret).update(v.stringToSign).digest('hex')}`).toBe(v.auth);
    expect(sdk(v).authenticateUser(v.socketId, v.member as { id: string })).toEqual({ auth: v.auth, user_data: v.userData });
  });

  it.each(vectors.presenceAuthorization.map((v) => [v.channel, v] as const))('presence authorization for %s', (_label, v) => {
    const app = { id: '1', key: v.key, secret: v.secret };
    expect(JSON.stringify(v.member)).toBe(v.channelData);
    expect(v.stringToSign).toBe(`${v.socketId}:${v.channel}:${v.channelData}`);
    expect(channelAuthorization(app, v.socketId, v.channel!, v.channelData)).toBe(v.auth);
    expect(verifyChannelAuthorization(app, v.auth, v.socketId, v.channel!, v.channelData)).toBe(true);
    expect(sdk(v).authorizeChannel(v.socketId, v.channel!, v.member as { user_id: string })).toEqual({ auth: v.auth, channel_data: v.channelData });
  });
});

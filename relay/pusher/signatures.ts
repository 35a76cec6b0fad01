/**
 * The two signatures of the Pusher Channels protocol, as Pusher documents them:
 * - a channel authorization, made by the app's server (WordPress) for one socket and one channel:
 *   `<key>:<hex HMAC-SHA256(secret, "<socket_id>:<channel>[:<channel_data>]")>` (channel_data: presence channels);
 * - a user authentication (`pusher:signin`): `<key>:<hex HMAC-SHA256(secret, "<socket_id>::user::<user_data>")>`;
 * - an HTTP API request, made by a server SDK: query parameters auth_key, auth_timestamp, auth_version=1.0,
 *   body_md5 (hex MD5 of the body, when there is one) and auth_signature = hex HMAC-SHA256(secret,
 *   "<METHOD>\n<path>\n<every other parameter, key=value, sorted by key, joined by &>").
 * Compared in constant time. Test vectors: protocol/vectors/pusher.json.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { PusherApp } from './apps.js';

/** Pusher's window for auth_timestamp. */
export const PUSHER_TIMESTAMP_TOLERANCE_SECONDS = 600;

export function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

function equalText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** What the app's auth endpoint returns for this socket and channel. */
export function channelAuthorization(app: PusherApp, socketId: string, channel: string, channelData?: string): string {
  const text = channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
  return `${app.key}:${hmacHex(app.secret, text)}`;
}

export function verifyChannelAuthorization(app: PusherApp, auth: unknown, socketId: string, channel: string, channelData?: string): boolean {
  return typeof auth === 'string' && equalText(auth, channelAuthorization(app, socketId, channel, channelData));
}

/**
 * What the app's user-authentication endpoint returns for `pusher:signin` (pusher-js's `userAuthentication`):
 * `<key>:<hex HMAC-SHA256(secret, "<socket_id>::user::<user_data>")>`, user_data being the JSON string sent as is.
 */
export function userAuthentication(app: PusherApp, socketId: string, userData: string): string {
  return `${app.key}:${hmacHex(app.secret, `${socketId}::user::${userData}`)}`;
}

export function verifyUserAuthentication(app: PusherApp, auth: unknown, socketId: string, userData: string): boolean {
  return typeof auth === 'string' && equalText(auth, userAuthentication(app, socketId, userData));
}

/** The string an HTTP API request signs. `params` are the query parameters without auth_signature. */
export function apiStringToSign(method: string, path: string, params: ReadonlyMap<string, string>): string {
  const query = [...params.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  return `${method.toUpperCase()}\n${path}\n${query}`;
}

export type ApiSignatureFailure = { status: 401; message: string };

/**
 * Checks an HTTP API request's query signature against an app. `query` is the raw query string (after "?"): Pusher
 * signs the parameters as sent, so they are read from it without decoding twice; keys are lower-cased as the SDKs do.
 */
export function verifyApiRequest(
  app: PusherApp,
  method: string,
  path: string,
  query: URLSearchParams,
  body: Buffer | null,
  now = Math.floor(Date.now() / 1000),
): ApiSignatureFailure | null {
  const params = new Map<string, string>();
  for (const [key, value] of query) {
    const lower = key.toLowerCase();
    if (params.has(lower)) return { status: 401, message: `query parameter ${lower} is given twice` };
    params.set(lower, value);
  }
  const signature = params.get('auth_signature');
  params.delete('auth_signature');
  if (params.get('auth_key') !== app.key) return { status: 401, message: 'auth_key is missing or not the key of this app' };
  if (params.get('auth_version') !== '1.0') return { status: 401, message: 'auth_version must be 1.0' };
  const timestamp = Number(params.get('auth_timestamp'));
  if (!Number.isInteger(timestamp)) return { status: 401, message: 'auth_timestamp must be a Unix time in seconds' };
  if (Math.abs(now - timestamp) > PUSHER_TIMESTAMP_TOLERANCE_SECONDS) {
    return { status: 401, message: `Timestamp expired: ${now - timestamp} s from the relay's clock (at most ${PUSHER_TIMESTAMP_TOLERANCE_SECONDS} s); check the server's clock` };
  }
  if (body !== null && body.length > 0) {
    const md5 = createHash('md5').update(body).digest('hex');
    if (params.get('body_md5') !== md5) return { status: 401, message: 'body_md5 does not match the body' };
  }
  if (signature === undefined || !equalText(signature, hmacHex(app.secret, apiStringToSign(method, path, params)))) {
    return { status: 401, message: 'Invalid signature: expected the hex HMAC-SHA256 of "METHOD\\npath\\nsorted query" with the app secret' };
  }
  return null;
}

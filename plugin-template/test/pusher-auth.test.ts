/**
 * The generated plugin's Pusher-compatible authorization route (POST /<slug>/v1/pusher/auth) on a real WordPress +
 * MariaDB, through the REST server as pusher-js's channelAuthorization calls it: a user gets Pusher's auth string for
 * exactly the private- channels GET /token would list for them, nothing for anyone else's, and the string is the one
 * the relay checks (Pusher's documented example, protocol/vectors/pusher.json, reproduced by the PHP).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelAuthorization } from '../../relay/pusher/signatures.js';
import type { MariaDb } from './support/mariadb.js';
import type { Multisite } from './support/multisite.js';
import { scaffoldedPluginSite, type PluginSite } from './support/plugin-site.js';

const KEY = 'pusher-key-1';
const SECRET = 'pusher-secret-0123456789';
const vectors = JSON.parse(readFileSync(new URL('../../protocol/vectors/pusher.json', import.meta.url), 'utf8')) as {
  channelAuthorization: { key: string; secret: string; socketId: string; channel: string; auth: string }[];
};
let plugin: PluginSite | undefined;
let db: MariaDb;
let site: Multisite;
let subscriber: number;
let other: number;

interface Answer {
  status: number;
  data: { auth?: string; code?: string };
}

/** One POST to the route as `user` (0: anonymous), with or without the Pusher credentials in wp-config. */
function authorize(user: number, fields: Record<string, string>, configured = true): Answer {
  const defines = configured ? `define( 'ACME_LIVE_PUSHER_KEY', '${KEY}' ); define( 'ACME_LIVE_PUSHER_SECRET', '${SECRET}' );` : '';
  return site.php<Answer>(`${defines}
wp_set_current_user( ${user} );
$request = new WP_REST_Request( 'POST', '/acme-live/v1/pusher/auth' );
$request->set_header( 'content-type', 'application/x-www-form-urlencoded' );
$request->set_body_params( json_decode( '${JSON.stringify(fields)}', true ) );
$response = rest_do_request( $request );
echo wp_json_encode( array( 'status' => $response->get_status(), 'data' => $response->get_data() ) );`);
}

beforeAll(async () => {
  plugin = await scaffoldedPluginSite('pusher-auth');
  ({ db, site: site } = plugin);
  [subscriber, other] = site.php<[number, number]>(`echo wp_json_encode( array(
  wp_insert_user( array( 'user_login' => 'sub', 'user_pass' => 'x', 'role' => 'subscriber' ) ),
  wp_insert_user( array( 'user_login' => 'other', 'user_pass' => 'x', 'role' => 'subscriber' ) ),
) );`);
}, 120_000);

afterAll(async () => {
  await plugin?.stop();
});

describe('POST /acme-live/v1/pusher/auth', () => {
  it("reproduces Pusher's documented authorization string", () => {
    for (const v of vectors.channelAuthorization) {
      const auth = site.php<string>(`echo wp_json_encode( Acme_Live_Pusher_Auth::authorization( '${v.key}', '${v.secret}', '${v.socketId}', '${v.channel}' ) );`);
      expect(auth).toBe(v.auth);
    }
  });

  it("authorizes a user's own private channel with the string the relay checks", () => {
    const answer = authorize(subscriber, { socket_id: '123.456', channel_name: `private-user-${subscriber}` });
    expect(answer).toEqual({ status: 200, data: { auth: channelAuthorization({ id: '1', key: KEY, secret: SECRET }, '123.456', `private-user-${subscriber}`) } });
  });

  it("refuses another user's channel (403), anonymous callers (401), bad fields (400), and a site without Pusher credentials (503)", () => {
    expect(authorize(subscriber, { socket_id: '123.456', channel_name: `private-user-${other}` })).toMatchObject({ status: 403, data: { code: 'channel_forbidden' } });
    expect(authorize(0, { socket_id: '123.456', channel_name: `private-user-${subscriber}` })).toMatchObject({ status: 401, data: { code: 'unauthenticated' } });
    expect(authorize(subscriber, { socket_id: 'abc', channel_name: `private-user-${subscriber}` })).toMatchObject({ status: 400 });
    expect(authorize(subscriber, { socket_id: '1.2', channel_name: 'role-subscriber' })).toMatchObject({ status: 400 });
    expect(authorize(subscriber, { socket_id: '1.2', channel_name: `private-user-${subscriber}` }, false)).toMatchObject({ status: 503, data: { code: 'not_configured' } });
  });

  it('grants what the <prefix>_token_channels filter adds, as GET /token does', () => {
    const answer = site.php<Answer>(`define( 'ACME_LIVE_PUSHER_KEY', '${KEY}' ); define( 'ACME_LIVE_PUSHER_SECRET', '${SECRET}' );
add_filter( 'acme_live_token_channels', static function ( $channels ) { $channels[] = 'private-team'; return $channels; } );
wp_set_current_user( ${subscriber} );
$request = new WP_REST_Request( 'POST', '/acme-live/v1/pusher/auth' );
$request->set_body_params( array( 'socket_id' => '9.9', 'channel_name' => 'private-team' ) );
$response = rest_do_request( $request );
echo wp_json_encode( array( 'status' => $response->get_status(), 'data' => $response->get_data() ) );`);
    expect(answer).toEqual({ status: 200, data: { auth: channelAuthorization({ id: '1', key: KEY, secret: SECRET }, '9.9', 'private-team') } });
  });
});

/**
 * The generated plugin's Pusher-compatible routes on a real WordPress + MariaDB, through the REST server as pusher-js
 * calls them: POST /<slug>/v1/pusher/auth (channelAuthorization) gives Pusher's auth string for exactly the private-
 * channels GET /token would list, and for presence- channels the user may join (presence-post-<id>: read_post) with
 * channel_data; POST /<slug>/v1/pusher/user-auth (userAuthentication, pusher:signin) gives the logged-in user's
 * user_data. The strings are the ones the relay and the official pusher SDK make (protocol/vectors/pusher.json and
 * pusher-wordpress.json, reproduced by the PHP).
 */
import { createHmac } from 'node:crypto';
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
interface MemberVector {
  key: string;
  secret: string;
  socketId: string;
  channel?: string;
  member: object;
  userData?: string;
  channelData?: string;
  auth: string;
}
const wordpressVectors = JSON.parse(readFileSync(new URL('../../protocol/vectors/pusher-wordpress.json', import.meta.url), 'utf8')) as {
  userAuthentication: MemberVector[];
  presenceAuthorization: MemberVector[];
};
const APP = { id: '1', key: KEY, secret: SECRET };
let readablePost: number;
let privatePost: number;
let plugin: PluginSite | undefined;
let db: MariaDb;
let site: Multisite;
let subscriber: number;
let other: number;

interface Answer {
  status: number;
  data: { auth?: string; code?: string; channel_data?: string; user_data?: string };
}

/** One POST to the route as `user` (0: anonymous), with or without the Pusher credentials in wp-config. */
function authorize(user: number, fields: Record<string, string>, configured = true, route = 'auth', setup = ''): Answer {
  const defines = configured ? `define( 'ACME_LIVE_PUSHER_KEY', '${KEY}' ); define( 'ACME_LIVE_PUSHER_SECRET', '${SECRET}' );` : '';
  return site.php<Answer>(`${defines}
${setup}
wp_set_current_user( ${user} );
$request = new WP_REST_Request( 'POST', '/acme-live/v1/pusher/${route}' );
$request->set_header( 'content-type', 'application/x-www-form-urlencoded' );
$request->set_body_params( json_decode( '${JSON.stringify(fields)}', true ) );
$response = rest_do_request( $request );
echo wp_json_encode( array( 'status' => $response->get_status(), 'data' => $response->get_data() ) );`);
}

beforeAll(async () => {
  plugin = await scaffoldedPluginSite('pusher-auth');
  ({ db, site: site } = plugin);
  [subscriber, other] = site.php<[number, number]>(`echo wp_json_encode( array(
  wp_insert_user( array( 'user_login' => 'sub', 'user_email' => 'ada@example.com', 'user_pass' => 'x', 'role' => 'subscriber', 'display_name' => 'Ada Lovelace' ) ),
  wp_insert_user( array( 'user_login' => 'other', 'user_email' => 'other@example.com', 'user_pass' => 'x', 'role' => 'author' ) ),
) );`);
  [readablePost, privatePost] = site.php<[number, number]>(`echo wp_json_encode( array(
  wp_insert_post( array( 'post_title' => 'Open', 'post_status' => 'publish', 'post_author' => ${other} ) ),
  wp_insert_post( array( 'post_title' => 'Closed', 'post_status' => 'private', 'post_author' => ${other} ) ),
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

  it('reproduces the pusher SDK\'s user authentication and presence authorization (pusher-wordpress.json)', () => {
    for (const v of wordpressVectors.userAuthentication) {
      const auth = site.php<string>(`echo wp_json_encode( Acme_Live_Pusher_Auth::user_authentication( '${v.key}', '${v.secret}', '${v.socketId}', ${phpString(v.userData ?? '')} ) );`);
      expect(auth).toBe(v.auth);
    }
    for (const v of wordpressVectors.presenceAuthorization) {
      const auth = site.php<string>(`echo wp_json_encode( Acme_Live_Pusher_Auth::presence_authorization( '${v.key}', '${v.secret}', '${v.socketId}', '${v.channel}', ${phpString(v.channelData ?? '')} ) );`);
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

/** A PHP single-quoted string literal holding `text`. */
function phpString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** What the plugin's member info is for a user, from the one rule (Acme_Live_Channels::presence_info). */
function presenceInfo(user: number): { name: string; avatar?: string } {
  return site.php(`echo wp_json_encode( Acme_Live_Channels::presence_info( get_userdata( ${user} ) ) );`);
}

describe('POST /acme-live/v1/pusher/auth for presence- channels', () => {
  it('gives channel_data with the member info for a post the user may read, signed as the relay checks', () => {
    const channel = `presence-post-${readablePost}`;
    const answer = authorize(subscriber, { socket_id: '77.88', channel_name: channel });
    expect(answer.status).toBe(200);
    const channelData = answer.data.channel_data ?? '';
    expect(JSON.parse(channelData)).toEqual({ user_id: String(subscriber), user_info: presenceInfo(subscriber) });
    expect(presenceInfo(subscriber).name).toBe('Ada Lovelace');
    expect(answer.data.auth).toBe(channelAuthorization(APP, '77.88', channel, channelData));
  });

  it('refuses a post the user may not read, a missing post, anonymous callers and an unlisted presence channel', () => {
    expect(authorize(subscriber, { socket_id: '1.2', channel_name: `presence-post-${privatePost}` })).toMatchObject({ status: 403, data: { code: 'channel_forbidden' } });
    expect(authorize(subscriber, { socket_id: '1.2', channel_name: 'presence-post-999999' })).toMatchObject({ status: 403, data: { code: 'channel_forbidden' } });
    expect(authorize(0, { socket_id: '1.2', channel_name: `presence-post-${readablePost}` })).toMatchObject({ status: 401, data: { code: 'unauthenticated' } });
    expect(authorize(subscriber, { socket_id: '1.2', channel_name: 'presence-team' })).toMatchObject({ status: 403, data: { code: 'channel_forbidden' } });
    expect(authorize(subscriber, { socket_id: '1.2', channel_name: 'private-encrypted-x' })).toMatchObject({ status: 403, data: { code: 'channel_forbidden' } });
    // The author of the private post may join it.
    expect(authorize(other, { socket_id: '1.2', channel_name: `presence-post-${privatePost}` }).status).toBe(200);
  });

  it('grants a presence- channel the <prefix>_token_channels filter adds', () => {
    const setup = `add_filter( 'acme_live_token_channels', static function ( $channels ) { $channels[] = 'presence-team'; return $channels; } );`;
    const answer = authorize(subscriber, { socket_id: '5.6', channel_name: 'presence-team' }, true, 'auth', setup);
    expect(answer.status).toBe(200);
    expect(answer.data.auth).toBe(channelAuthorization(APP, '5.6', 'presence-team', answer.data.channel_data));
  });
});

describe('POST /acme-live/v1/pusher/user-auth', () => {
  it("gives the logged-in user's user_data, signed as Pusher's user authentication", () => {
    const answer = authorize(subscriber, { socket_id: '123.456' }, true, 'user-auth');
    expect(answer.status).toBe(200);
    const userData = answer.data.user_data ?? '';
    expect(JSON.parse(userData)).toEqual({ id: String(subscriber), user_info: presenceInfo(subscriber) });
    expect(answer.data.auth).toBe(`${KEY}:${createHmac('sha256', SECRET).update(`123.456::user::${userData}`).digest('hex')}`);
  });

  it('refuses anonymous callers (401), a bad socket_id (400) and a site without Pusher credentials (503)', () => {
    expect(authorize(0, { socket_id: '123.456' }, true, 'user-auth')).toMatchObject({ status: 401, data: { code: 'unauthenticated' } });
    expect(authorize(subscriber, { socket_id: '123.456:evil' }, true, 'user-auth')).toMatchObject({ status: 400, data: { code: 'rest_invalid_param' } });
    expect(authorize(subscriber, {}, true, 'user-auth')).toMatchObject({ status: 400, data: { code: 'rest_missing_callback_param' } });
    expect(authorize(subscriber, { socket_id: '123.456' }, false, 'user-auth')).toMatchObject({ status: 503, data: { code: 'not_configured' } });
  });
});

describe('the settings switch and the pusher-php-server options', () => {
  it('switched off, neither route exists', () => {
    const off = `update_option( 'acme_live_settings', array_merge( get_option( 'acme_live_settings', array() ), array( 'pusher' => false ) ) );`;
    expect(authorize(subscriber, { socket_id: '1.2', channel_name: `private-user-${subscriber}` }, true, 'auth', off)).toMatchObject({ status: 404, data: { code: 'rest_no_route' } });
    expect(authorize(subscriber, { socket_id: '1.2' }, true, 'user-auth')).toMatchObject({ status: 404, data: { code: 'rest_no_route' } });
    const on = `update_option( 'acme_live_settings', array_merge( get_option( 'acme_live_settings', array() ), array( 'pusher' => true ) ) );`;
    expect(authorize(subscriber, { socket_id: '1.2' }, true, 'user-auth', on).status).toBe(200);
  });

  it('the settings section shows the pusher-php-server options for the relay URL, never the secret', () => {
    const section = (configured: boolean): string =>
      site.php<string>(`${configured ? `define( 'ACME_LIVE_PUSHER_KEY', '${KEY}' ); define( 'ACME_LIVE_PUSHER_SECRET', '${SECRET}' );` : ''}
$s = acme_live_services();
$page = new Acme_Live_Settings_Page( $s['options'], $s['outbox'], $s['dispatcher'], $s['publisher'] );
ob_start();
$page->section_pusher();
echo wp_json_encode( ob_get_clean() );`);
    const shown = section(true);
    expect(shown).toContain(`{"host":"127.0.0.1","port":9,"scheme":"http","useTLS":false}`.replace(/"/g, '&quot;'));
    expect(shown).not.toContain(SECRET);
    expect(section(false)).toContain('<code>ACME_LIVE_PUSHER_KEY</code>');
  });

  it('derives host, port, scheme and useTLS from the relay URL', () => {
    expect(site.php(`echo wp_json_encode( Acme_Live_Pusher_Auth::server_options( 'https://relay.example.com' ) );`)).toEqual({ host: 'relay.example.com', port: 443, scheme: 'https', useTLS: true });
    expect(site.php(`echo wp_json_encode( Acme_Live_Pusher_Auth::server_options( 'http://127.0.0.1:3901' ) );`)).toEqual({ host: '127.0.0.1', port: 3901, scheme: 'http', useTLS: false });
    expect(site.php(`echo wp_json_encode( Acme_Live_Pusher_Auth::server_options( '' ) );`)).toEqual([]);
  });
});

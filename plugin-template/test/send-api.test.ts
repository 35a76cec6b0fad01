/**
 * The generated plugin's PHP send API (<prefix>_send, _send_to_user, _send_to_role) on a real WordPress + MariaDB:
 * each call validates like the trigger route, stores one outbox row on the channel GET /token lists for exactly that
 * user or role, and a refused call stores nothing. Delivery of outbox rows to the relay and on to the tabs holding a
 * token for the channel is covered by the outbox and e2e suites; this file owns the addressing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MariaDb } from './support/mariadb.js';
import type { Multisite } from './support/multisite.js';
import { OUTBOX_TABLE, scaffoldedPluginSite, type PluginSite } from './support/plugin-site.js';

let plugin: PluginSite | undefined;
let db: MariaDb;
let site: Multisite;
let author: number;
let subscriber: number;

type Sent = { id: string } | { error: string; message: string; status: number };

/** One call of the PHP API (`call` is PHP returning string|WP_Error), answered as JSON. */
function send(call: string): Sent {
  return site.php<Sent>(`$r = ${call};
echo wp_json_encode( is_wp_error( $r )
	? array( 'error' => $r->get_error_code(), 'message' => $r->get_error_message(), 'status' => (int) ( $r->get_error_data()['status'] ?? 0 ) )
	: array( 'id' => $r ) );`);
}

function rows(): { id: string; channel: string; type: string; payload: string }[] {
  return db.query(`SELECT id, channel, type, payload FROM ${OUTBOX_TABLE} ORDER BY seq`).map(([id, channel, type, payload]) => ({
    id: id as string,
    channel: channel as string,
    type: type as string,
    payload: payload as string,
  }));
}

/** The channels GET /token lists for a user (0: anonymous), through the REST server. */
function tokenChannels(user: number): string[] {
  const answer = site.php<{ status: number; channels?: string[] }>(`define( 'ACME_LIVE_SECRET', '${'s'.repeat(40)}' );
wp_set_current_user( ${user} );
$response = rest_do_request( new WP_REST_Request( 'GET', '/acme-live/v1/token' ) );
echo wp_json_encode( array( 'status' => $response->get_status(), 'channels' => $response->get_data()['channels'] ?? null ) );`);
  expect(answer.status).toBe(200);
  return answer.channels ?? [];
}

beforeAll(async () => {
  plugin = await scaffoldedPluginSite('send-api');
  ({ db, site: site } = plugin);
  [author, subscriber] = site.php<[number, number]>(`echo wp_json_encode( array(
  wp_insert_user( array( 'user_login' => 'ana', 'user_pass' => 'x', 'role' => 'author' ) ),
  wp_insert_user( array( 'user_login' => 'bo', 'user_pass' => 'x', 'role' => 'subscriber' ) ),
) );`);
}, 120_000);

afterAll(async () => {
  await plugin?.stop();
});

beforeEach(() => {
  db.query(`DELETE FROM ${OUTBOX_TABLE}`);
});

describe('acme_live_send_to_user()', () => {
  it("queues one event on the user's private channel, which only that user's token lists", () => {
    const sent = send(`acme_live_send_to_user( ${author}, 'order.shipped', array( 'order' => 42 ) )`);
    expect(sent).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(rows()).toEqual([{ id: (sent as { id: string }).id, channel: `private-user-${author}`, type: 'order.shipped', payload: '{"order":42}' }]);
    expect(tokenChannels(author)).toContain(`private-user-${author}`);
    expect(tokenChannels(subscriber)).not.toContain(`private-user-${author}`);
    expect(tokenChannels(0)).not.toContain(`private-user-${author}`);
  });

  it('takes a WP_User or a digit string as well as an int', () => {
    expect(send(`acme_live_send_to_user( get_userdata( ${subscriber} ), 'note.one' )`)).toHaveProperty('id');
    expect(send(`acme_live_send_to_user( '${subscriber}', 'note.two' )`)).toHaveProperty('id');
    expect(rows().map((r) => r.channel)).toEqual([`private-user-${subscriber}`, `private-user-${subscriber}`]);
  });

  it('refuses a user that does not exist, or anything that is not a user, and stores nothing', () => {
    for (const user of ['999999', "'abc'", '0', '-1', "'3.5'", 'null', 'array( 1 )']) {
      const sent = send(`acme_live_send_to_user( ${user}, 'note.lost' )`);
      expect(sent, user).toMatchObject({ error: 'unknown_user', status: 400 });
    }
    expect((send("acme_live_send_to_user( 999999, 'note.lost' )") as { message: string }).message).toContain('999999');
    expect(rows()).toEqual([]);
  });

  it('validates the event like the trigger route: a bad type or data is refused with its code', () => {
    expect(send(`acme_live_send_to_user( ${author}, 'Not A Type' )`)).toMatchObject({ status: 400 });
    expect(send(`acme_live_send_to_user( ${author}, 'ok.type', array( '__proto__' => 1 ) )`)).toMatchObject({ error: 'forbidden_key', status: 400 });
    expect(rows()).toEqual([]);
  });
});

describe('acme_live_send_to_role()', () => {
  it("queues one event on the role's channel, which the tokens of users with that role list", () => {
    const sent = send(`acme_live_send_to_role( 'author', 'review.ready', array( 'post' => 7 ) )`);
    expect(sent).toHaveProperty('id');
    expect(rows()).toMatchObject([{ channel: 'role-author', type: 'review.ready', payload: '{"post":7}' }]);
    expect(tokenChannels(author)).toContain('role-author');
    expect(tokenChannels(subscriber)).not.toContain('role-author');
  });

  it('refuses a role that does not exist, and a custom role whose name cannot be a channel', () => {
    expect(send(`acme_live_send_to_role( 'no-such-role', 'x.y' )`)).toMatchObject({ error: 'unknown_role', status: 400 });
    expect(send(`acme_live_send_to_role( 42, 'x.y' )`)).toMatchObject({ error: 'unknown_role', status: 400 });
    const sent = send(`( add_role( 'shop manager', 'Shop Manager' ) || true ) ? acme_live_send_to_role( 'shop manager', 'x.y' ) : null`);
    expect(sent).toMatchObject({ error: 'role_without_channel', status: 400 });
    expect(rows()).toEqual([]);
  });
});

describe('acme_live_send()', () => {
  it('queues on any valid channel and refuses an invalid one', () => {
    expect(send(`acme_live_send( 'public-shop', 'sale.started', array( 'pct' => 20 ) )`)).toHaveProperty('id');
    expect(rows()).toMatchObject([{ channel: 'public-shop', type: 'sale.started', payload: '{"pct":20}' }]);
    expect(send(`acme_live_send( 'no spaces allowed', 'sale.started' )`)).toMatchObject({ status: 400 });
    expect(rows()).toHaveLength(1);
  });
});

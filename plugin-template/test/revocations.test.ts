/**
 * The generated plugin's cut-off of users (issue 14 item 4) on a real WordPress + MariaDB: each way a user's access
 * ends (sessions destroyed one, others or all, logout, a password change, deletion) queues exactly one `revoke` control
 * event in the outbox, and a lost role one that strikes that role's channel; logging in, gaining a role or saving a
 * profile without a new password queue nothing; nobody else can send on the reserved channel. The relay's side and
 * the browser's are covered by relay/test/revocations.test.ts and e2e/specs/users-cutoff.spec.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MariaDb } from './support/mariadb.js';
import type { Multisite } from './support/multisite.js';
import { OUTBOX_TABLE as TABLE, scaffoldedPluginSite, type PluginSite } from './support/plugin-site.js';

let plugin: PluginSite;
let db: MariaDb;
let site: Multisite;
let seq = 0;

interface Revoke {
  user: string;
  notBefore: number;
  channels?: string[];
}

function revocations(): Revoke[] {
  return db
    .query(`SELECT channel, type, payload FROM ${TABLE} ORDER BY seq`)
    .map(([channel, type, payload]) => {
      expect([channel, type]).toEqual(['wp-realtime.control', 'revoke']);
      return JSON.parse(payload as string) as Revoke;
    });
}

/** A fresh user with a role (and, with `sessions`, that many live login sessions); returns its id. */
function newUser(role: string, sessions = 0): number {
  seq++;
  return site.php<number>(`$id = wp_insert_user( array( 'user_login' => 'u${seq}_' . wp_generate_password( 6, false ), 'user_pass' => 'pw', 'role' => '${role}' ) );
for ( $i = 0; $i < ${sessions}; $i++ ) { WP_Session_Tokens::get_instance( $id )->create( time() + 3600 ); }
echo (int) $id;`);
}

function run(code: string): void {
  site.php<null>(`${code}; echo 'null';`);
}

beforeAll(async () => {
  plugin = await scaffoldedPluginSite('revocations');
  ({ db, site } = plugin);
}, 120_000);

afterAll(async () => {
  await plugin?.stop();
});

beforeEach(() => {
  db.query(`DELETE FROM ${TABLE}`);
});

describe('cutting a user off', () => {
  it('queues nothing when a user is created, logs in (a session is added) or gains a role', () => {
    const id = newUser('author', 2);
    run(`( new WP_User( ${id} ) )->add_role( 'editor' )`);
    run(`wp_update_user( array( 'ID' => ${id}, 'display_name' => 'Renamed' ) )`);
    expect(revocations()).toEqual([]);
  });

  it('one revocation of every token when the sessions end: one, the others, or all', () => {
    const before = Math.floor(Date.now() / 1000);
    const one = newUser('author', 2);
    // What WP_Session_Tokens::destroy( $token ) does (the token itself is only in the browser's cookie): one verifier less.
    run(`$m = get_user_meta( ${one}, 'session_tokens', true ); array_shift( $m ); update_user_meta( ${one}, 'session_tokens', $m )`);
    const others = newUser('author', 3);
    run(`$m = get_user_meta( ${others}, 'session_tokens', true ); $keep = array_slice( $m, 0, 1, true ); update_user_meta( ${others}, 'session_tokens', $keep )`);
    const all = newUser('subscriber', 2);
    run(`WP_Session_Tokens::get_instance( ${all} )->destroy_all()`);
    const listed = revocations();
    expect(listed.map((r) => r.user)).toEqual([String(one), String(others), String(all)]);
    for (const revocation of listed) {
      expect(Object.keys(revocation).sort()).toEqual(['notBefore', 'user']);
      expect(revocation.notBefore).toBeGreaterThanOrEqual(before);
      expect(revocation.notBefore).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    }
  });

  it('a user without a live session ending nothing is no news; logout and a password change are, once each', () => {
    const idle = newUser('author');
    run(`WP_Session_Tokens::get_instance( ${idle} )->destroy_all()`);
    expect(revocations()).toEqual([]);
    const leaving = newUser('author', 1);
    // wp_logout() as WordPress runs it: the current session destroyed (meta deleted), then the wp_logout action.
    run(`WP_Session_Tokens::get_instance( ${leaving} )->destroy_all(); do_action( 'wp_logout', ${leaving} )`);
    const changing = newUser('author');
    run(`wp_update_user( array( 'ID' => ${changing}, 'user_pass' => 'a new password' ) )`);
    const resetting = newUser('subscriber');
    run(`do_action( 'after_password_reset', get_userdata( ${resetting} ), 'pw2' )`);
    expect(revocations().map((r) => r.user)).toEqual([String(leaving), String(changing), String(resetting)]);
  });

  it('deleting a user, or removing them from the site, revokes their tokens', () => {
    const deleted = newUser('author');
    run(`require_once ABSPATH . 'wp-admin/includes/user.php'; wp_delete_user( ${deleted} )`);
    const removed = newUser('editor');
    run(`remove_user_from_blog( ${removed}, get_current_blog_id() )`);
    expect(revocations().map((r) => [r.user, r.channels])).toEqual([
      [String(deleted), undefined],
      [String(removed), undefined],
    ]);
  });

  it("a lost role strikes that role's channel only (demotion, removal of one of two roles); the connection stays", () => {
    const demoted = newUser('author');
    run(`( new WP_User( ${demoted} ) )->set_role( 'subscriber' )`);
    expect(revocations().map((r) => [r.user, r.channels])).toEqual([[String(demoted), ['role-author']]]);
    db.query(`DELETE FROM ${TABLE}`);
    const twoRoles = newUser('author');
    run(`( new WP_User( ${twoRoles} ) )->add_role( 'editor' )`);
    run(`( new WP_User( ${twoRoles} ) )->remove_role( 'author' )`);
    expect(revocations().map((r) => [r.user, r.channels])).toEqual([[String(twoRoles), ['role-author']]]);
  });

  it('acme_live_revoke_user() cuts a user off on demand; nobody can send on the reserved channel', () => {
    const banned = newUser('author');
    expect(site.php<string>(`echo wp_json_encode( acme_live_revoke_user( ${banned} ) );`)).toMatch(/^revoke-[0-9a-f-]{36}$/);
    expect(revocations().map((r) => r.user)).toEqual([String(banned)]);
    const refused = site.php<{ code: string; status: number }>(`$r = acme_live_send( 'wp-realtime.control', 'revoke', array( 'user' => '1', 'notBefore' => time() ) );
echo wp_json_encode( array( 'code' => $r->get_error_code(), 'status' => $r->get_error_data()['status'] ) );`);
    expect(refused).toEqual({ code: 'reserved_channel', status: 400 });
    const viaTrigger = site.php<{ code: string }>(`$r = acme_live_trigger( 'revoke', array(), 'wp-realtime.control' ); echo wp_json_encode( array( 'code' => $r->get_error_code() ) );`);
    expect(viaTrigger).toEqual({ code: 'reserved_channel' });
    expect(revocations()).toHaveLength(1);
  });
});

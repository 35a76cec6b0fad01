/**
 * The generated plugin's one presence rule on a real WordPress + MariaDB: who may join `presence-post-<id>`
 * (<Prefix>_Channels::may_join_presence: a logged-in user for whom core's `read_post` holds) and what others see of
 * them (<Prefix>_Channels::presence_info: name + avatar, bounded as the relay requires, through the
 * `<prefix>_presence_info` filter). What the info becomes in a token is checked against the relay's own validator
 * (protocol/token.ts), so a name the PHP lets through is one the relay takes.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, tempDir } from '../../cli/test/scaffold-helpers.js';
import { memberInfoProblem, verifyToken } from '../../protocol/token.js';
import { startMariaDb, type MariaDb } from './support/mariadb.js';
import { installMultisite, type Multisite } from './support/multisite.js';

const PLUGIN = 'acme-live/acme-live.php';
const SECRET = 's'.repeat(40);
let db: MariaDb;
let site: Multisite;
let editor: number;
let subscriber: number;
let published: number;
let privatePost: number;
let draft: number;

function mayJoin(channel: string, user: number | string): boolean {
  return site.php<boolean>(`echo wp_json_encode( Acme_Live_Channels::may_join_presence( ${JSON.stringify(channel)}, ${typeof user === 'number' ? user : `'${user}'`} ) );`);
}

/** presence_info() of a user, after `setup` (PHP: filters, user updates) ran. */
function info(user: number, setup = ''): unknown {
  return site.php<unknown>(`${setup}
echo wp_json_encode( Acme_Live_Channels::presence_info( get_userdata( ${user} ) ) );`);
}

beforeAll(async () => {
  assertBuilt();
  db = await startMariaDb();
  site = installMultisite(db);
  const scaffold = runCli(['scaffold', 'acme-live', '--dir', join(site.pluginsDir, 'acme-live'), '--relay-url', 'http://127.0.0.1:9'], tempDir('presence'));
  if (scaffold.code !== 0) throw new Error(`scaffold failed: ${scaffold.stderr}`);
  site.php<null>(`$result = activate_plugin( '${PLUGIN}' ); if ( is_wp_error( $result ) ) { fwrite( STDERR, $result->get_error_message() ); exit( 1 ); } echo 'null';`);
  [editor, subscriber, published, privatePost, draft] = site.php<number[]>(`$editor = wp_insert_user( array( 'user_login' => 'ed', 'user_pass' => 'x', 'role' => 'editor', 'display_name' => 'Ed Itor' ) );
$sub = wp_insert_user( array( 'user_login' => 'sub', 'user_pass' => 'x', 'role' => 'subscriber', 'user_email' => 'sub@example.com', 'display_name' => 'Zoë "Z" O\\'Brien & <b>co</b>' ) );
$make = static function ( $status ) use ( $editor ) {
  return wp_insert_post( array( 'post_title' => $status, 'post_status' => $status, 'post_author' => $editor, 'post_type' => 'post' ) );
};
echo wp_json_encode( array( $editor, $sub, $make( 'publish' ), $make( 'private' ), $make( 'draft' ) ) );`);
}, 120_000);

afterAll(async () => {
  site?.remove();
  await db?.stop();
});

describe('Acme_Live_Channels::may_join_presence()', () => {
  it('lets a logged-in reader of a published post join its channel, and nobody anonymous', () => {
    expect(mayJoin(`presence-post-${published}`, subscriber)).toBe(true);
    expect(mayJoin(`presence-post-${published}`, editor)).toBe(true);
    expect(mayJoin(`presence-post-${published}`, String(subscriber))).toBe(true);
    expect(mayJoin(`presence-post-${published}`, 0)).toBe(false);
    expect(mayJoin(`presence-post-${published}`, 999_999)).toBe(false);
    expect(mayJoin(`presence-post-${published}`, -1)).toBe(false);
  });

  it("follows core's read_post: a private post or a draft only for those who may read it", () => {
    expect(mayJoin(`presence-post-${privatePost}`, editor)).toBe(true);
    expect(mayJoin(`presence-post-${privatePost}`, subscriber)).toBe(false);
    expect(mayJoin(`presence-post-${draft}`, editor)).toBe(true);
    expect(mayJoin(`presence-post-${draft}`, subscriber)).toBe(false);
  });

  it('refuses a post that does not exist and every other spelling of a channel', () => {
    expect(mayJoin('presence-post-999999', editor)).toBe(false);
    for (const channel of [`presence-post-0${published}`, 'presence-post-', 'presence-post-0', `presence-post-${published}x`, `presence-post--${published}`, `presence-${published}`, `private-user-${editor}`, 'public']) {
      expect(mayJoin(channel, editor), channel).toBe(false);
    }
  });

  it('presence_post() and presence_post_id() spell the channel one way', () => {
    expect(site.php<[string, number, number]>(`echo wp_json_encode( array( Acme_Live_Channels::presence_post( ${published} ), Acme_Live_Channels::presence_post_id( 'presence-post-${published}' ), Acme_Live_Channels::presence_post_id( 'presence-post-07' ) ) );`)).toEqual([`presence-post-${published}`, published, 0]);
  });
});

describe('Acme_Live_Channels::presence_info()', () => {
  it('shows the display name as plain text and the avatar URL, nothing else', () => {
    const member = info(subscriber) as { name: string; avatar: string };
    // Stored escaped by WordPress (&#039; &amp;, tags stripped); shown as text, decoded.
    expect(member).toEqual({ name: 'Zoë "Z" O\'Brien & co', avatar: expect.stringMatching(/^https?:\/\/.*gravatar\.com\/avatar\/[0-9a-f]+\?s=96/) });
    expect(memberInfoProblem(member)).toBeNull();
  });

  it('bounds the name to 100 characters and removes what the relay refuses (control characters, U+2028)', () => {
    const long = info(editor, `add_filter( 'acme_live_presence_info', static function ( $i ) { $i['name'] = str_repeat( 'é', 150 ); return $i; } );`) as { name: string };
    expect([...long.name]).toHaveLength(100);
    const control = info(editor, `add_filter( 'acme_live_presence_info', static function ( $i ) { $i['name'] = "a\\tb\\x7f\\u{2028}c\\n"; return $i; } );`) as { name: string };
    expect(control.name).toBe('a b c');
    expect(memberInfoProblem(long)).toBeNull();
    expect(memberInfoProblem(control)).toBeNull();
  });

  it('applies the acme_live_presence_info filter, keeping only name and a usable avatar', () => {
    expect(info(editor, `add_filter( 'acme_live_presence_info', static function ( $i, $u ) { return array( 'name' => 'Team ' . $u->user_login, 'avatar' => 'https://cdn.example/a.png', 'email' => 'leak@example.com' ); }, 10, 2 );`)).toEqual({
      name: 'Team ed',
      avatar: 'https://cdn.example/a.png',
    });
    // An avatar the relay would refuse is dropped; an empty name falls back to the user's own; a non-array is ignored.
    expect(info(editor, `add_filter( 'acme_live_presence_info', static function () { return array( 'name' => " \\n ", 'avatar' => 'javascript:alert(1)' ); } );`)).toEqual({ name: 'Ed Itor' });
    expect(info(editor, `add_filter( 'acme_live_presence_info', static function () { return array( 'name' => 'X', 'avatar' => 'https://e.example/' . str_repeat( 'a', 600 ) ); } );`)).toEqual({ name: 'X' });
    expect(info(editor, `add_filter( 'acme_live_presence_info', '__return_false' );`)).toMatchObject({ name: 'Ed Itor' });
  });

  it("shows no avatar when the site's Show Avatars setting is off", () => {
    expect(info(subscriber, `add_filter( 'pre_option_show_avatars', '__return_zero' );`)).toEqual({ name: 'Zoë "Z" O\'Brien & co' });
  });

  it('falls back to the nickname when the display name is empty, and the signer takes the result', () => {
    const token = site.php<string>(`global $wpdb;
$wpdb->update( $wpdb->users, array( 'display_name' => '<i></i>' ), array( 'ID' => ${editor} ) );
update_user_meta( ${editor}, 'nickname', 'Eddie' );
clean_user_cache( ${editor} );
$signer = new Acme_Live_Signer( '${SECRET}' );
echo wp_json_encode( $signer->mint_token( '${editor}', array( 'presence-post-${published}' ), 60, null, Acme_Live_Channels::presence_info( get_userdata( ${editor} ) ) ) );`);
    const check = verifyToken(token, SECRET);
    expect(check).toMatchObject({ ok: true, claims: { sub: String(editor), ch: [`presence-post-${published}`], info: { name: 'Eddie' } } });
  });
});

interface TokenAnswer {
  status: number;
  data: { token?: string; channels?: string[]; code?: string };
}

/** GET /token as `user` (0: anonymous) with the given query, through the REST server; `setup` runs first. */
function getToken(user: number, query: Record<string, string>, setup = ''): TokenAnswer {
  return site.php<TokenAnswer>(`define( 'ACME_LIVE_SECRET', '${SECRET}' );
${setup}
wp_set_current_user( ${user} );
$request = new WP_REST_Request( 'GET', '/acme-live/v1/token' );
$request->set_query_params( json_decode( '${JSON.stringify(query)}', true ) );
$response = rest_do_request( $request );
echo wp_json_encode( array( 'status' => $response->get_status(), 'data' => $response->get_data() ) );`);
}

describe('GET /acme-live/v1/token?post=<id>', () => {
  it("adds the post's presence channel for a reader, with their member info in the signed token", () => {
    const answer = getToken(subscriber, { post: String(published) });
    expect(answer.status).toBe(200);
    expect(answer.data.channels).toEqual(['public', `private-user-${subscriber}`, 'role-subscriber', `presence-post-${published}`]);
    const check = verifyToken(answer.data.token, SECRET);
    expect(check).toMatchObject({ ok: true, claims: { sub: String(subscriber), ch: answer.data.channels, info: { name: 'Zoë "Z" O\'Brien & co', avatar: expect.stringContaining('gravatar.com') } } });
  });

  it('lists no presence channel and carries no info without post, or for a post the user may not read', () => {
    for (const query of [{}, { post: String(privatePost) }, { post: String(draft) }, { post: '999999' }]) {
      const answer = getToken(subscriber, query);
      expect(answer.status, JSON.stringify(query)).toBe(200);
      expect(answer.data.channels, JSON.stringify(query)).toEqual(['public', `private-user-${subscriber}`, 'role-subscriber']);
      const check = verifyToken(answer.data.token, SECRET);
      expect(check.ok && check.claims.info).toBe(undefined);
    }
    expect(getToken(editor, { post: String(privatePost) }).data.channels).toContain(`presence-post-${privatePost}`);
  });

  it('refuses a post parameter that is not a positive integer (400 rest_invalid_param)', () => {
    for (const post of ['abc', '0', '-3', '1.5', '99999999999999999999999']) {
      expect(getToken(subscriber, { post }), post).toMatchObject({ status: 400, data: { code: 'rest_invalid_param' } });
    }
  });

  it('never gives an anonymous visitor presence, even when a filter adds the channel', () => {
    // The public channel is on by default, so a visitor gets a token: it must not list the presence channel.
    const addPresence = `add_filter( 'acme_live_token_channels', static function ( $c ) { $c[] = 'presence-post-${published}'; return $c; } );`;
    const answer = getToken(0, { post: String(published) }, addPresence);
    expect(answer.status).toBe(200);
    expect(answer.data.channels).toEqual(['public']);
    expect(verifyToken(answer.data.token, SECRET)).toMatchObject({ ok: true, claims: { sub: '0', ch: ['public'] } });
    expect(verifyToken(answer.data.token, SECRET)).not.toHaveProperty('claims.info');
    // A logged-in user gets what the filter adds, with member info (the signer would refuse it without).
    const user = getToken(editor, {}, addPresence);
    expect(user.data.channels).toContain(`presence-post-${published}`);
    expect(verifyToken(user.data.token, SECRET)).toMatchObject({ ok: true, claims: { info: { name: expect.any(String) } } });
  });
});

describe("the Who's Here block's server render", () => {
  /** do_blocks() of the block as `user` with the main query on `post` (0: the front page, not singular). */
  function render(user: number, post: number, attributes = ''): string {
    return site.php<string>(`wp_set_current_user( ${user} );
if ( ${post} > 0 ) {
  $GLOBALS['wp_query']     = new WP_Query( array( 'p' => ${post}, 'post_type' => 'any', 'post_status' => 'any' ) );
  $GLOBALS['wp_the_query'] = $GLOBALS['wp_query'];
}
echo wp_json_encode( do_blocks( '<!-- wp:acme-live/whos-here ${attributes} /-->' ) );`);
  }

  it('renders the list, the empty line and a polite status region, with the post id and token route only', () => {
    const html = render(subscriber, published);
    expect(html).toContain(`data-whos-here="{&quot;tokenPath&quot;:&quot;\\/acme-live\\/v1\\/token&quot;,&quot;post&quot;:${published}}"`);
    expect(html).toMatch(/<ul class="wp-block-acme-live-whos-here__list" aria-label="People reading this now"><\/ul>/);
    expect(html).toContain('<p class="wp-block-acme-live-whos-here__empty" hidden>Only you are here.</p>');
    expect(html).toContain('<p class="wp-block-acme-live-whos-here__status" role="status" aria-live="polite">');
    expect(html).toContain(`<h2 class="wp-block-acme-live-whos-here__heading">Who&#039;s here</h2>`);
    expect(html).not.toMatch(/wprt1\.|secret/i);
    expect(render(subscriber, published, '{"heading":"<b>Readers</b>"}')).toContain('__heading">Readers</h2>');
  });

  it('renders nothing for a visitor, off a singular page, or on a post the user may not read', () => {
    expect(render(0, published)).toBe('');
    expect(render(subscriber, 0)).toBe('');
    expect(render(subscriber, privatePost)).toBe('');
    expect(render(editor, privatePost)).toContain(`&quot;post&quot;:${privatePost}`);
  });
});

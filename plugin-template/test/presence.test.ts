/**
 * The generated plugin's one presence rule on a real WordPress + MariaDB: who may join `presence-post-<id>`
 * (<Prefix>_Channels::may_join_presence: a logged-in user for whom core's `read_post` holds) and what others see of
 * them (<Prefix>_Channels::presence_info: name + avatar, bounded as the relay requires, through the
 * `<prefix>_presence_info` filter). What the info becomes in a token is checked against the relay's own validator
 * (protocol/token.ts), so a name the PHP lets through is one the relay takes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberInfoProblem, verifyToken } from '../../protocol/token.js';
import type { Multisite } from './support/multisite.js';
import { scaffoldedPluginSite, type PluginSite } from './support/plugin-site.js';

const SECRET = 's'.repeat(40);
let plugin: PluginSite | undefined;
let site: Multisite;
let editor: number;
let subscriber: number;
let published: number;
let privatePost: number;
let draft: number;

/** may_join_presence() for each [channel, user] pair, in one PHP run (each run loads WordPress: seconds). */
function mayJoin(cases: [string, number | string][]): Record<string, boolean> {
  const calls = cases.map(([channel, user]) => `Acme_Live_Channels::may_join_presence( ${JSON.stringify(channel)}, ${typeof user === 'number' ? user : `'${user}'`} )`);
  const answers = site.php<boolean[]>(`echo wp_json_encode( array( ${calls.join(', ')} ) );`);
  return Object.fromEntries(cases.map(([channel, user], index) => [`${channel} as ${typeof user}:${user}`, answers[index]!]));
}

/** The same answers, keyed like mayJoin() keys them, for one readable toEqual(). */
function expected(cases: [string, number | string, boolean][]): Record<string, boolean> {
  return Object.fromEntries(cases.map(([channel, user, allowed]) => [`${channel} as ${typeof user}:${user}`, allowed]));
}

function check(cases: [string, number | string, boolean][]): void {
  expect(mayJoin(cases.map(([channel, user]) => [channel, user]))).toEqual(expected(cases));
}

/** presence_info() of a user, after `setup` (PHP: filters, user updates) ran. */
function info(user: number, setup = ''): unknown {
  return site.php<unknown>(`${setup}
echo wp_json_encode( Acme_Live_Channels::presence_info( get_userdata( ${user} ) ) );`);
}

beforeAll(async () => {
  plugin = await scaffoldedPluginSite('presence');
  site = plugin.site;
  [editor, subscriber, published, privatePost, draft] = site.php<number[]>(`$editor = wp_insert_user( array( 'user_login' => 'ed', 'user_pass' => 'x', 'role' => 'editor', 'display_name' => 'Ed Itor' ) );
$sub = wp_insert_user( array( 'user_login' => 'sub', 'user_pass' => 'x', 'role' => 'subscriber', 'user_email' => 'sub@example.com', 'display_name' => 'Zoë "Z" O\\'Brien & <b>co</b>' ) );
$make = static function ( $status ) use ( $editor ) {
  return wp_insert_post( array( 'post_title' => $status, 'post_status' => $status, 'post_author' => $editor, 'post_type' => 'post' ) );
};
echo wp_json_encode( array( $editor, $sub, $make( 'publish' ), $make( 'private' ), $make( 'draft' ) ) );`);
}, 120_000);

afterAll(async () => {
  await plugin?.stop();
});

describe('Acme_Live_Channels::may_join_presence()', () => {
  it('lets a logged-in reader of a published post join its channel, and nobody anonymous', () => {
    const channel = `presence-post-${published}`;
    check([
      [channel, subscriber, true],
      [channel, editor, true],
      [channel, String(subscriber), true],
      [channel, 0, false],
      [channel, 999_999, false],
      [channel, -1, false],
      [channel, 'abc', false],
    ]);
  });

  it("follows core's read_post: a private post or a draft only for those who may read it", () => {
    check([
      [`presence-post-${privatePost}`, editor, true],
      [`presence-post-${privatePost}`, subscriber, false],
      [`presence-post-${draft}`, editor, true],
      [`presence-post-${draft}`, subscriber, false],
    ]);
  });

  it('refuses a post that does not exist and every other spelling of a channel', () => {
    const spellings = [`presence-post-0${published}`, 'presence-post-', 'presence-post-0', `presence-post-${published}x`, `presence-post--${published}`, `presence-${published}`, `private-user-${editor}`, 'public'];
    check([['presence-post-999999', editor, false], ...spellings.map((channel): [string, number, boolean] => [channel, editor, false])]);
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
    const long = info(editor, `add_filter( 'acme_live_presence_info', static function ( $i ) { $i['name'] = str_repeat( '😀', 80 ) . str_repeat( 'é', 70 ); return $i; } );`) as { name: string };
    // 100 code points (as the relay counts, not 180 UTF-16 units), cut between characters, never inside one.
    expect(long.name).toBe('😀'.repeat(80) + 'é'.repeat(20));
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

/** GET /token as `user` (0: anonymous) with each query, through the REST server, in one PHP run; `setup` runs first. */
function getTokens(user: number, queries: Record<string, string>[], setup = ''): TokenAnswer[] {
  return site.php<TokenAnswer[]>(`define( 'ACME_LIVE_SECRET', '${SECRET}' );
${setup}
wp_set_current_user( ${user} );
$answers = array();
foreach ( json_decode( '${JSON.stringify(queries)}', true ) as $query ) {
  $request = new WP_REST_Request( 'GET', '/acme-live/v1/token' );
  $request->set_query_params( $query );
  $response  = rest_do_request( $request );
  $answers[] = array( 'status' => $response->get_status(), 'data' => $response->get_data() );
}
echo wp_json_encode( $answers );`);
}

function getToken(user: number, query: Record<string, string>, setup = ''): TokenAnswer {
  return getTokens(user, [query], setup)[0]!;
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
    const queries = [{}, { post: String(privatePost) }, { post: String(draft) }, { post: '999999' }];
    for (const [index, answer] of getTokens(subscriber, queries).entries()) {
      const query = queries[index];
      expect(answer.status, JSON.stringify(query)).toBe(200);
      expect(answer.data.channels, JSON.stringify(query)).toEqual(['public', `private-user-${subscriber}`, 'role-subscriber']);
      const check = verifyToken(answer.data.token, SECRET);
      expect(check.ok && check.claims.info).toBe(undefined);
    }
    expect(getToken(editor, { post: String(privatePost) }).data.channels).toContain(`presence-post-${privatePost}`);
  });

  it('refuses a post parameter that is not a positive integer (400 rest_invalid_param)', () => {
    const posts = ['abc', '0', '-3', '1.5', '99999999999999999999999'];
    const answers = getTokens(subscriber, posts.map((post) => ({ post })));
    for (const [index, answer] of answers.entries()) expect(answer, posts[index]).toMatchObject({ status: 400, data: { code: 'rest_invalid_param' } });
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

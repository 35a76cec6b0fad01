/**
 * The generated plugin's webhook route turning the relay's channel reports into WordPress actions, on a real
 * WordPress + MariaDB: each event fires its action once with the documented arguments, a retried batch (same ids)
 * fires nothing again, a malformed channel event refuses the whole batch before any action, an unsigned batch is
 * refused, and only the ids are kept (as option rows that expire, removed on uninstall).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../protocol/index.js';
import type { MariaDb } from './support/mariadb.js';
import type { Multisite } from './support/multisite.js';
import { PLUGIN, scaffoldedPluginSite, type PluginSite } from './support/plugin-site.js';

const SECRET = 's'.repeat(40);
let plugin: PluginSite;
let db: MariaDb;
let site: Multisite;

interface Answer {
  status: number;
  data: Record<string, unknown>;
  /** Each action call: [hook, ...arguments]. */
  calls: unknown[][];
}

/** POSTs `body` to the webhook route through the REST server, signed with `secret`, recording the plugin's actions. */
function post(body: unknown, secret = SECRET): Answer {
  const raw = JSON.stringify(body);
  const header = signatureHeader(secret, raw);
  return site.php<Answer>(`define( 'ACME_LIVE_SECRET', '${SECRET}' );
$calls = array();
foreach ( array( 'channel_occupied', 'channel_vacated', 'member_added', 'member_removed', 'client_event', 'webhook_event' ) as $hook ) {
	add_action( "acme_live_{$hook}", function ( ...$args ) use ( $hook, &$calls ) {
		$calls[] = array_merge( array( $hook ), $args );
	}, 10, 5 );
}
$request = new WP_REST_Request( 'POST', '/acme-live/v1/webhook' );
$request->set_header( 'content-type', 'application/json' );
$request->set_header( 'x-wp-realtime-signature', ${JSON.stringify(header)} );
$request->set_body( ${JSON.stringify(raw)} );
$response = rest_do_request( $request );
echo wp_json_encode( array( 'status' => $response->get_status(), 'data' => $response->get_data(), 'calls' => $calls ) );`);
}

function seenRows(): number {
  return Number(db.query(`SELECT COUNT(*) FROM wordpress.wp_options WHERE option_name LIKE 'acme_live_whseen_%'`)[0]?.[0]);
}

beforeAll(async () => {
  plugin = await scaffoldedPluginSite('webhook-events');
  ({ db, site } = plugin);
}, 120_000);

afterAll(async () => {
  await plugin?.stop();
});

const batch = (events: object[]): object => ({ time_ms: Date.now(), events });

describe('channel reports from the relay', () => {
  it('fires each action once with its arguments; a retried batch fires nothing again', () => {
    const events = [
      { name: 'channel_occupied', id: 'e-1', channel: 'presence-post-7' },
      { name: 'member_added', id: 'e-2', channel: 'presence-post-7', user_id: '12' },
      { name: 'client_event', id: 'e-3', channel: 'presence-post-7', event: 'client-cursor', data: { x: 1 }, user_id: '12' },
      { name: 'member_removed', id: 'e-4', channel: 'presence-post-7', user_id: '12' },
      { name: 'channel_vacated', id: 'e-5', channel: 'presence-post-7' },
    ];
    const first = post(batch(events));
    expect(first.status).toBe(200);
    expect(first.data).toMatchObject({ received: 5, duplicates: 0, delivery: null });
    const own = first.calls.filter((call) => call[0] !== 'webhook_event');
    expect(own).toEqual([
      ['channel_occupied', 'presence-post-7', events[0]],
      ['member_added', 'presence-post-7', '12', events[1]],
      ['client_event', 'presence-post-7', 'client-cursor', { x: 1 }, '12', events[2]],
      ['member_removed', 'presence-post-7', '12', events[3]],
      ['channel_vacated', 'presence-post-7', events[4]],
    ]);
    // The generic action still sees every new event.
    expect(first.calls.filter((call) => call[0] === 'webhook_event')).toHaveLength(5);
    expect(seenRows()).toBe(5);

    const retried = post(batch([...events, { name: 'channel_occupied', id: 'e-6', channel: 'private-user-3' }]));
    expect(retried.status).toBe(200);
    expect(retried.data).toMatchObject({ received: 6, duplicates: 5 });
    expect(retried.calls.filter((call) => call[0] !== 'webhook_event')).toEqual([['channel_occupied', 'private-user-3', { name: 'channel_occupied', id: 'e-6', channel: 'private-user-3' }]]);
  });

  it('refuses a batch with a malformed channel event (400, naming the field) before any action fires', () => {
    for (const [bad, field] of [
      [{ name: 'channel_occupied', channel: 'presence-x' }, 'id'],
      [{ name: 'member_added', id: 'm-1', channel: 'presence-x' }, 'user_id'],
      [{ name: 'channel_vacated', id: 'm-2', channel: 'bad channel!' }, 'channel'],
      [{ name: 'client_event', id: 'm-3', channel: 'presence-x', user_id: '1', event: 'cursor' }, 'event'],
      [{ name: 'channel_occupied', id: 'x'.repeat(65), channel: 'presence-x' }, 'id'],
    ] as const) {
      const answer = post(batch([{ name: 'channel_occupied', id: `ok-${field}-${Math.random()}`, channel: 'presence-fine' }, bad]));
      expect(answer.status).toBe(400);
      expect(answer.data).toMatchObject({ code: 'invalid_webhook', message: expect.stringContaining(`events[1].${field}`) });
      expect(answer.calls).toEqual([]);
    }
  });

  it('refuses an unsigned or wrongly signed batch (401) and acts on nothing', () => {
    const answer = post(batch([{ name: 'channel_occupied', id: 'forged-1', channel: 'presence-x' }]), 'x'.repeat(40));
    expect(answer.status).toBe(401);
    expect(answer.calls).toEqual([]);
  });

  it('keeps only the ids, each for ten minutes, and forgets them on uninstall', () => {
    const before = seenRows();
    // An id recorded eleven minutes ago is purged by the next batch, which may then act on it again.
    db.query(`UPDATE wordpress.wp_options SET option_value = '${Math.floor(Date.now() / 1000) - 60}' WHERE option_name = CONCAT('acme_live_whseen_', MD5('e-1'))`);
    const again = post(batch([{ name: 'channel_occupied', id: 'e-1', channel: 'presence-post-7' }]));
    expect(again.calls.filter((call) => call[0] === 'channel_occupied')).toHaveLength(1);
    expect(seenRows()).toBe(before);
    const values = db.query(`SELECT option_value, autoload FROM wordpress.wp_options WHERE option_name LIKE 'acme_live_whseen_%'`);
    for (const [value, autoload] of values) {
      expect(Number(value)).toBeGreaterThan(Date.now() / 1000 + 500);
      expect(autoload).toBe('no');
    }
    site.php<null>(`define( 'WP_UNINSTALL_PLUGIN', '${PLUGIN}' ); include WP_PLUGIN_DIR . '/acme-live/uninstall.php'; echo 'null';`);
    expect(seenRows()).toBe(0);
  });
});

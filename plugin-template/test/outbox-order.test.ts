/**
 * The outbox's send order, on a real WordPress + MariaDB (php-cli as the request runner): strictly first in, first
 * out, also within one second and across a failed send; and the upgrade from schema 2 (no seq column) keeps every
 * queued event. WP_REALTIME_TEST_WP_CORE=<core dir> runs it on another WordPress (e.g. 7.1).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MariaDb } from './support/mariadb.js';
import type { Multisite } from './support/multisite.js';
import { OUTBOX_TABLE, scaffoldedPluginSite, type PluginSite } from './support/plugin-site.js';

let plugin: PluginSite | undefined;
let db: MariaDb;
let site: Multisite;

/** Queues events straight into the outbox (no delivery is arranged), one PHP request, within the same second. */
function queue(types: string[]): string[] {
  return site.php<string[]>(`$ids = array();
foreach ( ${phpArray(types)} as $type ) {
	$row = acme_live_services()['outbox']->insert( array( 'id' => null, 'type' => $type, 'channel' => 'public', 'data' => array() ) );
	if ( is_wp_error( $row ) ) { fwrite( STDERR, $row->get_error_message() ); exit( 1 ); }
	$ids[] = $row['id'];
}
echo wp_json_encode( $ids );`);
}

function phpArray(values: string[]): string {
  return `array( ${values.map((v) => `'${v}'`).join(', ')} )`;
}

/** The types due() gives now, in its order. */
function dueTypes(limit = 100): string[] {
  return site.php<string[]>(`echo wp_json_encode( array_column( acme_live_services()['outbox']->due( ${limit} ), 'type' ) );`);
}

function hasDue(): boolean {
  return site.php<boolean>(`echo wp_json_encode( acme_live_services()['outbox']->has_due() );`);
}

function clearOutbox(): void {
  db.query(`DELETE FROM ${OUTBOX_TABLE}`);
}

beforeAll(async () => {
  plugin = await scaffoldedPluginSite('outbox-order');
  ({ db, site: site } = plugin);
}, 120_000);

afterAll(async () => {
  await plugin?.stop();
});

describe('the outbox sends first in, first out', () => {
  it('events queued in the same second come out in the order they were queued, not by their random ids', () => {
    clearOutbox();
    const types = Array.from({ length: 30 }, (_, i) => `order.n${String(i).padStart(2, '0')}`);
    const ids = queue(types);
    // Random UUIDs: sorted by id they would be in another order (30! orders; the chance they agree is nil).
    expect([...ids].sort()).not.toEqual(ids);
    expect(dueTypes()).toEqual(types);
    expect(dueTypes(5)).toEqual(types.slice(0, 5));
  });

  it('an event in backoff holds back every later one until the backoff ends (relay_ready ends it for all)', () => {
    clearOutbox();
    queue(['outage.first']);
    const [first] = site.php<{ id: string }[]>(`echo wp_json_encode( acme_live_services()['outbox']->due( 1 ) );`);
    // Its send failed: it waits out a backoff of 30 s or more.
    site.php<null>(`$o = acme_live_services()['outbox']; $o->mark_failed( $o->due( 1 ), 'relay down' ); echo 'null';`);
    queue(['outage.second', 'outage.third']);
    expect(dueTypes()).toEqual([]);
    expect(hasDue()).toBe(false);
    // The backoff ends (relay_ready): all of them, oldest first.
    expect(site.php<number>(`echo (int) acme_live_services()['outbox']->end_backoff();`)).toBeGreaterThanOrEqual(1);
    expect(dueTypes()).toEqual(['outage.first', 'outage.second', 'outage.third']);
    expect(hasDue()).toBe(true);
    expect(db.query(`SELECT attempts FROM ${OUTBOX_TABLE} WHERE id = '${first!.id}'`)).toEqual([['1']]);
  });

  it('a claim stops at the first row another dispatcher won, so none after it is sent before it', () => {
    clearOutbox();
    queue(['claim.a', 'claim.b', 'claim.c']);
    const claimed = site.php<string[]>(`$o = acme_live_services()['outbox'];
$rows = $o->due( 10 );
// Another dispatcher claims the second row between this one's read and its claim.
global $wpdb;
$wpdb->query( $wpdb->prepare( "UPDATE {$wpdb->prefix}acme_live_outbox SET next_attempt_at = %d WHERE id = %s", time() + 60, $rows[1]['id'] ) );
echo wp_json_encode( array_column( $o->claim( $rows, 60 ), 'type' ) );`);
    expect(claimed).toEqual(['claim.a']);
    // claim.b is leased to the other dispatcher: claim.c waits behind it.
    expect(dueTypes()).toEqual([]);
  });

  it('a dead letter leaves the queue and holds nothing back', () => {
    clearOutbox();
    queue(['dead.refused', 'dead.next']);
    db.query(`UPDATE ${OUTBOX_TABLE} SET status = 'dead' WHERE type = 'dead.refused'`);
    expect(dueTypes()).toEqual(['dead.next']);
  });
});

describe('the upgrade from schema 2', () => {
  it('adds seq and its index, keeps every queued event, and sends the old ones first', () => {
    clearOutbox();
    queue(['old.one', 'old.two']);
    // What a site on schema 2 has: no seq column, no status_seq index, db_version 2.
    db.query(`ALTER TABLE ${OUTBOX_TABLE} DROP INDEX status_seq, DROP COLUMN seq`);
    db.query("UPDATE wordpress.wp_options SET option_value = '2' WHERE option_name = 'acme_live_db_version'");
    // The next request upgrades it (maybe_install on plugins_loaded) before anything is queued.
    queue(['new.one']);
    const columns = db.query(`SHOW COLUMNS FROM ${OUTBOX_TABLE}`).map((row) => row[0]);
    expect(columns).toContain('seq');
    expect(db.query(`SHOW INDEX FROM ${OUTBOX_TABLE} WHERE Key_name = 'status_seq'`).length).toBeGreaterThan(0);
    expect(db.query("SELECT option_value FROM wordpress.wp_options WHERE option_name = 'acme_live_db_version'")).toEqual([['5']]);
    // The rows from before the upgrade have seq 0 and go first, by their time (same second here: by id).
    const due = dueTypes();
    expect(due).toHaveLength(3);
    expect(due.slice(0, 2).sort()).toEqual(['old.one', 'old.two']);
    expect(due[2]).toBe('new.one');
  });
});

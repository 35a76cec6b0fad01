/**
 * Issue 11 item 6: the generated plugin on a real subdirectory multisite (WordPress + MariaDB, php-cli as the
 * request runner). Network-activated, every site has its own outbox table, settings and events; a site created
 * afterwards gets its table (wp_initialize_site); a deleted site's table is dropped (wpmu_drop_tables); uninstall
 * cleans every site. WP_REALTIME_TEST_WP_CORE=<core dir> runs it on another WordPress (e.g. 7.1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MariaDb } from './support/mariadb.js';
import type { Multisite } from './support/multisite.js';
import { PLUGIN, scaffoldedPluginSite, type PluginSite } from './support/plugin-site.js';

let plugin: PluginSite | undefined;
let db: MariaDb;
let network: Multisite;

/** The plugin's tables, whatever site prefix they carry. */
function outboxTables(): string[] {
  return db.query("SHOW TABLES FROM wordpress LIKE '%acme\\_live\\_outbox'").map((row) => row[0] ?? '').sort();
}

/** Rows of a site's options table whose names belong to the plugin (its settings, schema version, transients). */
function pluginOptions(prefix: string): string[] {
  return db
    .query(`SELECT option_name FROM wordpress.${prefix}options WHERE option_name LIKE '%acme\\_live%' ORDER BY option_name`)
    .map((row) => row[0] ?? '');
}

/** The plugin's hooks in a site's WP-Cron array. */
function pluginCron(path: string): string[] {
  return network.php<string[]>(
    `$hooks = array();
foreach ( (array) _get_cron_array() as $events ) {
	foreach ( array_keys( (array) $events ) as $hook ) {
		if ( 0 === strpos( $hook, 'acme_live_' ) ) {
			$hooks[] = $hook;
		}
	}
}
echo wp_json_encode( $hooks );`,
    path,
  );
}

function createSite(slug: string): number {
  return network.php<number>(
    `$id = wp_insert_site( array( 'domain' => 'localhost', 'path' => '/${slug}/', 'title' => '${slug}', 'user_id' => 1 ) );
if ( is_wp_error( $id ) ) { fwrite( STDERR, $id->get_error_message() ); exit( 1 ); }
echo (int) $id;`,
  );
}

beforeAll(async () => {
  plugin = await scaffoldedPluginSite('multisite', 'none');
  ({ db, site: network } = plugin);
}, 120_000);

afterAll(async () => {
  await plugin?.stop();
});

describe('network-activated on a subdirectory multisite', () => {
  it('the network is real: two sites answer on their own paths', () => {
    expect(createSite('second')).toBe(2);
    expect(network.php<number>('echo get_current_blog_id();', '/second/')).toBe(2);
    expect(network.php<number>('echo get_current_blog_id();', '/')).toBe(1);
  });

  it('network activation gives every existing site its own outbox table', () => {
    const activation = network.php<{ error: string | null; network: boolean }>(
      `$result = activate_plugin( '${PLUGIN}', '', true );
echo wp_json_encode( array( 'error' => is_wp_error( $result ) ? $result->get_error_message() : null, 'network' => is_plugin_active_for_network( '${PLUGIN}' ) ) );`,
    );
    expect(activation).toEqual({ error: null, network: true });
    expect(outboxTables()).toEqual(['wp_2_acme_live_outbox', 'wp_acme_live_outbox']);
  });

  it('a site created after network activation gets its table at once (wp_initialize_site)', () => {
    expect(createSite('third')).toBe(3);
    expect(outboxTables()).toEqual(['wp_2_acme_live_outbox', 'wp_3_acme_live_outbox', 'wp_acme_live_outbox']);
    expect(pluginOptions('wp_3_')).toContain('acme_live_db_version');
  });

  it('each site has its own settings and its own events', () => {
    const queued = (path: string, type: string, relayUrl: string) =>
      network.php<{ id: string; relay: string }>(
        `update_option( 'acme_live_settings', array_merge( get_option( 'acme_live_settings', array() ), array( 'relay_url' => '${relayUrl}' ) ) );
$id = acme_live_trigger( '${type}', array( 'site' => get_current_blog_id() ) );
if ( is_wp_error( $id ) ) { fwrite( STDERR, $id->get_error_message() ); exit( 1 ); }
$services = acme_live_services();
echo wp_json_encode( array( 'id' => $id, 'relay' => $services['options']->relay_url() ) );`,
        path,
      );
    const main = queued('/', 'site.main', 'http://127.0.0.1:9/main');
    const second = queued('/second/', 'site.second', 'http://127.0.0.1:9/second');
    expect(main.relay).toBe('http://127.0.0.1:9/main');
    expect(second.relay).toBe('http://127.0.0.1:9/second');
    // Reading back from the other site: each keeps its own value.
    expect(network.php<string>("echo wp_json_encode( acme_live_services()['options']->relay_url() );", '/')).toBe('http://127.0.0.1:9/main');
    expect(network.php<string>("echo wp_json_encode( acme_live_services()['options']->relay_url() );", '/third/')).toBe('http://127.0.0.1:9');
    expect(db.query('SELECT id, type FROM wordpress.wp_acme_live_outbox')).toEqual([[main.id, 'site.main']]);
    expect(db.query('SELECT id, type FROM wordpress.wp_2_acme_live_outbox')).toEqual([[second.id, 'site.second']]);
    expect(db.query('SELECT COUNT(*) FROM wordpress.wp_3_acme_live_outbox')).toEqual([['0']]);
  });

  it("a deleted site's table is dropped with the site (wpmu_drop_tables)", () => {
    network.php<null>(
      `$result = wp_delete_site( 3 );
if ( is_wp_error( $result ) ) { fwrite( STDERR, $result->get_error_message() ); exit( 1 ); }
echo 'null';`,
    );
    expect(outboxTables()).toEqual(['wp_2_acme_live_outbox', 'wp_acme_live_outbox']);
  });

  it('network deactivation unschedules cron on every site; uninstall then removes options, tables and cron from every site', () => {
    // Both sites ran the plugin (the trigger above), so each has the retry schedule and a queued delivery.
    expect(pluginCron('/second/').length).toBeGreaterThan(0);
    expect(pluginCron('/').length).toBeGreaterThan(0);
    network.php<null>(`deactivate_plugins( '${PLUGIN}', false, true ); echo 'null';`);
    expect(pluginCron('/second/')).toEqual([]);
    expect(pluginCron('/')).toEqual([]);
    // Deactivation keeps the outboxes: nothing queued is lost.
    expect(outboxTables()).toEqual(['wp_2_acme_live_outbox', 'wp_acme_live_outbox']);

    network.php<null>(`uninstall_plugin( '${PLUGIN}' ); echo 'null';`);
    expect(outboxTables()).toEqual([]);
    expect(pluginOptions('wp_')).toEqual([]);
    expect(pluginOptions('wp_2_')).toEqual([]);
    expect(pluginCron('/second/')).toEqual([]);
  });
});

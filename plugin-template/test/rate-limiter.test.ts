/**
 * The generated plugin's per-source rate limit on a real WordPress + MariaDB: the trigger handler and the limiter,
 * wired as the plugin wires them, run one request after another in one PHP process, with SAVEQUERIES showing what
 * each request asked the database before its event was stored and what the limiter did after the response
 * (observe(), which the plugin runs on shutdown, called here where the response would have ended).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MariaDb } from './support/mariadb.js';
import type { Multisite } from './support/multisite.js';
import { OUTBOX_TABLE, scaffoldedPluginSite, type PluginSite } from './support/plugin-site.js';

let plugin: PluginSite | undefined;
let db: MariaDb;
let site: Multisite;

interface TriggerRound {
  /** 'queued', or the error code (rate_limited). */
  outcome: string;
  status: number;
  /** The source's COUNT before its event was stored (the exact check). */
  countedBefore: boolean;
  /** Queries after the response: the limiter's count, and the watch list's write when it made one. */
  after: string[];
}

/**
 * Sends `rounds` signed-style triggers from `source` (limit `limit` per minute) through the real handler, one after
 * another, each followed by the limiter's after-response step.
 */
function triggers(source: string, limit: number, rounds: number): TriggerRound[] {
  return site.php<TriggerRound[]>(`define( 'SAVEQUERIES', true );
global $wpdb;
add_filter( 'acme_live_rate_limit', static function () { return ${limit}; } );
$services = acme_live_services();
$rounds   = array();
for ( $i = 0; $i < ${rounds}; $i++ ) {
	$limiter       = new Acme_Live_Rate_Limiter( $services['outbox'] );
	$handler       = new Acme_Live_Trigger_Handler( $services['options'], $services['publisher'], $limiter );
	$wpdb->queries = array();
	$result        = $handler->accept( '${source}', 'application/json', wp_json_encode( array( 'type' => 'limit.test', 'data' => array( 'i' => $i ) ) ) );
	$before        = array_map( static function ( $q ) { return $q[0]; }, $wpdb->queries );
	$wpdb->queries = array();
	$limiter->observe();
	$rounds[] = array(
		'outcome'       => is_wp_error( $result ) ? $result->get_error_code() : $result['status'],
		'status'        => is_wp_error( $result ) ? (int) $result->get_error_data()['status'] : 202,
		'countedBefore' => array() !== preg_grep( '/^SELECT COUNT\\(\\*\\) FROM wp_acme_live_outbox WHERE source_key/', $before ),
		'after'         => array_values( array_map( static function ( $q ) { return $q[0]; }, $wpdb->queries ) ),
	);
}
echo wp_json_encode( $rounds );`);
}

function watchList(): Record<string, number> {
  return site.php<Record<string, number>>(`wp_cache_delete( 'alloptions', 'options' ); echo wp_json_encode( (object) get_option( 'acme_live_rate_watch' ) );`);
}

function storedFor(source: string): number {
  return Number(db.query(`SELECT COUNT(*) FROM ${OUTBOX_TABLE} WHERE source_key = MD5('${source}')`)[0]?.[0]);
}

const isWatchWrite = (q: string): boolean => /^(UPDATE|INSERT INTO) `?wp_options`?/.test(q) && q.includes('acme_live_rate_watch');

beforeAll(async () => {
  plugin = await scaffoldedPluginSite('rate-limiter');
  ({ db, site } = plugin);
}, 120_000);

afterAll(async () => {
  await plugin?.stop();
});

beforeEach(() => {
  db.query(`DELETE FROM ${OUTBOX_TABLE}`);
  site.php<null>(`update_option( 'acme_live_rate_watch', array(), true ); echo 'null';`);
});

describe('the per-source rate limit (MariaDB)', () => {
  it('exists after activation as an empty, autoloaded watch list, so a trigger never asks for a missing option', () => {
    expect(db.query("SELECT option_value, autoload FROM wordpress.wp_options WHERE option_name = 'acme_live_rate_watch'")).toEqual([['a:0:{}', 'yes']]);
  });

  it('counts nothing before the response below half the limit, exactly the limit after, and refuses the next with 429', () => {
    const rounds = triggers('ip:198.51.100.7', 6, 8);
    expect(rounds.map((r) => r.outcome)).toEqual(['queued', 'queued', 'queued', 'queued', 'queued', 'queued', 'rate_limited', 'rate_limited']);
    expect(rounds[6]?.status).toBe(429);
    // Events 1–3 pay no query for the limit; the third one's count (3 of 6) puts the source on the watch list, so
    // events 4–7 are counted before they are stored.
    expect(rounds.map((r) => r.countedBefore)).toEqual([false, false, false, true, true, true, true, true]);
    expect(storedFor('ip:198.51.100.7'), 'refused events are not stored').toBe(6);
    // Every accepted event is counted after its response; the list is written once, when the source joins it.
    for (const round of rounds.slice(0, 6)) expect(round.after.filter((q) => q.startsWith('SELECT COUNT(*)'))).toHaveLength(1);
    expect(rounds.flatMap((r) => r.after).filter(isWatchWrite)).toHaveLength(1);
    expect(rounds[2]?.after.filter(isWatchWrite)).toHaveLength(1);
    // Refused requests are neither stored nor observed.
    expect(rounds[6]?.after).toEqual([]);
    const list = watchList();
    const now = Math.floor(Date.now() / 1000);
    expect(Object.keys(list)).toEqual([md5('ip:198.51.100.7')]);
    expect(list[md5('ip:198.51.100.7')]).toBeGreaterThanOrEqual(now + 60);
  });

  it('keeps other sources query-free and exact: a source far below its limit is never counted before the response', () => {
    triggers('ip:198.51.100.7', 6, 7);
    const other = triggers('user:42', 6, 2);
    expect(other.map((r) => [r.outcome, r.countedBefore])).toEqual([
      ['queued', false],
      ['queued', false],
    ]);
  });

  it('with the limit 0 counts nothing, before or after', () => {
    const rounds = triggers('ip:198.51.100.8', 0, 3);
    expect(rounds.map((r) => r.outcome)).toEqual(['queued', 'queued', 'queued']);
    expect(rounds.map((r) => r.countedBefore)).toEqual([false, false, false]);
    expect(rounds.flatMap((r) => r.after)).toEqual([]);
  });

  it('counts a limit of 1 exactly: the first event watches the source, the second is refused', () => {
    const rounds = triggers('ip:198.51.100.9', 1, 2);
    expect(rounds.map((r) => [r.outcome, r.countedBefore])).toEqual([
      ['queued', false],
      ['rate_limited', true],
    ]);
  });

  it('drops expired entries when it writes, and watches everyone when too many sources are at half their limit at once', () => {
    const now = Math.floor(Date.now() / 1000);
    site.php<null>(`update_option( 'acme_live_rate_watch', array( '${md5('ip:192.0.2.1')}' => ${now - 1} ), true ); echo 'null';`);
    triggers('ip:198.51.100.12', 2, 1);
    expect(Object.keys(watchList()), 'the expired entry is gone, the new one is in').toEqual([md5('ip:198.51.100.12')]);
    // 100 live entries (the most the list holds) and one that expired.
    const entries = Array.from({ length: 100 }, (_, i) => `'${md5(`ip:203.0.113.${i}`)}' => ${now + 50}`).join(', ');
    site.php<null>(`update_option( 'acme_live_rate_watch', array( ${entries}, '${md5('ip:192.0.2.1')}' => ${now - 1} ), true ); echo 'null';`);
    const flooding = triggers('ip:198.51.100.10', 2, 1);
    expect(flooding[0]?.after.filter(isWatchWrite)).toHaveLength(1);
    expect(Object.keys(watchList())).toEqual(['*']);
    // Now a fresh source is counted before its first event, and refused at its limit with no observation needed.
    const fresh = triggers('user:77', 1, 2);
    expect(fresh.map((r) => [r.outcome, r.countedBefore])).toEqual([
      ['queued', true],
      ['rate_limited', true],
    ]);
  });

  it('extends a watched entry only when it would end within a window (at most one write per 10 s and source)', () => {
    const now = Math.floor(Date.now() / 1000);
    const key = md5('ip:198.51.100.11');
    site.php<null>(`update_option( 'acme_live_rate_watch', array( '${key}' => ${now + 30} ), true ); echo 'null';`);
    const rounds = triggers('ip:198.51.100.11', 2, 1);
    expect(rounds[0]?.countedBefore).toBe(true);
    expect(rounds[0]?.after.filter(isWatchWrite)).toHaveLength(1);
    expect(watchList()[key]).toBeGreaterThanOrEqual(now + 60);
    const again = triggers('ip:198.51.100.11', 4, 1);
    expect(again[0]?.after.filter(isWatchWrite), 'an entry a window away is not written again').toHaveLength(0);
  });
});

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

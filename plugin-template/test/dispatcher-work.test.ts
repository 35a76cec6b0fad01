/**
 * What the generated plugin's dispatcher does to the database after a response that queued an event, on a real
 * WordPress + MariaDB with the real relay as a child process: the pause check costs no query, the lock is a
 * MariaDB named lock (no row written, freed when its holder's connection ends), and a successful send writes only
 * the outbox row's claim and its "sent" mark. Playground's SQLite driver has no GET_LOCK; the row lock it uses is
 * run here too, by telling the dispatcher the database is SQLite (DB_ENGINE), on the same MariaDB.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRelayProcess, type RelayProcess } from '../../relay/test/support/relay-process.js';
import type { MariaDb } from './support/mariadb.js';
import type { Multisite } from './support/multisite.js';
import { OUTBOX_TABLE, scaffoldedPluginSite, type PluginSite } from './support/plugin-site.js';

let plugin: PluginSite | undefined;
let relay: RelayProcess | undefined;
let db: MariaDb;
let site: Multisite;
/** The delivery state's autoload flag right after activation, before any test wrote the option. */
let autoloadAfterActivation: string | undefined;

interface Dispatched {
  result: { sent: number; failed: number; locked: boolean; error: string | null };
  queries: string[];
}

/** The named lock's documented name: wprt_ + md5(DB_NAME | options table | the plugin's lock option name). */
const NAMED_LOCK = `wprt_${createHash('md5').update('wordpress|wp_options|acme_live_dispatch_lock').digest('hex')}`;

/** PHP that points the plugin at the test relay (constants win over the stored settings). */
function relaySettings(): string {
  return `define( 'ACME_LIVE_RELAY_URL', '${relay!.url}' ); define( 'ACME_LIVE_SECRET', '${relay!.secret}' );`;
}

/**
 * Queues one event, then runs one dispatch the way the after-response path does and returns its result and every
 * query it made (SAVEQUERIES), the queueing left out.
 */
function queueAndDispatch(options: { sqlite?: boolean; queue?: boolean } = {}): Dispatched {
  return site.php<Dispatched>(`define( 'SAVEQUERIES', true );
${relaySettings()}
${options.sqlite ? "define( 'DB_ENGINE', 'sqlite' );" : ''}
global $wpdb;
$services = acme_live_services();
${options.queue === false ? '' : "$services['outbox']->insert( array( 'id' => null, 'type' => 'work.test', 'channel' => 'public', 'data' => array( 'n' => 1 ) ) );"}
$wpdb->queries = array();
$result = $services['dispatcher']->dispatch();
echo wp_json_encode( array( 'result' => $result, 'queries' => array_map( static function ( $q ) { return $q[0]; }, (array) $wpdb->queries ) ) );`);
}

function writes(queries: string[]): string[] {
  return queries.filter((q) => /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(q));
}

function statuses(): string[] {
  return db.query(`SELECT status FROM ${OUTBOX_TABLE} ORDER BY seq`).map((row) => row[0]!);
}

/** A second connection that takes the named lock and keeps it until it is killed (a dispatcher that died). */
async function holdNamedLock(): Promise<ChildProcess> {
  const client = spawn('mariadb', ['--no-defaults', '-S', db.socket, '-uroot', '--batch', '--skip-column-names', '--unbuffered'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const taken = new Promise<string>((resolve) => client.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
  client.stdin.write(`SELECT GET_LOCK('${NAMED_LOCK}', 0);\n`);
  expect(await taken).toBe('1');
  return client;
}

/** A local TCP server that reads every request it is sent and never answers: what it read, once each socket closed. */
interface SilentListener {
  port: number;
  connections: number;
  requests: string[];
  close(): Promise<void>;
}

async function silentListener(): Promise<SilentListener> {
  const server: Server = createServer((socket) => {
    listener.connections++;
    let request = '';
    socket.on('data', (chunk: Buffer) => (request += chunk.toString()));
    socket.on('close', () => listener.requests.push(request));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const listener: SilentListener = {
    port: (server.address() as { port: number }).port,
    connections: 0,
    requests: [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return listener;
}

beforeAll(async () => {
  plugin = await scaffoldedPluginSite('dispatcher-work');
  ({ db, site } = plugin);
  autoloadAfterActivation = db.query("SELECT autoload FROM wordpress.wp_options WHERE option_name = 'acme_live_delivery_state'")[0]?.[0];
  relay = await startRelayProcess();
}, 120_000);

afterAll(async () => {
  await relay?.stop();
  await plugin?.stop();
});

beforeEach(() => {
  db.query(`DELETE FROM ${OUTBOX_TABLE}`);
  // A clean delivery state, as after activation (no pause, no error).
  site.php<null>(`update_option( 'acme_live_delivery_state', array( 'paused_until' => 0, 'error' => null ), true ); echo 'null';`);
});

describe('the dispatch after a response that queued an event (MariaDB)', () => {
  it('sends it under a named lock and writes only the claim and the sent mark (no option)', () => {
    const { result, queries } = queueAndDispatch();
    expect(result).toMatchObject({ sent: 1, failed: 0, locked: false, error: null });
    expect(statuses()).toEqual(['sent']);
    expect(queries.filter((q) => q.includes(`GET_LOCK( '${NAMED_LOCK}', 0 )`))).toHaveLength(1);
    expect(queries.filter((q) => q.includes(`RELEASE_LOCK( '${NAMED_LOCK}' )`))).toHaveLength(1);
    // Two commits: the claim (compare-and-swap on next_attempt_at) and the sent mark; nothing in wp_options.
    const written = writes(queries);
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(/^UPDATE wp_acme_live_outbox SET next_attempt_at = \d+ WHERE id = /);
    expect(written[1]).toMatch(/^UPDATE wp_acme_live_outbox SET status = 'sent', last_error = NULL WHERE id IN \('[0-9a-f-]{36}'\)$/);
    expect(queries.some((q) => q.includes('wp_options'))).toBe(false);
    // Lock, head of the queue, claim, sent mark, head again (empty), release, the look for events queued by a
    // dispatcher that found the lock held: nothing else (no SHOW FULL COLUMNS, no option read).
    expect(queries).toHaveLength(7);
    expect(queries.filter((q) => q.startsWith('SELECT * FROM wp_acme_live_outbox WHERE status'))).toHaveLength(3);
    expect(db.query(`SELECT IS_FREE_LOCK('${NAMED_LOCK}')`)).toEqual([['1']]);
  });

  it('checks the pause without a query, and a failure writes the state once', async () => {
    await relay!.stop();
    try {
      const failed = queueAndDispatch();
      expect(failed.result).toMatchObject({ sent: 0, failed: 1 });
      expect(failed.result.error).toMatch(/unreachable/);
      expect(writes(failed.queries).filter((q) => q.includes('acme_live_delivery_state'))).toHaveLength(1);
      const state = site.php<{ paused_until: number; error: { message: string } | null }>(`echo wp_json_encode( get_option( 'acme_live_delivery_state' ) );`);
      expect(state.paused_until).toBeGreaterThan(Date.now() / 1000);
      expect(state.error?.message).toMatch(/unreachable/);
      // Paused: the next dispatch gives up before any query (the state is autoloaded).
      const paused = queueAndDispatch();
      expect(paused.result).toMatchObject({ sent: 0, failed: 0 });
      expect(paused.result.error).toMatch(/failed moments ago/);
      expect(paused.queries).toEqual([]);
      expect(statuses()).toEqual(['pending', 'pending']);
    } finally {
      relay = await startRelayProcess([], relay!.secret);
    }
    // relay_ready (end_backoff) ends the pause and clears the error with one write, and sends both in order.
    const resumed = site.php<Dispatched['result']>(`${relaySettings()} echo wp_json_encode( acme_live_services()['dispatcher']->dispatch( true ) );`);
    expect(resumed).toMatchObject({ sent: 2, failed: 0, error: null });
    expect(site.php<unknown>(`echo wp_json_encode( get_option( 'acme_live_delivery_state' ) );`)).toEqual({ paused_until: 0, error: null });
    expect(statuses()).toEqual(['sent', 'sent']);
  });

  it('pauses until the head of the queue is due again when its backoff outlasts the 30 s pause (nothing could be sent before)', async () => {
    await relay!.stop();
    try {
      const state = site.php<{ paused_until: number; head: number }>(`${relaySettings()}
global $wpdb;
$services = acme_live_services();
$services['outbox']->insert( array( 'id' => null, 'type' => 'work.test', 'channel' => 'public', 'data' => array( 'n' => 1 ) ) );
// Two failed attempts already: the third failure backs off 30 s · 2² = 120 s.
$wpdb->query( "UPDATE {$wpdb->prefix}acme_live_outbox SET attempts = 2" );
$services['dispatcher']->dispatch();
$head = $wpdb->get_var( "SELECT next_attempt_at FROM {$wpdb->prefix}acme_live_outbox" );
echo wp_json_encode( array( 'paused_until' => get_option( 'acme_live_delivery_state' )['paused_until'], 'head' => (int) $head ) );`);
      const now = Date.now() / 1000;
      expect(state.head).toBeGreaterThan(now + 100);
      expect(state.paused_until).toBe(state.head);
    } finally {
      relay = await startRelayProcess([], relay!.secret);
    }
    // relay_ready still ends it at once.
    const resumed = site.php<Dispatched['result']>(`${relaySettings()} echo wp_json_encode( acme_live_services()['dispatcher']->dispatch( true ) );`);
    expect(resumed).toMatchObject({ sent: 1, error: null });
  });

  it('gives up while another connection holds the named lock, and sends once that holder is gone', async () => {
    const holder = await holdNamedLock();
    try {
      const blocked = queueAndDispatch();
      expect(blocked.result).toMatchObject({ sent: 0, locked: true });
      expect(writes(blocked.queries)).toEqual([]);
      expect(statuses()).toEqual(['pending']);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    // The holder's connection ended (as when a dispatcher dies): the server freed its lock, no expiry to wait out.
    const after = queueAndDispatch({ queue: false });
    expect(after.result).toMatchObject({ sent: 1, locked: false });
    expect(statuses()).toEqual(['sent']);
  });
});

describe('the loopback after a response (Apache + mod_php, CGI: no fastcgi_finish_request, as in php-cli)', () => {
  let server: SilentListener;
  let requests: string[];

  beforeAll(async () => {
    server = await silentListener();
    requests = server.requests;
  });

  afterAll(() => server.close());

  /** Runs the shutdown callback with the loopback pointed at the test's listener (php-cli blocks this process). */
  async function deliverAfterResponse(pausedFor: number): Promise<string[]> {
    requests.length = 0;
    const port = server.port;
    site.php<null>(`${relaySettings()}
add_filter( 'acme_live_loopback_url', static function () { return 'http://127.0.0.1:${port}/wp-json/acme-live/v1/webhook'; } );
${pausedFor > 0 ? `acme_live_services()['options']->record_error( 'relay down', 'delivery', time() + ${pausedFor} );` : ''}
acme_live_services()['dispatcher']->deliver_after_response();
echo 'null';`);
    // The request was written before php exited; let the listener read it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return [...requests];
  }

  it('fires the signed outbox_due loopback when sending is not paused', async () => {
    const sent = await deliverAfterResponse(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^POST \/wp-json\/acme-live\/v1\/webhook HTTP\/1\.1\r\n/);
    expect(sent[0]).toContain('"outbox_due"');
    expect(sent[0]).toMatch(/\r\nX-WP-Realtime-Signature: t=\d+,v1=[0-9a-f]{64}\r\n/i);
  });

  it('fires none while another process holds the dispatch lock: that holder looks again after releasing it', async () => {
    const holder = await holdNamedLock();
    try {
      expect(await deliverAfterResponse(0)).toEqual([]);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    expect(await deliverAfterResponse(0)).toHaveLength(1);
  });

  it('hands on to a fresh run when one reached its bound with events still due (5 batches of 100)', async () => {
    requests.length = 0;
    const port = server.port;
    const result = site.php<Dispatched['result']>(`${relaySettings()}
add_filter( 'acme_live_loopback_url', static function () { return 'http://127.0.0.1:${port}/wp-json/acme-live/v1/webhook'; } );
$services = acme_live_services();
for ( $n = 0; $n < 520; $n++ ) {
	$services['outbox']->insert( array( 'id' => null, 'type' => 'hand.on', 'channel' => 'public', 'data' => array( 'n' => $n ) ) );
}
echo wp_json_encode( $services['dispatcher']->dispatch() );`);
    expect(result).toMatchObject({ sent: 500, failed: 0, error: null });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(requests, 'one outbox_due loopback for the 20 left').toHaveLength(1);
    expect(requests[0]).toContain('"outbox_due"');
    // A run that emptied the queue hands nothing on.
    requests.length = 0;
    expect(site.php<Dispatched['result']>(`${relaySettings()}
add_filter( 'acme_live_loopback_url', static function () { return 'http://127.0.0.1:${port}/wp-json/acme-live/v1/webhook'; } );
echo wp_json_encode( acme_live_services()['dispatcher']->dispatch() );`)).toMatchObject({ sent: 20, error: null });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(requests).toEqual([]);
  });

  it('fires none while sending is paused after a failure: the events wait, due, for relay_ready or the retry', async () => {
    expect(await deliverAfterResponse(30)).toEqual([]);
    // The pause over (as after relay_ready): the next response fires it again.
    site.php<null>(`acme_live_services()['options']->record_error( '', 'delivery', 0 ); echo 'null';`);
    expect(await deliverAfterResponse(0)).toHaveLength(1);
  });
});

describe('the send in the request itself (PHP in WebAssembly; here the acme_live_deliver_in_request filter)', () => {
  // Stands for the loopback target and for a black-holed relay alike: it reads what it is sent, never answers.
  let listener: SilentListener;

  beforeAll(async () => {
    listener = await silentListener();
  });

  afterAll(() => listener.close());

  interface InRequest {
    ms: number;
    state: { paused_until: number };
  }

  /** Queues `events` events, then runs the shutdown callback in the request with the filter on; times it. */
  function queueAndFinishRequest(events: number, relayUrl?: string): InRequest {
    const port = listener.port;
    const settings = relayUrl === undefined ? relaySettings() : `define( 'ACME_LIVE_RELAY_URL', '${relayUrl}' ); define( 'ACME_LIVE_SECRET', '${relay!.secret}' );`;
    return site.php<InRequest>(`${settings}
add_filter( 'acme_live_deliver_in_request', '__return_true' );
add_filter( 'acme_live_loopback_url', static function () { return 'http://127.0.0.1:${port}/wp-json/acme-live/v1/webhook'; } );
$services = acme_live_services();
for ( $n = 0; $n < ${events}; $n++ ) {
	$services['outbox']->insert( array( 'id' => null, 'type' => 'in.request', 'channel' => 'public', 'data' => array( 'n' => $n ) ) );
}
$started = microtime( true );
$services['dispatcher']->deliver_after_response();
echo wp_json_encode( array( 'ms' => ( microtime( true ) - $started ) * 1000, 'state' => get_option( 'acme_live_delivery_state' ) ) );`);
  }

  it('sends before the response ends, with no loopback and no immediate cron event', async () => {
    listener.connections = 0;
    const { ms } = queueAndFinishRequest(1);
    expect(statuses()).toEqual(['sent']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(listener.connections).toBe(0);
    expect(ms).toBeLessThan(1_000);
    // The test site has DISABLE_WP_CRON, where the loopback path also queues an immediate cron event (a safety net
    // for a lost loopback): the send in the request needs none. Without the filter the event is queued.
    const scheduled = (inRequest: boolean) =>
      site.php<number | false>(`wp_clear_scheduled_hook( 'acme_live_dispatch_now' ); add_filter( 'acme_live_deliver_in_request', '__return_${inRequest}' );
acme_live_services()['dispatcher']->arrange_delivery(); echo wp_json_encode( wp_next_scheduled( 'acme_live_dispatch_now' ) );`);
    expect(scheduled(true)).toBe(false);
    expect(scheduled(false)).toEqual(expect.any(Number));
    site.php<null>(`wp_clear_scheduled_hook( 'acme_live_dispatch_now' ); echo 'null';`);
  });

  it('sends one batch of 100 at most: the visitor waits for one send, the rest goes with the next response or the retry', () => {
    queueAndFinishRequest(130);
    const counts = Object.fromEntries(db.query(`SELECT status, COUNT(*) FROM ${OUTBOX_TABLE} GROUP BY status`).map((row) => [row[0], Number(row[1])]));
    expect(counts).toEqual({ sent: 100, pending: 30 });
  });

  it('waits at most 1 s for a black-holed relay, then pauses: the next responses do not try it', async () => {
    const port = listener.port;
    listener.connections = 0;
    const first = queueAndFinishRequest(1, `http://127.0.0.1:${port}`);
    // The 1 s bound, not the 5 s of a send off the visitor's time; php-cli's own start is outside the timing.
    expect(first.ms).toBeGreaterThanOrEqual(900);
    expect(first.ms).toBeLessThan(2_000);
    expect(first.state.paused_until).toBeGreaterThan(Date.now() / 1000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(listener.connections).toBe(1);
    expect(listener.requests.at(-1)).toMatch(/^POST \/v1\/events HTTP\/1\.1\r\n/);
    const second = queueAndFinishRequest(1, `http://127.0.0.1:${port}`);
    expect(second.ms).toBeLessThan(100);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(listener.connections).toBe(1);
    expect(statuses()).toEqual(['pending', 'pending']);
  });
});

describe('the row lock, where the database has no GET_LOCK (Playground SQLite; forced here with DB_ENGINE)', () => {
  it('sends it under the option-row lock and removes the row afterwards', () => {
    const { result, queries } = queueAndDispatch({ sqlite: true });
    expect(result).toMatchObject({ sent: 1, locked: false });
    expect(queries.some((q) => q.includes('GET_LOCK'))).toBe(false);
    expect(queries.some((q) => /^INSERT IGNORE INTO wp_options .*acme_live_dispatch_lock/.test(q))).toBe(true);
    expect(queries.some((q) => /^DELETE FROM wp_options WHERE option_name = 'acme_live_dispatch_lock'/.test(q))).toBe(true);
    expect(db.query("SELECT COUNT(*) FROM wordpress.wp_options WHERE option_name = 'acme_live_dispatch_lock'")).toEqual([['0']]);
    expect(statuses()).toEqual(['sent']);
  });

  it('gives up while a live row lock is held', () => {
    db.query(`INSERT INTO wordpress.wp_options (option_name, option_value, autoload) VALUES ('acme_live_dispatch_lock', UNIX_TIMESTAMP() + 60, 'no')`);
    try {
      const blocked = queueAndDispatch({ sqlite: true });
      expect(blocked.result).toMatchObject({ sent: 0, locked: true });
      expect(statuses()).toEqual(['pending']);
    } finally {
      db.query("DELETE FROM wordpress.wp_options WHERE option_name = 'acme_live_dispatch_lock'");
    }
  });
});

describe('the delivery state option', () => {
  it('is autoloaded from activation on, and the upgrade from schema 3 replaces the options it superseded', () => {
    const autoload = (): string[][] => db.query("SELECT autoload FROM wordpress.wp_options WHERE option_name = 'acme_live_delivery_state'");
    expect(autoloadAfterActivation).toMatch(/^(yes|on)$/);
    // What a site on schema 3 has: the pause and the last error as two options of their own, no delivery state.
    db.query("DELETE FROM wordpress.wp_options WHERE option_name = 'acme_live_delivery_state'");
    db.query(
      "INSERT INTO wordpress.wp_options (option_name, option_value, autoload) VALUES ('acme_live_relay_pause_until', '1', 'no'), ('acme_live_last_error', 'a:0:{}', 'no')",
    );
    db.query("UPDATE wordpress.wp_options SET option_value = '3' WHERE option_name = 'acme_live_db_version'");
    // The next request upgrades it (maybe_install on plugins_loaded).
    expect(site.php<unknown>(`echo wp_json_encode( get_option( 'acme_live_delivery_state' ) );`)).toEqual({ paused_until: 0, error: null });
    expect(autoload()[0]?.[0]).toMatch(/^(yes|on)$/);
    expect(db.query("SELECT COUNT(*) FROM wordpress.wp_options WHERE option_name IN ('acme_live_relay_pause_until', 'acme_live_last_error')")).toEqual([['0']]);
    expect(db.query("SELECT option_value FROM wordpress.wp_options WHERE option_name = 'acme_live_db_version'")).toEqual([['5']]);
  });
});

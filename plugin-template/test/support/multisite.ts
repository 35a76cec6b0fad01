/**
 * A real WordPress subdirectory multisite on a real MariaDB, driven by php-cli: each step is a PHP script that
 * loads wp-load.php as a request to the network's main site would, does one thing and prints JSON. No web server
 * is involved, so the test sees exactly what WordPress core and the plugin do with the database.
 * The core is Debian's /usr/share/wordpress (6.1.9) unless WP_REALTIME_TEST_WP_CORE names another core directory.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MariaDb } from './mariadb.js';

export const CORE_DIR = process.env['WP_REALTIME_TEST_WP_CORE'] || '/usr/share/wordpress';
const DB_NAME = 'wordpress';

export interface Multisite {
  root: string;
  pluginsDir: string;
  /** Runs PHP code after WordPress has loaded (as a request to `path` on the network) and returns what it echoed, parsed as JSON. */
  php<T>(code: string, path?: string): T;
  remove(): void;
}

function wpConfig(db: MariaDb, multisite: boolean): string {
  const network = multisite
    ? `define( 'MULTISITE', true );
define( 'SUBDOMAIN_INSTALL', false );
define( 'DOMAIN_CURRENT_SITE', 'localhost' );
define( 'PATH_CURRENT_SITE', '/' );
define( 'SITE_ID_CURRENT_SITE', 1 );
define( 'BLOG_ID_CURRENT_SITE', 1 );
`
    : `define( 'WP_ALLOW_MULTISITE', true );
`;
  return `<?php
define( 'DB_NAME', '${DB_NAME}' );
define( 'DB_USER', 'root' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', 'localhost:${db.socket}' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'WP_DEBUG', true );
// null: WordPress leaves display_errors as php-cli set it (to stderr), so notices never mix with the JSON on stdout.
define( 'WP_DEBUG_DISPLAY', null );
define( 'DISABLE_WP_CRON', true );
${network}$table_prefix = 'wp_';
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
`;
}

/** The request WordPress believes it serves: the network's main site unless a path says otherwise. */
function bootstrap(path: string): string {
  return `<?php
$_SERVER['HTTP_HOST']       = 'localhost';
$_SERVER['SERVER_NAME']     = 'localhost';
$_SERVER['SERVER_PORT']     = '80';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['REQUEST_URI']     = ${JSON.stringify(path)};
$_SERVER['REMOTE_ADDR']     = '127.0.0.1';
$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
`;
}

const CORE_DEPRECATION = /^(?:PHP )?Deprecated: .* in \S+\/wp-(?:includes|admin)\/\S+ on line \d+$/;

function runPhp(root: string, script: string): string {
  const file = join(root, `step-${process.pid}-${Math.random().toString(36).slice(2)}.php`);
  writeFileSync(file, script);
  try {
    const result = spawnSync('php', ['-d', 'display_errors=stderr', '-d', 'log_errors=0', file], { cwd: root, encoding: 'utf8' });
    // WordPress 6.1 itself is not clean on PHP 8.2 (deprecations in wp-includes); anything else, and anything from
    // the plugin, fails the step.
    const problems = result.stderr.split('\n').filter((line) => line.trim() !== '' && !CORE_DEPRECATION.test(line));
    if (result.status !== 0 || problems.length > 0) {
      throw new Error(`PHP step failed (exit ${result.status}):\n${problems.join('\n')}\n${result.stdout}\n--- script ---\n${script}`);
    }
    return result.stdout;
  } finally {
    rmSync(file, { force: true });
  }
}

export function installMultisite(db: MariaDb): Multisite {
  const root = mkdtempSync(join(tmpdir(), 'wprt-multisite-'));
  // Debian's tree links into other packages and carries its own wp-config.php: copy the files, not the links.
  cpSync(CORE_DIR, root, { recursive: true, dereference: true });
  rmSync(join(root, 'wp-config.php'), { force: true });
  rmSync(join(root, '.htaccess'), { force: true });
  db.query(`DROP DATABASE IF EXISTS ${DB_NAME}; CREATE DATABASE ${DB_NAME} CHARACTER SET utf8mb4`);

  // What the installer and Tools → Network Setup do, without a browser.
  writeFileSync(join(root, 'wp-config.php'), wpConfig(db, false));
  runPhp(
    root,
    `${bootstrap('/')}define( 'WP_INSTALLING', true );
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install( 'Network', 'admin', 'admin@example.com', false, '', 'password' );
update_option( 'permalink_structure', '/%postname%/' );
require_once ABSPATH . 'wp-admin/includes/network.php';
// A single site's $wpdb does not name the network tables yet; Network Setup runs with them named.
foreach ( $wpdb->tables( 'ms_global' ) as $table => $prefixed_table ) {
	$wpdb->$table = $prefixed_table;
}
install_network();
$result = populate_network( 1, 'localhost', 'admin@example.com', 'Network', '/', false );
if ( is_wp_error( $result ) ) {
	fwrite( STDERR, $result->get_error_message() );
	exit( 1 );
}
`,
  );
  writeFileSync(join(root, 'wp-config.php'), wpConfig(db, true));

  return {
    root,
    pluginsDir: join(root, 'wp-content', 'plugins'),
    php<T>(code: string, path = '/'): T {
      const out = runPhp(
        root,
        `${bootstrap(path)}require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
require_once ABSPATH . 'wp-admin/includes/ms.php';
wp_set_current_user( 1 );
${code}
`,
      );
      try {
        return JSON.parse(out) as T;
      } catch {
        throw new Error(`the PHP step printed no JSON:\n${out}`);
      }
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * The set-up every plugin test shares: a real MariaDB, a real WordPress multisite on it, and the plugin scaffolded
 * by the real CLI as `acme-live` into that site's plugins directory. Its relay URL is port 9 (discard), closed here,
 * so whatever the plugin queues stays in its outbox for the test to read.
 */
import { join } from 'node:path';
import { assertBuilt, runCli, tempDir } from '../../../cli/test/scaffold-helpers.js';
import { startMariaDb, type MariaDb } from './mariadb.js';
import { installMultisite, type Multisite } from './multisite.js';

export const PLUGIN_SLUG = 'acme-live';
export const PLUGIN = `${PLUGIN_SLUG}/${PLUGIN_SLUG}.php`;
/** The main site's outbox table, as `mariadb` names it. */
export const OUTBOX_TABLE = 'wordpress.wp_acme_live_outbox';

export interface PluginSite {
  db: MariaDb;
  site: Multisite;
  /** Removes the site and stops MariaDB; safe to call after a failed start. */
  stop(): Promise<void>;
}

/** `activate`: on the main site (the default), network-wide, or not at all (the test activates it itself). */
export async function scaffoldedPluginSite(testName: string, activate: 'site' | 'network' | 'none' = 'site'): Promise<PluginSite> {
  assertBuilt();
  const db = await startMariaDb();
  let site: Multisite | undefined;
  const stop = async (): Promise<void> => {
    site?.remove();
    await db.stop();
  };
  try {
    site = installMultisite(db);
    const scaffold = runCli(['scaffold', PLUGIN_SLUG, '--dir', join(site.pluginsDir, PLUGIN_SLUG), '--relay-url', 'http://127.0.0.1:9'], tempDir(testName));
    if (scaffold.code !== 0) throw new Error(`scaffold failed: ${scaffold.stderr}`);
    if (activate !== 'none') {
      site.php<null>(
        `$result = activate_plugin( '${PLUGIN}', '', ${activate === 'network' ? 'true' : 'false'} ); if ( is_wp_error( $result ) ) { fwrite( STDERR, $result->get_error_message() ); exit( 1 ); } echo 'null';`,
      );
    }
    return { db, site, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * What `wp-realtime dev` needs before it starts anything, each with a message that says how to get it: the built
 * block and console, a way to run WordPress (a Docker engine, or Debian's WordPress core for Playground), and two free ports.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BLOCK_BUILD_DIR, CONSOLE_BUILD_DIR } from '../../scaffold/block-assets.js';
import { chooseRuntime, type WordPressRuntime } from '../../stack/index.js';
import { coreSourceDir, DEBIAN_WORDPRESS_DIR } from '../../stack/local-core.js';
import { missingForServer } from '../../stack/web-servers.js';
import { portAnswers } from '../../stack/ports.js';
import { RuntimeFailure } from '../errors.js';

const DEBIAN_PACKAGES = 'wordpress wordpress-theme-twentytwentythree php-cli';

export interface PreflightInput {
  wordpress: number;
  relay: number;
  /** This instance's WordPress from a run that was forced to stop: startWordPress stops it, so its port may be busy. */
  leftoverWordPress: boolean;
  /** `--server`: a real stack instead of wp-env. */
  server?: 'apache' | 'nginx';
}

export async function preflight(ports: PreflightInput): Promise<WordPressRuntime> {
  for (const file of ['block.json', 'view.js', 'index.js']) {
    if (!existsSync(join(BLOCK_BUILD_DIR, file))) {
      throw new RuntimeFailure(`dev: the Live Notifications block is not built (${join(BLOCK_BUILD_DIR, file)} is missing); run \`npm run build:block\` first`);
    }
  }
  if (!existsSync(join(CONSOLE_BUILD_DIR, 'index.js'))) {
    throw new RuntimeFailure(`dev: the live console is not built (${join(CONSOLE_BUILD_DIR, 'index.js')} is missing); run \`npm run build:console\` first`);
  }
  const wanted = [['the relay (--relay-port)', ports.relay]] as [string, number][];
  if (!ports.leftoverWordPress) wanted.unshift(['WordPress (--port)', ports.wordpress]);
  for (const [purpose, port] of wanted) {
    if (await portAnswers(port)) {
      throw new RuntimeFailure(`dev: port ${port} for ${purpose} is already in use; stop what runs there or choose another port`);
    }
  }
  const runtime = await chooseRuntime(ports.server);
  if (runtime === 'apache' || runtime === 'nginx') {
    const { missing, packages } = missingForServer(runtime);
    if (missing.length > 0) throw new RuntimeFailure(`dev: --server ${runtime} needs ${missing.join(', ')}; install it with \`apt-get install -y --no-install-recommends ${packages} mariadb-server\``);
    const core = coreSourceDir();
    if (!existsSync(join(core, 'wp-includes', 'version.php'))) {
      throw new RuntimeFailure(`dev: no WordPress core in ${core}; install Debian's with \`apt-get install -y --no-install-recommends ${DEBIAN_PACKAGES}\` or set WP_REALTIME_WP_CORE`);
    }
    return runtime;
  }
  if (runtime === 'playground' && !existsSync(join(coreSourceDir(), 'wp-includes', 'version.php'))) {
    throw new RuntimeFailure(
      `dev: no Docker engine runs and no WordPress core is installed in ${DEBIAN_WORDPRESS_DIR}; install it with \`apt-get install -y --no-install-recommends ${DEBIAN_PACKAGES}\` (Debian/Ubuntu), or start Docker`,
    );
  }
  return runtime;
}

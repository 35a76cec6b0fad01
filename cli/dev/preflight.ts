/**
 * What `wp-realtime dev` needs before it starts anything, each with a message that says how to get it: the built
 * block, a way to run WordPress (a Docker engine, or Debian's WordPress core for Playground), and two free ports.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BLOCK_BUILD_DIR } from '../../scaffold/block-assets.js';
import { chooseRuntime, type WpEnvRuntime } from '../../stack/index.js';
import { DEBIAN_WORDPRESS_DIR } from '../../stack/local-core.js';
import { portAnswers } from '../../stack/ports.js';
import { RuntimeFailure } from '../errors.js';

const DEBIAN_PACKAGES = 'wordpress wordpress-theme-twentytwentythree php-cli';

export interface PreflightInput {
  wordpress: number;
  relay: number;
  /** This instance's WordPress from a run that was forced to stop: startWordPress stops it, so its port may be busy. */
  leftoverWordPress: boolean;
}

export async function preflight(ports: PreflightInput): Promise<WpEnvRuntime> {
  for (const file of ['block.json', 'view.js', 'index.js']) {
    if (!existsSync(join(BLOCK_BUILD_DIR, file))) {
      throw new RuntimeFailure(`dev: the Live Notifications block is not built (${join(BLOCK_BUILD_DIR, file)} is missing); run \`npm run build:block\` first`);
    }
  }
  const wanted = [['the relay (--relay-port)', ports.relay]] as [string, number][];
  if (!ports.leftoverWordPress) wanted.unshift(['WordPress (--port)', ports.wordpress]);
  for (const [purpose, port] of wanted) {
    if (await portAnswers(port)) {
      throw new RuntimeFailure(`dev: port ${port} for ${purpose} is already in use; stop what runs there or choose another port`);
    }
  }
  const runtime = await chooseRuntime();
  if (runtime === 'playground' && !existsSync(join(DEBIAN_WORDPRESS_DIR, 'wp-includes', 'version.php'))) {
    throw new RuntimeFailure(
      `dev: no Docker engine runs and no WordPress core is installed in ${DEBIAN_WORDPRESS_DIR}; install it with \`apt-get install -y --no-install-recommends ${DEBIAN_PACKAGES}\` (Debian/Ubuntu), or start Docker`,
    );
  }
  return runtime;
}

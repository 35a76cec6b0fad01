/**
 * The demo's files under `<cwd>/.wp-realtime/dev/`: a minimal `.wp-env.json` (so `dev` works in any folder, not
 * only in a checkout) and a plugin freshly scaffolded by the real scaffold code. The folder ignores itself in git.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { planScaffold } from '../../scaffold/plan.js';
import { writePluginDir } from '../../scaffold/write.js';

export interface DemoProject {
  /** Holds the generated `.wp-env.json`; wp-env's state goes under its `.wp-env-home/`. */
  projectDir: string;
  pluginDir: string;
  /** Block namespace (the slug). */
  namespace: string;
  /** wp-config constant prefix, e.g. LIVE_DEMO. */
  constantPrefix: string;
}

const WP_ENV_CONFIG = {
  testsEnvironment: false,
  plugins: [],
  config: { WP_DEBUG: true, WP_DEBUG_LOG: true, WP_DEBUG_DISPLAY: false },
};

export async function prepareDemoProject(cwd: string, slug: string, relayUrlForWordPress: string): Promise<DemoProject> {
  const projectDir = join(cwd, '.wp-realtime', 'dev');
  await mkdir(projectDir, { recursive: true });
  await writeFile(join(projectDir, '.gitignore'), '# written by `wp-realtime dev`: generated demo state\n*\n');
  await writeFile(join(projectDir, '.wp-env.json'), `${JSON.stringify(WP_ENV_CONFIG, null, 2)}\n`);
  const pluginDir = join(projectDir, 'plugins', slug);
  const plan = await planScaffold({ slug, dir: pluginDir, relayUrl: relayUrlForWordPress, force: true, block: true, zip: false }, cwd);
  await writePluginDir(plan.dir, plan.files);
  return { projectDir, pluginDir, namespace: plan.context.namespace, constantPrefix: plan.context.constantPrefix };
}

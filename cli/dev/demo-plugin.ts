/**
 * The demo's files under `<cwd>/.wp-realtime/dev/`: a minimal `.wp-env.json` (so `dev` works in any folder, not
 * only in a checkout) and a plugin freshly scaffolded by the real scaffold code. The folder ignores itself in git.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { planScaffold } from '../../scaffold/plan.js';
import { writePluginDir } from '../../scaffold/write.js';
import { wpEnvPaths } from '../../stack/wp-env-paths.js';

export interface DemoProject {
  /** Holds the generated `.wp-env.json`; wp-env's state goes under its `.wp-env-home/`. */
  projectDir: string;
  pluginDir: string;
  /** Block namespace (the slug). */
  namespace: string;
  /** wp-config constant prefix, e.g. LIVE_DEMO. */
  constantPrefix: string;
  /** PHP function/option prefix, e.g. live_demo. */
  functionPrefix: string;
}

const WP_ENV_CONFIG = {
  testsEnvironment: false,
  plugins: [],
  config: { WP_DEBUG: true, WP_DEBUG_LOG: true, WP_DEBUG_DISPLAY: false },
};

export function demoProjectDir(cwd: string): string {
  return join(cwd, '.wp-realtime', 'dev');
}

/** wp-env state of one dev instance: `dev-<port>`, so two `dev` runs on different ports never share a site. */
export function devInstance(port: number): string {
  return `dev-${port}`;
}

/** Whether a forced stop left this instance's Playground server running (wp-env keeps its pid file until stop). */
export function leftoverWordPress(cwd: string, port: number): boolean {
  const projectDir = demoProjectDir(cwd);
  return existsSync(join(projectDir, '.wp-env.json')) && existsSync(join(wpEnvPaths(projectDir, devInstance(port)).workDir, 'playground.pid'));
}

export async function prepareDemoProject(cwd: string, slug: string, relayUrlForWordPress: string): Promise<DemoProject> {
  const projectDir = demoProjectDir(cwd);
  await mkdir(projectDir, { recursive: true });
  await writeFile(join(projectDir, '.gitignore'), '# written by `wp-realtime dev`: generated demo state\n*\n');
  await writeFile(join(projectDir, '.wp-env.json'), `${JSON.stringify(WP_ENV_CONFIG, null, 2)}\n`);
  const pluginDir = join(projectDir, 'plugins', slug);
  const plan = await planScaffold({ slug, dir: pluginDir, relayUrl: relayUrlForWordPress, force: true, block: true, zip: false }, cwd);
  await writePluginDir(plan.dir, plan.files);
  return { projectDir, pluginDir, namespace: plan.context.namespace, constantPrefix: plan.context.constantPrefix, functionPrefix: plan.context.functionPrefix };
}

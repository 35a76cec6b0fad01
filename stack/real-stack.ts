/**
 * WordPress on a production stack from Debian's packages — Apache 2.4 prefork + mod_php, or nginx + php-fpm — on a
 * private MariaDB, all under `<projectDir>/.wp-realtime/<instance>/stack/` and stopped by the harness. WP-Cron stays
 * as WordPress ships it (no DISABLE_WP_CRON, no pump): what a site builder gets.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { StackError } from './errors.js';
import { ensureLocalCore, freshSiteCopy } from './local-core.js';
import { startMariaDb } from './mariadb.js';
import { freePort } from './ports.js';
import type { ServerProcess } from './server-process.js';
import { missingForServer, startApache, startNginx, WEB_USER, type RealServer } from './web-servers.js';
import { AdminSession, HTACCESS, PRETTY_PERMALINKS, runInstaller, writeWpConfig } from './wp-install.js';
import { assertPluginFolder, type WpConfigValue } from './wp-env-config.js';

export interface RealStackOptions {
  server: RealServer;
  projectDir: string;
  instance: string;
  port: number;
  /** MariaDB's TCP port (loopback); default: a free port. */
  dbPort?: number;
  coreDir: string;
  constants: Record<string, WpConfigValue>;
  plugins: string[];
  adminUser: string;
  adminPassword: string;
  coreCacheDir: string;
  progress: (line: string) => void;
}

export interface RealStack {
  url: string;
  siteDir: string;
  pluginsDir: string;
  version: string;
  installPlugin(sourceDir: string): Promise<string>;
  stop(): Promise<void>;
}

function sh(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new StackError(`${command} ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
}

/** Whether the web server's user can read this path (every parent directory must let it through). */
function webUserCanRead(path: string): boolean {
  return spawnSync('runuser', ['-u', WEB_USER, '--', 'test', '-r', path]).status === 0;
}

/** Directories in a plugin that only their owner may enter: fine once owned by the web server, worth a word. */
async function privateDirs(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    if (((await stat(current)).mode & 0o005) !== 0o005) found.push(current);
    for (const entry of await readdir(current, { withFileTypes: true })) if (entry.isDirectory()) await walk(join(current, entry.name));
  };
  await walk(dir);
  return found;
}

export function stackStateDir(projectDir: string, instance: string): string {
  return join(resolve(projectDir), '.wp-realtime', instance, 'stack');
}

export async function startRealStack(options: RealStackOptions): Promise<RealStack> {
  const { missing, packages } = missingForServer(options.server);
  if (missing.length > 0) throw new StackError(`${options.server} is not installed (${missing.join(', ')} missing); install it with: apt-get install -y --no-install-recommends ${packages}`);
  if (process.getuid?.() !== 0) throw new StackError(`the ${options.server} stack runs its workers as ${WEB_USER} and so must be started as root`);
  const stateDir = stackStateDir(options.projectDir, options.instance);
  const siteDir = join(stateDir, 'site');
  const pluginsDir = join(siteDir, 'wp-content', 'plugins');
  const url = `http://localhost:${options.port}`;
  const servers: ServerProcess[] = [];
  const stopAll = async (): Promise<void> => {
    // Web server first (no request may find the database gone), then MariaDB.
    for (const server of servers.splice(0)) await server.stop();
  };

  try {
    await mkdir(stateDir, { recursive: true });
    const dbPort = options.dbPort ?? (await freePort());
    options.progress(`MariaDB on 127.0.0.1:${dbPort} (data in ${join(stateDir, 'mysql')})`);
    const db = await startMariaDb(stateDir, dbPort);
    servers.unshift(db.server);

    const core = await ensureLocalCore(options.coreCacheDir, options.coreDir);
    options.progress(`WordPress ${core.version} from ${options.coreDir} into ${siteDir}`);
    await freshSiteCopy(core, siteDir);
    await writeWpConfig(siteDir, db, options.constants);
    if (options.server === 'apache') await writeFile(join(siteDir, '.htaccess'), HTACCESS);
    // The site belongs to the web server's user, as after `chown -R www-data:` on a typical server: WordPress can
    // then write .htaccess, uploads, and install or delete plugins itself.
    sh('chown', ['-R', `${WEB_USER}:${WEB_USER}`, siteDir]);
    if (!webUserCanRead(join(siteDir, 'index.php'))) {
      throw new StackError(`${WEB_USER} cannot read ${siteDir}: a parent directory does not let it through (e.g. a 0700 home); run from a directory other users can enter`);
    }

    options.progress(`starting ${options.server === 'apache' ? 'Apache 2.4 prefork + mod_php' : 'nginx + php-fpm'} on port ${options.port}`);
    const web = options.server === 'apache' ? await startApache({ stateDir, siteDir, port: options.port }) : await startNginx({ stateDir, siteDir, port: options.port });
    servers.unshift(...web);

    options.progress('installing WordPress (wp-admin/install.php)');
    await runInstaller({ url, adminUser: options.adminUser, adminPassword: options.adminPassword });
    const admin = await AdminSession.login(url, options.adminUser, options.adminPassword);
    await admin.setPermalinks(PRETTY_PERMALINKS);
    const installPlugin = async (sourceDir: string): Promise<string> => {
      await assertPluginFolder(sourceDir);
      const name = basename(resolve(sourceDir));
      const target = join(pluginsDir, name);
      await rm(target, { recursive: true, force: true });
      // Modes as the files have them (like `cp -a`), owner the web server (like an upload through wp-admin).
      await cp(sourceDir, target, { recursive: true, preserveTimestamps: true });
      sh('chown', ['-R', `${WEB_USER}:${WEB_USER}`, target]);
      const closed = await privateDirs(target);
      if (closed.length > 0) {
        options.progress(`note: ${closed.length} folder(s) of ${name} let only their owner in (e.g. ${closed[0]}); they work here because the copy belongs to ${WEB_USER}`);
      }
      return name;
    };
    for (const plugin of options.plugins) {
      const name = await installPlugin(plugin);
      const main = (await readdir(join(pluginsDir, name))).find((f) => f === `${name}.php`) ?? (await mainPluginFile(join(pluginsDir, name)));
      await admin.activatePlugin(`${name}/${main.replace(/\.php$/, '')}`);
      options.progress(`activated ${name}`);
    }
    let stopped: Promise<void> | null = null;
    return {
      url,
      siteDir,
      pluginsDir,
      version: core.version,
      installPlugin,
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function mainPluginFile(dir: string): Promise<string> {
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.php'))) {
    if (/^[ \t/*#@]*Plugin Name:/im.test(await readFile(join(dir, file), 'utf8'))) return file;
  }
  throw new StackError(`${dir} has no PHP file with a "Plugin Name:" header`);
}

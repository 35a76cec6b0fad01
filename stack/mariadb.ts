/**
 * A private MariaDB for one instance: `mariadb-install-db` once into `<stateDir>/mysql/data`, then `mariadbd` with
 * its own --datadir, --socket, --port and --pid-file, on loopback only. Every start drops and recreates the site's
 * database, so a run never sees the previous run's data.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError } from './errors.js';
import { portAnswers } from './ports.js';
import { endLeftover, startServer, waitForServer, type ServerProcess } from './server-process.js';
import { shortSocketPath } from './socket-path.js';

export const MARIADB_SERVER = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';
const CLIENT = '/usr/bin/mariadb';

export interface Database {
  host: string;
  name: string;
  user: string;
  password: string;
  server: ServerProcess;
}

function run(command: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (error) => reject(new StackError(`could not run ${command}: ${error.message}`)));
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new StackError(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.slice(-3000)}`))));
    child.stdin.end(input ?? '');
  });
}

export async function startMariaDb(stateDir: string, port: number): Promise<Database> {
  if (!existsSync(MARIADB_SERVER) || !existsSync(INSTALL_DB)) {
    throw new StackError(`MariaDB is not installed (${MARIADB_SERVER}); install it with: apt-get install -y --no-install-recommends mariadb-server`);
  }
  const dir = join(stateDir, 'mysql');
  const dataDir = join(dir, 'data');
  const runDir = join(stateDir, 'run');
  const logDir = join(stateDir, 'logs');
  await mkdir(runDir, { recursive: true });
  await mkdir(logDir, { recursive: true });
  await endLeftover(runDir, 'mariadb', 'mariadbd');
  if (!existsSync(join(dataDir, 'mysql', 'user.frm')) && !existsSync(join(dataDir, 'mysql', 'global_priv.frm'))) {
    // Once per instance; a half-made data dir from an interrupted install is started over.
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true });
    await run(INSTALL_DB, ['--no-defaults', `--datadir=${dataDir}`, '--user=root', '--auth-root-authentication-method=socket', '--skip-test-db']);
  }
  const socket = shortSocketPath(join(runDir, 'mysqld.sock'));
  if (await portAnswers(port)) throw new StackError(`port ${port} (for MariaDB) is already in use; choose another database port`);
  const server = await startServer({
    name: 'mariadb',
    command: MARIADB_SERVER,
    args: [
      // Only what is given here: no /etc/mysql config, no system socket or port.
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${join(runDir, 'mariadb.pid')}`,
      '--user=root',
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=64M',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_520_ci',
    ],
    runDir,
    logDir,
  });
  await waitForServer(server, () => portAnswers(port), 60_000, 'listening');
  const password = randomBytes(18).toString('base64url');
  const sql = [
    'DROP DATABASE IF EXISTS wordpress;',
    'CREATE DATABASE wordpress DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;',
    "DROP USER IF EXISTS 'wordpress'@'127.0.0.1';",
    `CREATE USER 'wordpress'@'127.0.0.1' IDENTIFIED BY '${password}';`,
    "GRANT ALL PRIVILEGES ON wordpress.* TO 'wordpress'@'127.0.0.1';",
  ].join('\n');
  try {
    await run(CLIENT, ['--no-defaults', `--socket=${socket}`, '-uroot'], sql);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { host: `127.0.0.1:${port}`, name: 'wordpress', user: 'wordpress', password, server };
}

/**
 * A private MariaDB server for one test file: its own data directory and a Unix socket under a temp dir (no TCP
 * port, so suites running side by side never meet), stopped with the test file. Needs Debian's mariadb-server.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MariaDb {
  socket: string;
  /** Runs SQL as root through the socket and returns the tab-separated rows. */
  query(sql: string): string[][];
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;

export async function startMariaDb(): Promise<MariaDb> {
  const dir = mkdtempSync(join(tmpdir(), 'wprt-mariadb-'));
  const dataDir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const errorLog = join(dir, 'error.log');
  const install = spawnSync(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${dataDir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'],
    { encoding: 'utf8' },
  );
  if (install.error || install.status !== 0) {
    throw new Error(`mariadb-install-db failed (${install.error?.message ?? `exit ${install.status}`}): ${install.stderr}; install it with apt-get install mariadb-server`);
  }
  const server: ChildProcess = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      `--log-error=${errorLog}`,
      '--skip-networking',
      '--user=root',
      '--innodb-buffer-pool-size=32M',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const query = (sql: string): string[][] => {
    const result = spawnSync('mariadb', ['--no-defaults', '-S', socket, '-uroot', '--batch', '--skip-column-names', '-e', sql], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`SQL failed: ${sql}: ${result.stderr}`);
    return result.stdout.split('\n').filter(Boolean).map((line) => line.split('\t'));
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (existsSync(socket) && spawnSync('mariadb', ['--no-defaults', '-S', socket, '-uroot', '-e', 'SELECT 1']).status === 0) break;
    if (server.exitCode !== null || Date.now() > deadline) {
      server.kill('SIGKILL');
      const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8').slice(-2000) : '';
      throw new Error(`mariadbd did not start within ${START_TIMEOUT_MS / 1000} s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    socket,
    query,
    async stop() {
      if (server.exitCode === null) {
        server.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

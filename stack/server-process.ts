/**
 * A server of a real stack (MariaDB, Apache, nginx, php-fpm) as a child the harness owns: its own process group (so
 * stopping it stops its workers too), output in a log file under the instance's state dir, and a parent-death signal
 * (`setpriv --pdeathsig TERM`) so that it stops even when the harness is killed outright. The pid of every group
 * started is recorded in `<runDir>/<name>.harness-pid`; the next start on the same instance ends a leftover group
 * from a run that was killed before it could clean up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { rm, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError } from './errors.js';

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process has exited (for any reason). */
  readonly exited: Promise<number | null>;
  stop(timeoutMs?: number): Promise<void>;
}

export interface ServerSpec {
  name: string;
  command: string;
  args: string[];
  runDir: string;
  logDir: string;
  env?: NodeJS.ProcessEnv;
}

function pidFile(runDir: string, name: string): string {
  return join(runDir, `${name}.harness-pid`);
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function endGroup(pgid: number, timeoutMs: number): Promise<void> {
  if (!groupAlive(pgid)) return;
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && groupAlive(pgid)) await sleep(100);
  if (groupAlive(pgid)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    while (groupAlive(pgid)) await sleep(50);
  }
}

/**
 * Ends what a killed earlier run left of this server: the recorded group, when its leader still runs the same
 * command (a recycled pid of an unrelated process is left alone).
 */
export async function endLeftover(runDir: string, name: string, command: string): Promise<boolean> {
  const file = pidFile(runDir, name);
  if (!existsSync(file)) return false;
  const pgid = Number((await readFile(file, 'utf8')).trim());
  let leftover = false;
  if (Number.isInteger(pgid) && pgid > 1 && groupAlive(pgid)) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pgid}/cmdline`, 'utf8');
    } catch {
      /* the leader is gone; its workers may not be */
    }
    // The leader runs the server binary itself (setpriv execs it), or is gone while its workers remain.
    if (cmdline === '' || cmdline.includes(command)) {
      leftover = true;
      await endGroup(pgid, 10_000);
    }
  }
  await rm(file, { force: true });
  return leftover;
}

export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  const logFile = join(spec.logDir, `${spec.name}.log`);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    // detached: a process group of its own, so the terminal's Ctrl-C reaches the harness (which stops servers in
    // order) and stopping one server ends its workers too.
    child = spawn('setpriv', ['--pdeathsig', 'TERM', '--', spec.command, ...spec.args], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: spec.env ?? process.env,
    });
  } finally {
    closeSync(fd);
  }
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', (error) => reject(new StackError(`could not start ${spec.name} (${spec.command}): ${error.message}`)));
  });
  await writeFile(pidFile(spec.runDir, spec.name), `${pid}\n`);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stopping: Promise<void> | null = null;
  return {
    name: spec.name,
    pid,
    logFile,
    exited,
    stop(timeoutMs = 15_000) {
      stopping ??= (async () => {
        await endGroup(pid, timeoutMs);
        await rm(pidFile(spec.runDir, spec.name), { force: true });
      })();
      return stopping;
    },
  };
}

/** The last lines of a server's log, for error messages. */
export function logTail(logFile: string, chars = 3000): string {
  try {
    return readFileSync(logFile, 'utf8').slice(-chars);
  } catch {
    return '(no log)';
  }
}

/** Waits until check() is true, failing early with the log when the server exits first. */
export async function waitForServer(server: ServerProcess, check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  let exitCode: number | null | undefined;
  void server.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    if (exitCode !== undefined) throw new StackError(`${server.name} exited (${exitCode}) before ${what}; from ${server.logFile}:\n${logTail(server.logFile)}`);
    await sleep(150);
  }
  throw new StackError(`${server.name} did not get ${what} within ${timeoutMs / 1000}s; from ${server.logFile}:\n${logTail(server.logFile)}`);
}

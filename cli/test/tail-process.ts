/** Runs `wp-realtime tail` as a real child process and watches what it prints, for the tail tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI } from '../../relay/test/support/relay-process.js';

export interface TailProcess {
  child: ChildProcess;
  stdoutLines(): string[];
  stderr(): string;
  /** Resolves once stderr holds `text` (a status line such as "connected"). */
  waitForStatus(text: string, count?: number, timeoutMs?: number): Promise<void>;
  /** Resolves with the stdout lines once there are at least `count`. */
  waitForLines(count: number, timeoutMs?: number): Promise<string[]>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

async function until(check: () => boolean, describe: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function startTail(args: string[], env: NodeJS.ProcessEnv = {}): TailProcess {
  // The CLI must not see the developer's own WP_REALTIME_* settings, only the ones a test gives.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WP_REALTIME_')));
  const child = spawn(process.execPath, [CLI, 'tail', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...clean, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = (): string[] => stdout.split('\n').filter(Boolean);
  const describe = (what: string) => () => `${what}; stdout:\n${stdout}\nstderr:\n${stderr}`;
  return {
    child,
    stdoutLines: lines,
    stderr: () => stderr,
    exited,
    async waitForStatus(text, count = 1, timeoutMs = 15_000) {
      await until(() => stderr.split(text).length - 1 >= count, describe(`expected "${text}" ${count}× on stderr`), timeoutMs);
    },
    async waitForLines(count, timeoutMs = 15_000) {
      await until(() => lines().length >= count, describe(`expected ${count} lines on stdout`), timeoutMs);
      return lines();
    },
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * The relay as a real child process (`wp-realtime relay`), exactly as users run it. Restartable on the same port,
 * so tests can take the relay down and bring it back while WordPress keeps running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { StackError } from './errors.js';
import { packageRoot } from './package-root.js';

const CLI_ENTRY = join(packageRoot(), 'bin', 'wp-realtime.js');
const LISTENING = /relay listening on (http:\/\/[^\s"]+)/;

export interface RelayProcessOptions {
  port: number;
  secret: string;
  host?: string;
  /** Extra `wp-realtime relay` flags, e.g. ['--cors-origin', 'http://localhost:8888']. */
  extraArgs?: string[];
  onOutput?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface RelayProcess {
  readonly url: string;
  readonly running: boolean;
  start(): Promise<string>;
  stop(): Promise<void>;
}

export function relayProcess(options: RelayProcessOptions): RelayProcess {
  const host = options.host ?? '127.0.0.1';
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = (): Promise<string> => {
    if (child) return Promise.reject(new StackError('relay is already running'));
    const args = [CLI_ENTRY, 'relay', '--port', String(options.port), '--host', host, ...(options.extraArgs ?? [])];
    // The secret travels in the environment, not argv, so it does not show in process listings.
    const proc = spawn(process.execPath, args, {
      env: { ...process.env, WP_REALTIME_SECRET: options.secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    return new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new StackError(`relay did not print "relay listening on …" within ${(options.startTimeoutMs ?? 15_000) / 1000}s:\n${output}`));
      }, options.startTimeoutMs ?? 15_000);
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        output += text;
        for (const line of text.split('\n')) if (line.trim()) options.onOutput?.(line);
        const match = LISTENING.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.once('error', (error) => {
        clearTimeout(timer);
        child = null;
        reject(new StackError(`could not start the relay: ${error.message}`));
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        child = null;
        reject(new StackError(`relay exited before listening (${code ?? signal}):\n${output.slice(-3000)}`));
      });
    });
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    child = null;
  };

  return {
    /** Where clients on this machine reach it (loopback when it listens on every interface). */
    get url() {
      const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      return `http://${reachable}:${options.port}`;
    },
    get running() {
      return child !== null;
    },
    start,
    stop,
  };
}

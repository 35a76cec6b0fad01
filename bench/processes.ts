/**
 * Child processes of a run: each server under test and each load generator gets its own process, started through
 * /bin/sh so the open-file limit can be raised for 10k sockets, with an IPC channel for the probe and the commands.
 * Each process holds one side of the sockets, so 10k subscribers need about 10k descriptors per process.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadCommand, LoadReply } from './loadgen/messages.js';
import { type AnyTarget, BENCH_PUSHER_APP } from './targets.js';

export const OPEN_FILE_LIMIT = 65_536;
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function spawnNode(nodeArgs: string[], fileLimit = OPEN_FILE_LIMIT): ChildProcess {
  // `exec` keeps the pid: signals and the IPC channel reach node itself, not the shell.
  // Containers often cap the hard limit (20000 here); the soft limit is raised as far as allowed and the load
  // generator checks that it suffices for its subscriber count.
  const script = `ulimit -n ${Math.max(OPEN_FILE_LIMIT, fileLimit)} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`;
  return spawn('/bin/sh', ['-c', script, 'sh', process.execPath, ...nodeArgs], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: process.env,
  });
}

export interface ServerOptions {
  secret: string;
  /** Open files the process should be allowed (the scale scenario's sockets); at least OPEN_FILE_LIMIT is asked for. */
  fileLimit?: number;
  /** Relay flags a scenario needs on top of the lifted per-IP limits (e.g. the presence scenario's member cap). */
  extraArgs?: string[];
}

/**
 * The benchmark drives thousands of sockets and requests from one address, which the relay's per-IP limits exist to
 * refuse; every such limit the CLI offers is lifted. Asking --help keeps this working while the flag set evolves.
 */
const PER_IP_LIMIT_FLAGS = ['--max-connections-per-ip', '--max-sockets-per-ip', '--ingest-rate', '--handshake-rate'];
let relayLimitArgs: string[] | null = null;
function liftedRelayLimits(): string[] {
  if (relayLimitArgs) return relayLimitArgs;
  const help = execFileSync(process.execPath, ['bin/wp-realtime.js', 'relay', '--help'], { cwd: repoRoot, encoding: 'utf8' });
  relayLimitArgs = PER_IP_LIMIT_FLAGS.filter((flag) => help.includes(`${flag} `)).flatMap((flag) => [flag, '1000000']);
  return relayLimitArgs;
}

function serverArgs(target: AnyTarget, secret: string): string[] {
  switch (target) {
    case 'wp-realtime':
      return ['bin/wp-realtime.js', 'relay', '--port', '0', '--secret', secret, '--log-level', 'warn', ...liftedRelayLimits()];
    case 'wp-realtime-pusher':
      // Subscribers read the public channel, which needs no authorization: the app secret only has to exist.
      return [
        'bin/wp-realtime.js', 'relay', '--port', '0', '--secret', secret, '--log-level', 'warn', ...liftedRelayLimits(),
        '--pusher-app-id', BENCH_PUSHER_APP.id, '--pusher-key', BENCH_PUSHER_APP.key, '--pusher-secret', secret,
      ];
    case 'naive-socketio':
      return [here('./baselines/naive-socketio.js')];
    case 'raw-ws':
      return [here('./baselines/raw-ws.js')];
    case 'prototype-relay':
      return [here('./prototypes/fast-relay.js'), '--secret', secret];
    case 'prototype-batched':
      return [here('./prototypes/fast-relay.js'), '--secret', secret, '--coalesce'];
  }
}

export class ServerProcess {
  private nextRequest = 0;
  private stderr = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly target: AnyTarget,
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(target: AnyTarget, options: ServerOptions): Promise<ServerProcess> {
    const child = spawnNode(['--expose-gc', '--import', here('./probe.js'), ...serverArgs(target, options.secret), ...(options.extraArgs ?? [])], options.fileLimit);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`${target} did not print its listening line within 20 s\n${err}`)), 20_000);
      child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/[^\s"]+)/.exec(out);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${target} exited with ${code} before listening\n${err}`));
      });
    });
    return new ServerProcess(target, child, url);
  }

  private probe<T>(request: Record<string, unknown>, pick: (reply: Record<string, unknown>) => T): Promise<T> {
    const requestId = ++this.nextRequest;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.target} did not answer the ${String(request.benchProbe)} probe`)), 60_000);
      const onMessage = (reply: Record<string, unknown>): void => {
        if (reply?.requestId !== requestId || reply.benchProbe !== request.benchProbe) return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        if (typeof reply.error === 'string') reject(new Error(`${this.target} ${String(request.benchProbe)} probe: ${reply.error}`));
        else resolve(pick(reply));
      };
      this.child.on('message', onMessage);
      this.child.send({ ...request, requestId });
    });
  }

  /** process.memoryUsage() of the server after full GCs (see probe.ts). */
  memory(): Promise<NodeJS.MemoryUsage> {
    return this.probe({ benchProbe: 'memory' }, (reply) => reply.memory as NodeJS.MemoryUsage);
  }

  /** How many TCP sockets the server holds open (see probe.ts). */
  openSockets(): Promise<number> {
    return this.probe({ benchProbe: 'sockets' }, (reply) => reply.sockets as number);
  }

  /** Starts a V8 CPU profile inside the server; profileStop writes it as a .cpuprofile file. */
  profileStart(): Promise<void> {
    return this.probe({ benchProbe: 'profile-start' }, () => undefined);
  }

  /** Writes a heap snapshot after full GCs (see report/heap.ts). */
  heapSnapshot(file: string): Promise<string> {
    return this.probe({ benchProbe: 'heap-snapshot', file }, (reply) => reply.file as string);
  }

  profileStop(file: string): Promise<string> {
    return this.probe({ benchProbe: 'profile-stop', file }, (reply) => reply.file as string);
  }

  /** SIGTERM (the relay drains and exits 0), SIGKILL after a grace period. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  get recentStderr(): string {
    return this.stderr;
  }
}

export class LoadGenerator {
  private constructor(private readonly child: ChildProcess) {}
  private stderr = '';

  static start(fileLimit?: number): LoadGenerator {
    const generator = new LoadGenerator(spawnNode(['--max-old-space-size=4096', here('./loadgen/main.js')], fileLimit));
    generator.child.stderr?.on('data', (chunk: Buffer) => (generator.stderr = (generator.stderr + chunk.toString()).slice(-4000)));
    return generator;
  }

  /** Sends one command and waits for its reply; the child runs commands strictly one after another. */
  run<T>(command: LoadCommand, timeoutMs: number): Promise<{ result: T; disconnects: number }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load generator: "${command.cmd}" took over ${timeoutMs} ms`)), timeoutMs);
      const onExit = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`load generator exited with ${code} during "${command.cmd}"\n${this.stderr}`));
      };
      this.child.once('exit', onExit);
      this.child.once('message', (reply: LoadReply) => {
        clearTimeout(timer);
        this.child.off('exit', onExit);
        if (reply.ok) resolve({ result: reply.result as T, disconnects: reply.disconnects });
        else reject(new Error(`load generator: ${reply.error}`));
      });
      this.child.send(command);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

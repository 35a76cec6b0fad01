/**
 * Which wp-env runtime this machine can use. Docker where an engine actually answers (a bare `docker` client is
 * not enough: `docker info` must succeed), otherwise WordPress Playground (PHP in WebAssembly, no Docker).
 */
import { spawn } from 'node:child_process';

export type WpEnvRuntime = 'docker' | 'playground';
/** wp-env's two runtimes, or a production stack the harness runs itself (stack/real-stack.ts). */
export type WordPressRuntime = WpEnvRuntime | 'apache' | 'nginx';
export const WORDPRESS_RUNTIMES: readonly WordPressRuntime[] = ['playground', 'docker', 'apache', 'nginx'];

export function isWordPressRuntime(value: string): value is WordPressRuntime {
  return (WORDPRESS_RUNTIMES as readonly string[]).includes(value);
}

export function dockerEngineRuns(timeoutMs = 10_000): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('docker', ['info'], { stdio: 'ignore' });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(false);
    }, timeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

export async function chooseRuntime<T extends WordPressRuntime>(requested?: T): Promise<T | WpEnvRuntime> {
  if (requested) return requested;
  return (await dockerEngineRuns()) ? 'docker' : 'playground';
}

/**
 * The URL under which WordPress reaches a server on this machine's port (e.g. the relay): Playground and the real stacks run in this
 * machine's network; wp-env's Docker containers reach the host as host.docker.internal, and only when the server
 * listens on all interfaces (see listenHostFor).
 */
export function hostUrlFromWordPress(runtime: WordPressRuntime, port: number): string {
  return runtime === 'docker' ? `http://host.docker.internal:${port}` : `http://127.0.0.1:${port}`;
}

/** The address a host server must listen on for WordPress under this runtime to reach it. */
export function listenHostFor(runtime: WordPressRuntime): string {
  return runtime === 'docker' ? '0.0.0.0' : '127.0.0.1';
}

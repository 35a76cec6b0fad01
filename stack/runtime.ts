/**
 * Which wp-env runtime this machine can use. Docker where an engine actually answers (a bare `docker` client is
 * not enough: `docker info` must succeed), otherwise WordPress Playground (PHP in WebAssembly, no Docker).
 */
import { spawn } from 'node:child_process';

export type WpEnvRuntime = 'docker' | 'playground';

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

export async function chooseRuntime(requested?: WpEnvRuntime): Promise<WpEnvRuntime> {
  if (requested) return requested;
  return (await dockerEngineRuns()) ? 'docker' : 'playground';
}

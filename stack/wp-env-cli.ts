/** Runs the installed @wordpress/env CLI for one project with a private WP_ENV_HOME. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { StackError } from './errors.js';

const require = createRequire(import.meta.url);

function wpEnvBinary(): string {
  try {
    // The package's "exports" hide bin/, so resolve its manifest and go from there.
    return join(dirname(require.resolve('@wordpress/env/package.json')), 'bin', 'wp-env');
  } catch {
    throw new StackError('@wordpress/env is not installed; run `npm ci` in the wp-realtime checkout');
  }
}

export interface WpEnvRun {
  args: string[];
  projectDir: string;
  home: string;
  /** Passed as `--config`; wp-env reads the `.override.json` next to it too. */
  configFile: string;
  /** Called with each non-empty output line, for progress reporting. */
  onLine?: (line: string) => void;
  timeoutMs?: number;
}

export function runWpEnv({ args, projectDir, home, configFile, onLine, timeoutMs = 300_000 }: WpEnvRun): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wpEnvBinary(), `--config=${configFile}`, ...args], {
      cwd: projectDir,
      env: { ...process.env, WP_ENV_HOME: home, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output += text;
      // Spinner frames arrive as carriage-return-separated redraws; report each as its own line.
      for (const line of text.split(/[\r\n]+/)) if (line.trim()) onLine?.(line.trim());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new StackError(`wp-env ${args.join(' ')} did not finish within ${timeoutMs / 1000}s:\n${output.slice(-4000)}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new StackError(`could not run wp-env: ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new StackError(`wp-env ${args.join(' ')} failed (exit ${code}):\n${output.slice(-4000)}`));
    });
  });
}

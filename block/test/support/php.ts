/** Runs php-cli: `php -l` on a file, or a script on stdin. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function phpLint(path: string): Promise<string> {
  const { stdout } = await run('php', ['-l', path]);
  return stdout;
}

export async function phpRun(script: string, args: string[] = []): Promise<string> {
  const { stdout } = await run('php', ['-d', 'display_errors=stderr', '-r', script, '--', ...args], { maxBuffer: 1 << 20 });
  return stdout;
}

/**
 * `wp-env start --runtime=playground` returns once the server answers, while Playground may still be running its
 * blueprint (activating plugins, writing wp-config constants); logins made before then can get cookies that stop
 * working. Playground writes `Ready!` to its log when it is done.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError } from './errors.js';

export async function waitForPlaygroundReady(logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let log = '';
  while (Date.now() < deadline) {
    log = await readFile(logFile, 'utf8').catch(() => '');
    if (log.includes('Ready!')) return;
    // A failed blueprint step leaves the server up but never ready; fail at once with Playground's own words.
    if (/Error when executing the blueprint|Playground process exited/.test(log)) {
      throw new StackError(`Playground could not set up WordPress; from ${logFile}:\n${log.slice(-3000)}`);
    }
    await sleep(250);
  }
  throw new StackError(`Playground did not report Ready! within ${timeoutMs / 1000}s; last lines of ${logFile}:\n${log.slice(-3000)}`);
}

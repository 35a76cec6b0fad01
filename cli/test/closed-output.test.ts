/**
 * `npm start 2>&1 | tee log`, then Ctrl-C: the terminal's SIGINT kills tee too, so everything the command writes
 * while it stops goes to a pipe nobody reads (EPIPE). A long-running command must still stop cleanly, exit 0.
 * The relay command is the stack-free long-running command (its logs go through pino's own stream, which already
 * survived this; the test keeps it so). cli/test/tail.test.ts closes tail's stdout, and
 * e2e/specs/dev-command.spec.ts closes dev's pipes on a real stack: both exited 1 before cli/stdio.ts.
 */
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { generateSecret } from '../../protocol/index.js';
import { freePort } from '../../relay/test/support/redis-server.js';
import { CLI } from '../../relay/test/support/relay-process.js';

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('a long-running command whose output pipe is closed', () => {
  it('the relay drains and exits 0 on SIGINT although stdout and stderr have no reader', async () => {
    const port = await freePort();
    // info: the relay logs "draining" and "relay stopped" to stdout while it stops, into the closed pipe.
    const child = spawn(process.execPath, [CLI, 'relay', '--port', String(port), '--secret', generateSecret(), '--log-level', 'info'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`relay did not start:\n${output}`)), 15_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('relay listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // The reader goes away, as tee does on Ctrl-C.
    child.stdout.destroy();
    child.stderr.destroy();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(await portAnswers(port)).toBe(false);
  });
});

/** Port checks with errors that say which part of the stack wanted the port. */
import { createConnection } from 'node:net';
import { StackError } from './errors.js';

export function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function assertPortFree(port: number, purpose: string): Promise<void> {
  if (await portAnswers(port)) {
    throw new StackError(`port ${port} (for ${purpose}) is already in use; stop what runs there or choose another port`);
  }
}

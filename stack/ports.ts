/** Port checks with errors that say which part of the stack wanted the port. */
import { createConnection, createServer } from 'node:net';
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

/** A TCP port on loopback that nothing listens on right now (for a private server whose port nobody types). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

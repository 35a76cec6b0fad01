/**
 * A black-holed relay: a TCP listener that accepts connections and never answers, the way a relay behind a dropped
 * firewall rule or a frozen process looks to WordPress (a connection succeeds, then nothing until the timeout).
 */
import { createServer, type Socket } from 'node:net';

export interface BlackHole {
  close(): Promise<void>;
}

export async function startBlackHole(port: number, host: string): Promise<BlackHole> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    // Reads nothing and writes nothing; the client waits until its own timeout.
    socket.pause();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

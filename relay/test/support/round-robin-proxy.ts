/** A TCP load balancer without sticky sessions: each new connection goes to the next backend in turn. */
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  /** How many connections each backend received. */
  counts: number[];
  close(): Promise<void>;
}

export async function startRoundRobinProxy(backendUrls: string[]): Promise<RoundRobinProxy> {
  const backends = backendUrls.map((url) => new URL(url));
  const counts = backends.map(() => 0);
  const open = new Set<Socket>();
  let next = 0;
  const server: Server = createServer((downstream) => {
    const index = next++ % backends.length;
    counts[index] = (counts[index] ?? 0) + 1;
    const backend = backends[index] as URL;
    const upstream = connectTcp(Number(backend.port), backend.hostname);
    for (const socket of [downstream, upstream]) {
      open.add(socket);
      socket.on('error', () => {
        downstream.destroy();
        upstream.destroy();
      });
      socket.on('close', () => open.delete(socket));
    }
    downstream.pipe(upstream).pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

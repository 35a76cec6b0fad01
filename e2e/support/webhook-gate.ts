/**
 * A pass-through for the relay's webhook that holds requests until the spec opens it, then forwards them unchanged
 * (same bytes, same signature) to WordPress. A spec that restarts the relay uses it to connect its socket client
 * before WordPress is told that the relay is back, so that no delivery can happen before anyone listens.
 * Nothing is added: like the relay, the gate sends no cookie, so under Playground this also proves that the webhook
 * route is not answered by Playground's auto-login redirect (the plugin keeps its webhook anonymous there).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookGate {
  readonly url: string;
  /** Requests forwarded so far, with WordPress's status. */
  readonly forwarded: { status: number; body: string }[];
  open(): void;
  close(): Promise<void>;
}

export async function startWebhookGate(target: string): Promise<WebhookGate> {
  let release: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (release = resolve));
  const forwarded: { status: number; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        await opened;
        const headers: Record<string, string> = {};
        for (const name of ['content-type', 'x-wp-realtime-signature'] as const) {
          const value = (req.headers as IncomingHttpHeaders)[name];
          if (typeof value === 'string') headers[name] = value;
        }
        try {
          const response = await fetch(target, { method: 'POST', headers, body: Buffer.concat(chunks), redirect: 'manual' });
          const body = await response.text();
          forwarded.push({ status: response.status, body });
          res.writeHead(response.status, { 'content-type': 'application/json' }).end(body);
        } catch (error) {
          res.writeHead(502).end(String(error));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    forwarded,
    open: () => release(),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** A server on the relay's port that accepts connections and never answers: a relay that is black-holed. */
export async function startBlackHole(port: number, host: string): Promise<{ close(): Promise<void> }> {
  const { createServer: createTcpServer } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

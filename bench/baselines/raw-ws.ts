/**
 * The floor: a bare `ws` server that writes each published body to every open socket. No rooms, no envelopes, no
 * protocol on top of WebSocket frames; what any relay on Node.js pays at minimum to fan one message out.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { listenPortFromArgv } from './listen-port.js';

const MAX_BODY_BYTES = 65_536;

function publish(req: IncomingMessage, res: ServerResponse, wss: WebSocketServer): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) req.destroy();
    else chunks.push(chunk);
  });
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    // Sending the same Buffer lets ws frame it per socket without re-encoding the text.
    for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(body, { binary: false });
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  });
}

const server = createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false });
server.on('request', (req, res) => {
  if (req.method === 'POST' && req.url === '/publish') return publish(req, res, wss);
  res.writeHead(404).end();
});

server.listen(listenPortFromArgv(), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`raw ws broadcast listening on http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => process.exit(0));

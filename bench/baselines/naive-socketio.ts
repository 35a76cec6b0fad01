/**
 * The recipe's relay, kept as written (express + socket.io with default options, io.emit of the raw body to every
 * client, no signature, no validation), so the benchmark compares against what people actually deploy.
 * Only two things differ from the recipe: the port comes from argv (0 picks a free one) and the console.log per
 * request and per connection is dropped, because logging 10k connects would measure the terminal.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Server } from 'socket.io';
import { listenPortFromArgv } from './listen-port.js';

const app = express();
const server = createServer(app);
const io = new Server(server, {
  cors: {
    origin: '*',
    methods: ['GET', 'POST'],
  },
});

io.on('connection', (socket) => {
  socket.on('disconnect', () => {});
});

app.post('/event-from-wp', express.json(), (req, res) => {
  const eventData: unknown = req.body;
  io.emit('custom_event', eventData);
  res.json({ status: 'ok', message: 'Event broadcasted' });
});

server.listen(listenPortFromArgv(), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`naive relay listening on http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => process.exit(0));

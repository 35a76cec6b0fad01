// A subscribe/unsubscribe flood from its own process (so that the test process measuring a canary is not the one
// blocked encoding frames): node flooder.mjs <url> <clients> <frames>. Half the clients open a WebSocket straight
// away (the lean path), half long-poll (socket.io's path). Prints one JSON line: each client's disconnect reason and
// the acks it got, then exits (after 30 s at most).
import { io } from 'socket.io-client';

const [url, clientsText, framesText] = process.argv.slice(2);
const clients = Number(clientsText);
const frames = Number(framesText);
const sockets = Array.from({ length: clients }, (_, i) => io(url, { forceNew: true, reconnection: false, transports: i % 2 === 0 ? ['websocket'] : ['polling'] }));
const reasons = sockets.map(() => 'still connected');
const answers = [];
await Promise.all(sockets.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
process.stdout.write('connected\n');
const done = Promise.all(sockets.map((socket, i) => new Promise((resolve) => socket.once('disconnect', (reason) => resolve((reasons[i] = reason))))));
// Each frame as costly as a well-formed one can be: eight channels to join or leave, and an ack to answer.
const channels = Array.from({ length: 8 }, (_, i) => `public-flood-${i}`);
let acked = 0;
for (const socket of sockets) {
  for (let i = 0; i < frames; i++) {
    const action = i % 2 === 0 ? 'subscribe' : 'unsubscribe';
    socket.emit(action, { channels }, (answer) => {
      acked++;
      if (answer.ok === false && answers.length < 200) answers.push(answer);
      else if (answers.length < 20) answers.push(answer);
    });
  }
}
await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 30_000))]);
for (const socket of sockets) socket.close();
// Exit once the report is written: a pipe takes it in several writes.
process.stdout.write(JSON.stringify({ reasons, answers, acked }) + '\n', () => process.exit(0));

/**
 * The load generator process: holds the subscribers and the publisher of one server, and runs the phases the
 * orchestrator asks for, one at a time, over IPC. Runs on its own core-share, apart from the server it measures.
 */
import { readFileSync } from 'node:fs';
import type { LoadCommand, LoadReply } from './messages.js';
import { DeliveryTracker, runIngest, runLatency, runThroughput } from './phases.js';
import { PresencePool } from './presence.js';
import { Publisher } from './publisher.js';
import { SubscriberPool } from './subscribers.js';

const tracker = new DeliveryTracker(0);
const pool = new SubscriberPool((id) => tracker.delivered(id));
const presence = new PresencePool();
let publisher: Publisher | null = null;

/** 10k sockets need 10k descriptors; fail with the fix instead of with EMFILE halfway through. */
function assertDescriptors(needed: number): void {
  const limits = readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+(\d+|unlimited)/m);
  const soft = limits?.[1] === 'unlimited' ? Infinity : Number(limits?.[1] ?? Infinity);
  if (soft < needed) throw new Error(`the open-file limit is ${soft}, ${needed} are needed: run with a higher \`ulimit -n\``);
}

async function handle(command: LoadCommand): Promise<LoadReply> {
  switch (command.cmd) {
    case 'connect': {
      assertDescriptors(command.subscribers + 256);
      publisher = new Publisher(command.target, command.url, command.secret);
      const result = await pool.connect(command);
      tracker.expectedPerEvent = pool.size;
      return { ok: true, result, disconnects: pool.disconnects };
    }
    case 'throughput':
    case 'latency': {
      if (!publisher || pool.size === 0) throw new Error(`${command.cmd}: connect subscribers first`);
      const result = command.cmd === 'throughput' ? await runThroughput(command, tracker, publisher) : await runLatency(command, tracker, publisher);
      return { ok: true, result, disconnects: pool.disconnects };
    }
    case 'ingest':
      return { ok: true, result: await runIngest(command, command.secret), disconnects: pool.disconnects };
    case 'presence-join':
      assertDescriptors(command.members + 256);
      return { ok: true, result: await presence.join(command), disconnects: presence.disconnects };
    case 'presence-churn':
      assertDescriptors(presence.size + command.extra + 256);
      return { ok: true, result: await presence.churn(command), disconnects: presence.disconnects };
    case 'presence-close':
      presence.closeAll();
      return { ok: true, result: null, disconnects: presence.disconnects };
    case 'close':
      pool.closeAll();
      publisher?.close();
      return { ok: true, result: null, disconnects: pool.disconnects };
  }
}

if (!process.send) {
  process.stderr.write('bench/loadgen: start me from the bench orchestrator (I take commands over IPC)\n');
  process.exit(2);
}
let queue = Promise.resolve();
process.on('message', (command: LoadCommand) => {
  queue = queue.then(async () => {
    const reply = await handle(command).catch((error: Error): LoadReply => ({ ok: false, error: error.message }));
    process.send?.(reply);
  });
});
process.on('disconnect', () => process.exit(0));

/**
 * What one connection costs, by object kind: compares two V8 heap snapshots of a server (idle, then with N
 * subscribers) and prints the self size per constructor name divided by N.
 *   node dist/bench/report/heap.js <target> <subscribers>   (starts the server and a load generator itself)
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoadGenerator, ServerProcess } from '../processes.js';
import { ALL_TARGETS, type AnyTarget } from '../targets.js';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Bytes by "type:constructor" for every node of a .heapsnapshot. */
export function heapByKind(file: string): Map<string, number> {
  const data = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = data.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = data.snapshot.meta.node_types[0];
  const totals = new Map<string, number>();
  for (let i = 0; i < data.nodes.length; i += width) {
    const type = types[data.nodes[i + typeAt] as number] ?? '?';
    const name = type === 'object' || type === 'closure' || type === 'native' ? (data.strings[data.nodes[i + nameAt] as number] ?? '?') : '';
    const key = name ? `${type}:${name}` : type;
    totals.set(key, (totals.get(key) ?? 0) + (data.nodes[i + sizeAt] as number));
  }
  return totals;
}

export function perConnectionDiff(idle: Map<string, number>, loaded: Map<string, number>, connections: number): { kind: string; bytes: number }[] {
  return [...loaded.entries()]
    .map(([kind, bytes]) => ({ kind, bytes: (bytes - (idle.get(kind) ?? 0)) / connections }))
    .filter((row) => Math.abs(row.bytes) >= 16)
    .sort((a, b) => b.bytes - a.bytes);
}

async function main(): Promise<void> {
  const [target, count] = process.argv.slice(2);
  if (!(ALL_TARGETS as readonly string[]).includes(target ?? '') || !/^\d+$/.test(count ?? '')) {
    process.stderr.write(`usage: node dist/bench/report/heap.js <${ALL_TARGETS.join('|')}> <subscribers>\n`);
    process.exit(2);
  }
  const secret = 'heap-snapshot-secret-0123456789abcdefghijklmnop';
  const subscribers = Number(count);
  const server = await ServerProcess.start(target as AnyTarget, { secret });
  const load = LoadGenerator.start();
  try {
    const idleFile = await server.heapSnapshot(join(tmpdir(), `bench-heap-${target}-idle.heapsnapshot`));
    await load.run({ cmd: 'connect', secret, target: target as AnyTarget, url: server.url, subscribers, transport: 'websocket', concurrency: 50, timeoutMs: 120_000, pusherClient: 'pusher-js' }, 150_000);
    const loadedFile = await server.heapSnapshot(join(tmpdir(), `bench-heap-${target}-loaded.heapsnapshot`));
    const rows = perConnectionDiff(heapByKind(idleFile), heapByKind(loadedFile), subscribers);
    const total = rows.reduce((sum, row) => sum + row.bytes, 0);
    process.stdout.write(`${target}: ${(total / 1024).toFixed(2)} KiB per connection (objects of 16+ bytes per connection)\n`);
    for (const row of rows.slice(0, 40)) process.stdout.write(`${row.bytes.toFixed(0).padStart(7)} B  ${row.kind}\n`);
  } finally {
    await load.stop();
    await server.stop();
  }
}

if (process.argv[1]?.endsWith('report/heap.js')) {
  main().catch((error: Error) => {
    process.stderr.write(`heap: ${error.message}\n`);
    process.exit(1);
  });
}

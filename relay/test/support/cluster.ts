/** Relays sharing one private Redis, each a real CLI process, for the scale-out and fault tests. */
import { generateSecret } from '../../../protocol/index.js';
import { type RelayProcess, startRelayProcess } from './relay-process.js';

/** Resolves once GET /readyz answers `status` (200: this relay shares broadcasts through Redis). */
export async function waitForReady(url: string, status = 200, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    try {
      last = (await fetch(`${url}/readyz`)).status;
      if (last === status) return;
    } catch {
      last = -1;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url}/readyz stayed ${last}, expected ${status}`);
}

export async function startRedisRelays(redisUrl: string, count: number, extraArgs: string[] = []): Promise<RelayProcess[]> {
  const secret = generateSecret();
  const relays = await Promise.all(Array.from({ length: count }, () => startRelayProcess(['--redis', redisUrl, ...extraArgs], secret)));
  await Promise.all(relays.map((relay) => waitForReady(relay.url)));
  return relays;
}

/** Reads one sample (`name` or `name{labels}`) from a relay's Prometheus text. */
export async function metricValue(url: string, sample: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

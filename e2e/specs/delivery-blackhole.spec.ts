/**
 * The visitor never waits for the relay: a signed trigger's response takes no longer with the relay black-holed
 * (connections accepted, never answered) than with the relay up. Rounds alternate so machine noise hits both.
 */
import { expect, test } from '../support/fixtures.js';
import { eventBody, signedTrigger, uniqueMarker } from '../support/trigger.js';
import { startBlackHole } from '../support/webhook-gate.js';
import type { WpClient } from '../support/wp-client.js';

const PER_ROUND = 8;
const ROUNDS = 2;
/** Generous: timings on a shared 2-core machine are noisy; a relay-bound response would be 5 s (the send timeout). */
const MAX_RATIO = 1.5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function triggerTimes(client: WpClient, slug: string, secret: string): Promise<number[]> {
  const times: number[] = [];
  for (let n = 0; n < PER_ROUND; n++) {
    const started = performance.now();
    const response = await signedTrigger(client, slug, secret, { body: eventBody('delivery.blackhole', uniqueMarker('bh')) });
    times.push(performance.now() - started);
    expect(response.status, response.text).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
  }
  return times;
}

test('a trigger answers as fast with the relay black-holed as with the relay up', async ({ anonymous, relay, stack }) => {
  test.setTimeout(300_000);
  const up: number[] = [];
  const holed: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      up.push(...(await triggerTimes(anonymous, stack.pluginSlug, stack.secret)));
      await relay.stop();
      const hole = await startBlackHole(stack.relayPort, stack.relayListenHost);
      try {
        holed.push(...(await triggerTimes(anonymous, stack.pluginSlug, stack.secret)));
      } finally {
        await hole.close();
        await relay.start();
      }
    }
  } finally {
    if (!relay.running) await relay.start();
  }
  const ratio = median(holed) / median(up);
  test.info().annotations.push({ type: 'trigger response p50 black-holed ÷ up', description: `${ratio.toFixed(2)} (${median(holed).toFixed(0)} / ${median(up).toFixed(0)} ms)` });
  expect(ratio).toBeLessThanOrEqual(MAX_RATIO);
});

/**
 * Part 1: what a visitor's request that triggers an event costs. Two requests (a REST publish as admin, a signed
 * call to the plugin's trigger endpoint), three variants (plugin inactive, plugin active, the recipe's blocking
 * wp_remote_post), three relay states (up, down, black-holed). Relay states run one after another (the relay port
 * can only be in one state); within a state each kind and variant is timed `samples` times in a seeded shuffle of
 * the whole block (round-order.ts; black-holed, the recipe's 5 s requests after the others'), so background load and after-response work fall on all of them alike. Under Playground no cron pump runs: queued events wait in the outbox.
 * On the real stacks the plugin sends each event right after the response (php-fpm in the same worker, mod_php
 * through its loopback), so with the relay up that work runs while the next timed request is made, and is counted.
 */
import { performance } from 'node:perf_hooks';
import { signatureHeader, SIGNATURE_HEADER } from '../../protocol/signature.js';
import { WpClient } from '../../e2e/support/wp-client.js';
import { startBlackHole, type BlackHole } from './blackhole.js';
import { RELAY_STATES, REQUEST_KINDS, summarizeRequestCost, VARIANTS, type RelayState, type RequestKind, type RequestSample, type Variant } from './report.js';
import { stateOrder } from './round-order.js';
import { expectedRelayIngest, isRealStack } from './runtimes.js';
import type { BenchSite } from './site.js';

export const VARIANT_HEADER = 'X-WP-Realtime-Bench-Variant';
export const RUN_ORDER: readonly RelayState[] = ['up', 'blackhole', 'down'];

export interface RequestCostOptions {
  site: BenchSite;
  /** Timed requests per kind, variant and relay state. */
  samples: number;
  relayStates?: readonly RelayState[];
  log: (line: string) => void;
}

let sequence = 0;

async function timedRequest(site: BenchSite, visitor: WpClient, kind: RequestKind, variant: Variant): Promise<{ ms: number; ok: boolean; detail: string }> {
  const marker = `bench-${kind}-${variant}-${Date.now().toString(36)}-${++sequence}`;
  const headers = { [VARIANT_HEADER]: variant };
  if (kind === 'publish') {
    const started = performance.now();
    const response = await site.admin.request('/wp-json/wp/v2/posts', {
      method: 'POST',
      withNonce: true,
      headers,
      json: { title: marker, content: 'Benchmark post.', status: 'publish' },
    });
    return { ms: performance.now() - started, ok: response.status === 201, detail: `HTTP ${response.status} ${response.text.slice(0, 200)}` };
  }
  const body = JSON.stringify({ type: 'bench.triggered', data: { marker } });
  const started = performance.now();
  const response = await visitor.request(site.triggerPath, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', [SIGNATURE_HEADER]: signatureHeader(site.secret, body) },
    body,
  });
  const ms = performance.now() - started;
  // The plugin answers with the event's id; the fixture's stand-in names the variant. Either way proves who answered.
  const answeredBy = response.status === 202 ? (response.json<{ id?: unknown; variant?: unknown }>().variant ?? ('id' in response.json<object>() ? 'plugin' : null)) : null;
  return { ms, ok: response.status === 202 && answeredBy === variant, detail: `HTTP ${response.status} ${response.text.slice(0, 200)}` };
}

interface OutboxCounts {
  pending: number;
  sent: number;
  dead: number;
}

/** The plugin's outbox by status (GET /<slug>/v1/status, as admin). */
async function outboxCounts(site: BenchSite): Promise<OutboxCounts> {
  const response = await site.admin.request(`/wp-json/${site.slug}/v1/status`, { withNonce: true });
  if (response.status !== 200) throw new Error(`GET /${site.slug}/v1/status answered HTTP ${response.status}: ${response.text.slice(0, 200)}`);
  return response.json<{ outbox: OutboxCounts }>().outbox;
}

/** Events the plugin ever stored in its outbox, whatever became of them. */
function stored(counts: OutboxCounts): number {
  return counts.pending + counts.sent + counts.dead;
}

/** Waits (bounded) until the outbox has nothing pending: on the real stacks, with the relay up, everything leaves. */
async function outboxDrained(site: BenchSite, timeoutMs: number): Promise<OutboxCounts> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await outboxCounts(site);
    if (counts.pending === 0 || Date.now() >= deadline) return counts;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Events the relay accepted so far (its Prometheus counter). */
async function relayEventsIn(site: BenchSite): Promise<number> {
  const text = await (await fetch(`${site.relay.url}/metrics`)).text();
  const match = /^wp_realtime_events_in_total (\d+)/m.exec(text);
  if (!match?.[1]) throw new Error('the relay\'s /metrics has no wp_realtime_events_in_total');
  return Number(match[1]);
}

/** Puts the relay port into a state; returns how to leave it. */
async function enterRelayState(site: BenchSite, state: RelayState): Promise<() => Promise<void>> {
  if (state === 'up') {
    if (!site.relay.running) await site.relay.start();
    return async () => site.relay.stop();
  }
  await site.relay.stop();
  if (state === 'down') return async () => undefined;
  const hole: BlackHole = await startBlackHole(site.relayPort, site.relayListenHost);
  return () => hole.close();
}

export async function runRequestCost(options: RequestCostOptions): Promise<RequestSample[]> {
  const { site, log } = options;
  const visitor = new WpClient(site.wordpress.url);
  await site.admin.restNonce();
  const samples: RequestSample[] = [];
  // Up, then black-holed, then down: the black-holed block follows a working relay, as when a relay goes dark, so the
  // plugin's first send of that block goes into the black hole during the timed requests instead of finding the pause
  // that the down block's refused connection left (30 s, longer than the block's timed part).
  const requested = options.relayStates ?? RELAY_STATES;
  for (const relayState of RUN_ORDER.filter((state) => requested.includes(state))) {
    const before = await outboxCounts(site);
    // A relay started for this block counts from 0, and its relay_ready webhook may deliver events left pending by an
    // earlier block before /metrics could be read; one already running is read before anything happens.
    const relayInBefore = relayState === 'up' && site.relay.running ? await relayEventsIn(site) : 0;
    const leave = await enterRelayState(site, relayState);
    try {
      log(`request cost, relay ${relayState}: warm-up (not counted)`);
      // The recipe's warm-ups first: black-holed, each leaves the machine idle for 5 s, and the next request is a cold one.
      const warmUps = ['recipe' as const, ...VARIANTS.filter((variant) => variant !== 'recipe')];
      for (const variant of warmUps) for (const kind of REQUEST_KINDS) await timedRequest(site, visitor, kind, variant);
      // Progress every 30 requests (5 × the pairs), or every 20 s when requests are slow (the recipe waits out 5 s per
      // black-holed request).
      let loggedAt = Date.now();
      const order = stateOrder(options.samples, relayState, RELAY_STATES.indexOf(relayState));
      for (const [index, { kind, variant }] of order.entries()) {
        const result = await timedRequest(site, visitor, kind, variant);
        if (!result.ok) log(`  ${kind} / ${variant}: unexpected answer ${result.detail}`);
        samples.push({ kind, relayState, variant, ms: result.ms, ok: result.ok });
        const done = index + 1;
        if (done % 30 === 0 || done === order.length || Date.now() - loggedAt > 20_000) {
          loggedAt = Date.now();
          const medians = summarizeRequestCost(samples.filter((s) => s.relayState === relayState))
            .map((r) => `${r.kind}/${r.variant} ${Math.round(r.p50Ms)}`)
            .join(', ');
          log(`request cost, relay ${relayState}: ${done}/${order.length} requests; p50 ms so far: ${medians}`);
        }
      }
      const timed = options.samples + 1;
      if (relayState === 'up') {
        // Under Playground only the recipe talks to the relay (the plugin's events wait for cron); on the real
        // stacks everything the plugin sent meanwhile must have arrived too, and nothing may stay pending.
        const real = isRealStack(site.runtime);
        const after = real ? await outboxDrained(site, 15_000) : await outboxCounts(site);
        const accepted = (await relayEventsIn(site)) - relayInBefore;
        const recipe = timed * REQUEST_KINDS.length;
        const expected = expectedRelayIngest(site.runtime, relayState, recipe, after.sent - before.sent);
        const who = real ? `the recipe's ${recipe} and the ${after.sent - before.sent} the plugin sent` : "the recipe's alone";
        log(`request cost, relay up: the relay accepted ${accepted} events (${expected} expected: ${who}); ${after.pending} left pending`);
        if (accepted !== expected) throw new Error(`the relay accepted ${accepted} events during the timings, expected ${expected} (${who})`);
        if (real && after.pending !== 0) throw new Error(`${after.pending} events still pending 15 s after the relay-up block: the plugin did not deliver them`);
      }
    } finally {
      await leave();
    }
    const queued = stored(await outboxCounts(site)) - stored(before);
    const expected = (options.samples + 1) * REQUEST_KINDS.length;
    log(`request cost, relay ${relayState}: the plugin stored ${queued} events in its outbox (${expected} expected)`);
    if (queued !== expected) throw new Error(`the outbox grew by ${queued} during relay ${relayState}, expected ${expected}: a variant did not do what it should`);
  }
  return samples;
}

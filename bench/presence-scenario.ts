/**
 * Presence at scale (issue 14): N members join one presence channel of a fresh wp-realtime relay, each with its own
 * user id and a signed token carrying `info`. Measured: the join (until every member sees every member), the server's
 * heap and RSS per member after a warm-up, and the member-event fan-out while more members join and leave at a fixed
 * pace. The baseline is the same number of plain `public` subscribers on another fresh relay of the same run.
 */
import type { BenchConfig } from './config.js';
import type { PresenceChurnResult, PresenceJoinResult } from './loadgen/messages.js';
import type { LoadGenerator, ServerProcess } from './processes.js';
import { connectAll, describeFailures, perConnection, type Progress, snapshot, waitForSockets, warmUp, withProcesses } from './scenarios.js';
import type { PresenceResultRecord } from './schema.js';
import { round } from './stats.js';

const CHANNEL = 'presence-bench';

function joinTimeoutMs(members: number): number {
  return 30_000 + members * 20;
}

async function presenceJoin(server: ServerProcess, load: LoadGenerator, config: BenchConfig, secret: string, members: number, userPrefix: string): Promise<PresenceJoinResult> {
  const { result } = await load.run<PresenceJoinResult>(
    { cmd: 'presence-join', secret, url: server.url, channel: CHANNEL, userPrefix, members, concurrency: config.connectConcurrency, timeoutMs: joinTimeoutMs(members) },
    joinTimeoutMs(members) + 30_000,
  );
  return result;
}

/** Plain warm-up, then a few presence members join and leave, so presence's code and maps are warm too. */
async function warmUpPresence(server: ServerProcess, load: LoadGenerator, config: BenchConfig, secret: string): Promise<void> {
  await warmUp(server, load, config, secret, 'websocket');
  if (config.warmUpSubscribers <= 0) return;
  const before = await server.openSockets();
  await presenceJoin(server, load, config, secret, config.warmUpSubscribers, 'bench-warm-');
  await load.run({ cmd: 'presence-close', secret }, 60_000);
  await waitForSockets(server, before);
}

function ratioOf(presence: number, plain: number): number | null {
  return plain > 0 ? round(presence / plain, 2) : null;
}

async function plainBaseline(config: BenchConfig, secret: string, progress: Progress): Promise<Pick<PresenceResultRecord, 'plainMemory' | 'plainConnect'>> {
  return withProcesses('wp-realtime', secret, async (server, load) => {
    await warmUp(server, load, config, secret, 'websocket');
    const idle = await server.memory();
    const connect = await connectAll(server, load, config, secret, config.presenceMembers, 'websocket');
    const loaded = await server.memory();
    await load.run({ cmd: 'close', secret }, 60_000);
    const memory = { idle: snapshot(idle), loaded: snapshot(loaded), ...perConnection(idle, loaded, connect.connected) };
    progress(`presence baseline: ${connect.connected} plain subscribers connected in ${round(connect.totalMs)} ms${describeFailures(connect)}, heap ${memory.heapPerConnKB} KB/conn, RSS ${memory.rssPerConnKB} KB/conn`);
    return { plainMemory: memory, plainConnect: { ...connect, totalMs: round(connect.totalMs, 1) } };
  });
}

export async function presenceScenario(config: BenchConfig, secret: string, progress: Progress): Promise<PresenceResultRecord> {
  const members = config.presenceMembers;
  const { plainMemory, plainConnect } = await plainBaseline(config, secret, progress);
  // The relay's own cap (default 1,000 users per channel) must hold the members and the churners.
  const cap = ['--max-presence-members', String(members + config.presenceChurn + config.warmUpSubscribers)];
  return withProcesses('wp-realtime', secret, async (server, load) => {
    await warmUpPresence(server, load, config, secret);
    const idle = await server.memory();
    const join = await presenceJoin(server, load, config, secret, members, 'bench-member-');
    const loaded = await server.memory();
    const memory = { idle: snapshot(idle), loaded: snapshot(loaded), ...perConnection(idle, loaded, join.joined) };
    const failed = join.failed ? ` (${join.failed} FAILED: ${JSON.stringify(join.failures)})` : '';
    progress(
      `presence ×${members}: joined ${join.joined}${failed} in ${round(join.connectedMs)} ms, all see all after ${round(join.allSeenMs)} ms ` +
        `(${join.membersSeeingAll} complete lists), per member p50 ${join.perMemberJoin.p50Ms} ms p99 ${join.perMemberJoin.p99Ms} ms; ` +
        `heap ${memory.heapPerConnKB} KB/member, RSS ${memory.rssPerConnKB} KB/member`,
    );
    if (join.joined === 0) throw new Error(`presence: no member could join\n${server.recentStderr}`);
    const { result: churn, disconnects } = await load.run<PresenceChurnResult>(
      { cmd: 'presence-churn', secret, url: server.url, channel: CHANNEL, userPrefix: 'bench-churn-', extra: config.presenceChurn, ratePerSec: config.presenceChurnPerSec, stallTimeoutMs: 10_000 },
      120_000 + (2 * config.presenceChurn * 1000) / config.presenceChurnPerSec,
    );
    for (const [kind, figures] of [['joins', churn.joins], ['leaves', churn.leaves]] as const) {
      progress(
        `presence ×${members}: ${figures.changes} ${kind} at ${churn.ratePerSec}/s: ${round(figures.deliveriesPerSec)} member events/s ` +
          `(${figures.deliveries}/${figures.expectedDeliveries} delivered), to all p50 ${figures.toAll.p50Ms} ms p99 ${figures.toAll.p99Ms} ms`,
      );
    }
    await load.run({ cmd: 'presence-close', secret }, 60_000);
    const round1 = (f: PresenceChurnResult['joins']): PresenceChurnResult['joins'] => ({ ...f, durationMs: round(f.durationMs, 1), deliveriesPerSec: round(f.deliveriesPerSec) });
    return {
      target: 'wp-realtime',
      channel: CHANNEL,
      members,
      join: { ...join, connectedMs: round(join.connectedMs, 1), allSeenMs: round(join.allSeenMs, 1) },
      memory,
      plainMemory,
      plainConnect,
      heapPerMemberVsPlain: ratioOf(memory.heapPerConnKB, plainMemory.heapPerConnKB),
      rssPerMemberVsPlain: ratioOf(memory.rssPerConnKB, plainMemory.rssPerConnKB),
      churn: { extra: churn.extra, ratePerSec: churn.ratePerSec, joinFailures: churn.joinFailures, joins: round1(churn.joins), leaves: round1(churn.leaves), baseMembersSeeingAll: churn.baseMembersSeeingAll },
      disconnects,
    };
  }, undefined, cap);
}

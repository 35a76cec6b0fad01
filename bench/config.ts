/** Run profiles and command-line flags of `npm run bench`. Every phase is bounded in count and time. */
import { ALL_TARGETS, PROTOTYPE_TARGETS, TARGETS, type AnyTarget } from './targets.js';

export const PUSHER_CLIENTS = ['pusher-js', 'lean'] as const;
export type PusherClientKind = (typeof PUSHER_CLIENTS)[number];

export interface BenchConfig {
  name: string;
  mode: 'full' | 'quick' | 'tiny';
  targets: AnyTarget[];
  subscribers: number[];
  /** Subscribers for the polling → upgrade connect test (socket.io servers only); 0 skips it. */
  defaultTransportSubscribers: number;
  /** Deliveries each throughput run aims for; events = this / subscribers, at least minEvents. */
  deliveriesPerRun: number;
  minEvents: number;
  throughputRepeats: number;
  window: number;
  /** Latency is measured at a fixed delivery rate (events/s = this / subscribers), like the 4 ev/s at 5k. */
  latencyDeliveriesPerSec: number;
  latencyDurationMs: number;
  ingestDurationMs: number;
  ingestConcurrency: number;
  connectConcurrency: number;
  /**
   * Subscribers connected and closed again before the idle memory reading, so that the code V8 compiles and the
   * pools a server fills on its first connections are in the baseline and not charged to each connection.
   */
  warmUpSubscribers: number;
  /** Writes a CPU profile of the wp-realtime relay while it broadcasts to the largest subscriber count. */
  profile: boolean;
  /**
   * `--scale <n>`: instead of the size ladder, the scale scenario alone: wp-realtime and raw `ws` at n subscribers,
   * spread over several loopback source addresses (bench/source-addresses.ts); no default-transport or ingest runs.
   */
  scale: number | null;
  /**
   * How the Pusher target's subscribers are written: the real pusher-js (its Node build; the default, as the socket.io
   * targets use the real socket.io-client) or `lean`, a minimal Pusher protocol 7 client over `ws` that costs the load
   * generator as little as the raw baseline's clients do (`--pusher-client lean`).
   */
  pusherClient: PusherClientKind;
  /** The presence scenario (bench/presence-scenario.ts): members joining one presence channel; 0 skips it. */
  presenceMembers: number;
  /** Extra members that join and then leave, one by one, while presenceMembers are present. */
  presenceChurn: number;
  presenceChurnPerSec: number;
  /** `--presence-only`: the presence scenario alone (no broadcast, default-transport or ingest runs). */
  presenceOnly: boolean;
  resultsDir: string;
  docsPath: string | null;
}

const PROFILES: Record<BenchConfig['mode'], Omit<BenchConfig, 'name' | 'targets' | 'profile' | 'scale' | 'pusherClient' | 'presenceOnly' | 'resultsDir' | 'docsPath'>> = {
  full: {
    mode: 'full', subscribers: [1000, 5000, 10_000], defaultTransportSubscribers: 1000, deliveriesPerRun: 400_000, minEvents: 40,
    throughputRepeats: 2, window: 8, latencyDeliveriesPerSec: 20_000, latencyDurationMs: 10_000, ingestDurationMs: 8000,
    ingestConcurrency: 16, connectConcurrency: 200, warmUpSubscribers: 200,
    presenceMembers: 1000, presenceChurn: 100, presenceChurnPerSec: 20,
  },
  quick: {
    mode: 'quick', subscribers: [500, 1000], defaultTransportSubscribers: 500, deliveriesPerRun: 150_000, minEvents: 30,
    throughputRepeats: 1, window: 8, latencyDeliveriesPerSec: 10_000, latencyDurationMs: 5000, ingestDurationMs: 3000,
    ingestConcurrency: 16, connectConcurrency: 100, warmUpSubscribers: 100,
    presenceMembers: 300, presenceChurn: 40, presenceChurnPerSec: 20,
  },
  tiny: {
    mode: 'tiny', subscribers: [20], defaultTransportSubscribers: 10, deliveriesPerRun: 200, minEvents: 5,
    throughputRepeats: 1, window: 4, latencyDeliveriesPerSec: 400, latencyDurationMs: 500, ingestDurationMs: 300,
    ingestConcurrency: 4, connectConcurrency: 10, warmUpSubscribers: 5,
    presenceMembers: 20, presenceChurn: 5, presenceChurnPerSec: 20,
  },
};

export const USAGE = `usage: npm run bench -- [--quick | --tiny] [--name <results name>] [--only <target,...>] [--subscribers <n,...>]
                          [--prototype] [--profile] [--scale <n>] [--pusher-client pusher-js|lean]
                          [--presence-members <n>] [--presence-only]
                          [--results-dir <dir>] [--docs | --no-docs]
  targets: ${ALL_TARGETS.join(', ')} (--prototype adds the prototypes)
  --scale <n>: only the scale scenario (wp-realtime and raw-ws, n subscribers from several loopback addresses;
               needs \`ulimit -Hn\` above n in both processes; docs/benchmarks.md, "Scale")
  --presence-members <n>: members of the presence scenario (0 skips it; default full 1000, quick 300, tiny 20);
  --presence-only: that scenario alone (docs/benchmarks.md, "Presence at scale")`;

const MAX_SCALE = 200_000;
const MAX_PRESENCE_MEMBERS = 10_000;
/** The targets of the scale scenario: the relay against the raw `ws` broadcast, the floor of what a relay can do. */
export const SCALE_TARGETS: readonly AnyTarget[] = ['wp-realtime', 'raw-ws'];

export class BenchUsageError extends Error {}

function valueOf(argv: string[], index: number, flag: string): string {
  const value = argv[index + 1];
  if (value === undefined || value.startsWith('--')) throw new BenchUsageError(`${flag} needs a value`);
  return value;
}

export function parseArgs(argv: string[]): BenchConfig {
  let mode: BenchConfig['mode'] = 'full';
  let name: string | null = null;
  let targets: AnyTarget[] = [...TARGETS];
  let subscribers: number[] | null = null;
  let prototype = false;
  let profile = false;
  let scale: number | null = null;
  let presenceMembers: number | null = null;
  let presenceOnly = false;
  let resultsDir = 'bench/results';
  let pusherClient: PusherClientKind = 'pusher-js';
  // Only full runs rewrite the docs table by default, so a CI or development --quick run leaves it alone.
  let docs: boolean | null = null;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    switch (flag) {
      case '--quick':
      case '--tiny':
        mode = flag === '--quick' ? 'quick' : 'tiny';
        break;
      case '--name':
        name = valueOf(argv, i++, flag);
        if (!/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(name)) throw new BenchUsageError('--name takes letters, digits, ".", "_" and "-"');
        break;
      case '--only':
        targets = valueOf(argv, i++, flag).split(',').map((t) => {
          if (!(ALL_TARGETS as readonly string[]).includes(t)) throw new BenchUsageError(`--only: unknown target "${t}"`);
          return t as AnyTarget;
        });
        break;
      case '--subscribers':
        subscribers = valueOf(argv, i++, flag).split(',').map((n) => {
          if (!/^\d+$/.test(n) || Number(n) < 1 || Number(n) > 20_000) throw new BenchUsageError(`--subscribers: "${n}" is not a count from 1 to 20000`);
          return Number(n);
        });
        break;
      case '--prototype':
        prototype = true;
        break;
      case '--profile':
        profile = true;
        break;
      case '--scale': {
        const value = valueOf(argv, i++, flag);
        if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_SCALE) throw new BenchUsageError(`--scale: "${value}" is not a count from 1 to ${MAX_SCALE}`);
        scale = Number(value);
        break;
      }
      case '--pusher-client': {
        const value = valueOf(argv, i++, flag);
        if (!(PUSHER_CLIENTS as readonly string[]).includes(value)) throw new BenchUsageError(`--pusher-client: "${value}" is not one of ${PUSHER_CLIENTS.join(', ')}`);
        pusherClient = value as PusherClientKind;
        break;
      }
      case '--presence-members': {
        const value = valueOf(argv, i++, flag);
        // The relay's --max-presence-members is raised to fit; one process holds every member's socket.
        if (!/^\d+$/.test(value) || Number(value) > MAX_PRESENCE_MEMBERS) throw new BenchUsageError(`--presence-members: "${value}" is not a count from 0 to ${MAX_PRESENCE_MEMBERS}`);
        presenceMembers = Number(value);
        break;
      }
      case '--presence-only':
        presenceOnly = true;
        break;
      case '--results-dir':
        resultsDir = valueOf(argv, i++, flag);
        break;
      case '--no-docs':
      case '--docs':
        docs = flag === '--docs';
        break;
      default:
        throw new BenchUsageError(`unknown option "${flag}"`);
    }
  }
  if (prototype) for (const t of PROTOTYPE_TARGETS) if (!targets.includes(t)) targets.push(t);
  const base = PROFILES[mode];
  if (presenceOnly && (presenceMembers ?? base.presenceMembers) === 0) throw new BenchUsageError('--presence-only needs --presence-members above 0');
  if (presenceOnly && scale !== null) throw new BenchUsageError('--presence-only and --scale exclude each other');
  if (presenceOnly && docs === true) throw new BenchUsageError('--presence-only writes no docs section (its figures are in docs/benchmarks.md by hand)');
  if (scale !== null) {
    if (subscribers !== null) throw new BenchUsageError('--scale and --subscribers exclude each other: the scale scenario has one size');
    return {
      ...base,
      name: name ?? 'scale',
      targets: targets.filter((t) => SCALE_TARGETS.includes(t)),
      subscribers: [scale],
      defaultTransportSubscribers: 0,
      profile,
      scale,
      pusherClient,
      presenceMembers: 0,
      presenceOnly: false,
      resultsDir,
      docsPath: (docs ?? mode === 'full') ? 'docs/benchmarks.md' : null,
    };
  }
  return {
    ...base,
    name: name ?? mode,
    targets,
    subscribers: subscribers ?? base.subscribers,
    profile,
    scale: null,
    pusherClient,
    presenceMembers: presenceMembers ?? base.presenceMembers,
    presenceOnly,
    resultsDir,
    // A --presence-only run has no broadcast or ingest figures: it must not blank the generated results section.
    docsPath: !presenceOnly && (docs ?? mode === 'full') ? 'docs/benchmarks.md' : null,
  };
}

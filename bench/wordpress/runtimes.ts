/**
 * Which WordPress runtimes the benchmark measures, what each one's figures are held to, and how its results are
 * named. Pure functions (no processes), so the option parsing and the target arithmetic are unit-tested.
 */
import type { RelayState, RequestCostRow, StageRow } from './report.js';

export const BENCH_RUNTIMES = ['playground', 'apache', 'nginx'] as const;
export type BenchRuntime = (typeof BENCH_RUNTIMES)[number];

export function isRealStack(runtime: BenchRuntime): boolean {
  return runtime !== 'playground';
}

/** `--runtimes a,b`: known names, no duplicates, in the order given. */
export function parseRuntimes(value: string): BenchRuntime[] {
  const names = value.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  if (names.length === 0) throw new Error(`--runtimes takes one or more of ${BENCH_RUNTIMES.join(', ')}, got "${value}"`);
  for (const name of names) if (!(BENCH_RUNTIMES as readonly string[]).includes(name)) throw new Error(`--runtimes takes ${BENCH_RUNTIMES.join(', ')}, got "${name}"`);
  if (new Set(names).size !== names.length) throw new Error(`--runtimes names a runtime twice: "${value}"`);
  return names as BenchRuntime[];
}

export const RUNTIME_LABEL: Record<BenchRuntime, string> = {
  playground: "wp-env's Playground runtime (PHP in WebAssembly, SQLite, one PHP worker)",
  apache: 'Apache 2.4 prefork + mod_php 8.2 on MariaDB',
  nginx: 'nginx + php-fpm 8.2 on MariaDB',
};

/** Results file name: Playground keeps the historical `<name>.json`, the real stacks get `<name>-<runtime>.json`. */
export function resultsName(name: string, runtime: BenchRuntime): string {
  return runtime === 'playground' ? name : `${name}-${runtime}`;
}

/** Each runtime gets its own ports (base + index), so a run never reuses a port a previous runtime just released. */
export function runtimePorts(runtime: BenchRuntime, base: { wp: number; relay: number; db: number }): { wp: number; relay: number; db: number } {
  const offset = BENCH_RUNTIMES.indexOf(runtime);
  return { wp: base.wp + offset, relay: base.relay + offset, db: base.db + offset };
}

/** Issue 11: the trigger request with the plugin ≤ 1.10× without, in each relay state (medians). */
export const TRIGGER_RATIO_TARGET = 1.1;
/** Issue 11: publish response → on screen, p95. Playground has no target (one WebAssembly worker and a cron pump). */
export const PUBLISH_TO_SCREEN_P95_TARGET_MS: Record<BenchRuntime, number | null> = { playground: null, apache: 300, nginx: 150 };

export interface TargetCheck {
  what: string;
  value: number;
  target: number;
  unit: 'ratio' | 'ms';
  met: boolean;
}

export function targetChecks(runtime: BenchRuntime, requestRows: readonly RequestCostRow[], stages: readonly StageRow[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const row of requestRows) {
    if (row.kind !== 'trigger' || row.variant !== 'plugin' || row.p50VsInactive === null) continue;
    checks.push({ what: `trigger, relay ${row.relayState}: plugin active ÷ inactive (p50)`, value: row.p50VsInactive, target: TRIGGER_RATIO_TARGET, unit: 'ratio', met: row.p50VsInactive <= TRIGGER_RATIO_TARGET });
  }
  const p95Target = PUBLISH_TO_SCREEN_P95_TARGET_MS[runtime];
  const fromResponse = stages.find((s) => s.key === 'responseToScreen');
  if (p95Target !== null && fromResponse) {
    checks.push({ what: 'publish response → on screen (p95)', value: fromResponse.p95Ms, target: p95Target, unit: 'ms', met: fromResponse.p95Ms <= p95Target });
  }
  return checks;
}

export function targetLine(checks: readonly TargetCheck[]): string {
  if (checks.length === 0) return 'Targets: none measured in this run.';
  const part = (c: TargetCheck): string =>
    `${c.what} ${c.unit === 'ratio' ? `${c.value.toFixed(2)}×` : `${Math.round(c.value)} ms`} (target ≤ ${c.unit === 'ratio' ? `${c.target.toFixed(2)}×` : `${c.target} ms`}: ${c.met ? 'met' : '**missed**'})`;
  return `Targets: ${checks.map(part).join('; ')}.`;
}

/**
 * How many events the relay must have accepted during a relay-up block: the recipe's (`recipeEvents`, POSTed inside
 * the request) and, on the real stacks, every event the plugin marked sent meanwhile (`pluginSent`: its own, sent
 * right after each response, plus any left pending by an earlier down or black-holed block, which the relay's
 * relay_ready webhook releases). Under Playground the plugin hands its events to WP-Cron, which no pump runs during
 * the request timings, so none of the plugin's may arrive.
 */
export function expectedRelayIngest(runtime: BenchRuntime, relayState: RelayState, recipeEvents: number, pluginSent: number): number {
  if (relayState !== 'up') return 0;
  return isRealStack(runtime) ? recipeEvents + pluginSent : recipeEvents;
}

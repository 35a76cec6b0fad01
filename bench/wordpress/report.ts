/**
 * Turns the WordPress-side and Chromium samples into figures: medians and p95 per variant, ratios against the
 * plugin-inactive baseline, the publish-to-screen breakdown, the results file's `external` entries and the markdown
 * section of docs/benchmarks.md. Pure functions, so the arithmetic is tested without WordPress.
 */
import { median, percentile, round } from '../stats.js';

export const REQUEST_KINDS = ['publish', 'trigger'] as const;
export const RELAY_STATES = ['up', 'down', 'blackhole'] as const;
export const VARIANTS = ['inactive', 'plugin', 'recipe'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export type RelayState = (typeof RELAY_STATES)[number];
export type Variant = (typeof VARIANTS)[number];

export interface RequestSample {
  kind: RequestKind;
  relayState: RelayState;
  variant: Variant;
  ms: number;
  /** Whether WordPress gave the expected answer (201 for a publish, 202 for a trigger). */
  ok: boolean;
}

export interface RequestCostRow {
  kind: RequestKind;
  relayState: RelayState;
  variant: Variant;
  samples: number;
  failures: number;
  p50Ms: number;
  p95Ms: number;
  /** This variant's median ÷ the inactive baseline's median in the same relay state; null for the baseline. */
  p50VsInactive: number | null;
  p95VsInactive: number | null;
}

/** Rows in a fixed order (kind, relay state, variant); only successful requests count towards the timings. */
export function summarizeRequestCost(samples: readonly RequestSample[]): RequestCostRow[] {
  const rows: RequestCostRow[] = [];
  for (const kind of REQUEST_KINDS) {
    for (const relayState of RELAY_STATES) {
      const of = (variant: Variant): RequestSample[] => samples.filter((s) => s.kind === kind && s.relayState === relayState && s.variant === variant);
      const baseline = of('inactive').filter((s) => s.ok).map((s) => s.ms);
      for (const variant of VARIANTS) {
        const all = of(variant);
        const times = all.filter((s) => s.ok).map((s) => s.ms);
        if (times.length === 0) continue;
        const p50 = median(times);
        const p95 = percentile(times, 95);
        const hasBaseline = variant !== 'inactive' && baseline.length > 0;
        rows.push({
          kind,
          relayState,
          variant,
          samples: times.length,
          failures: all.length - times.length,
          p50Ms: round(p50, 1),
          p95Ms: round(p95, 1),
          p50VsInactive: hasBaseline ? round(p50 / median(baseline), 3) : null,
          p95VsInactive: hasBaseline ? round(p95 / percentile(baseline, 95), 3) : null,
        });
      }
    }
  }
  return rows;
}

/** One published post, timed on the machine's one clock (Node and Chromium run on the same host). */
export interface PublishToScreenSample {
  /** Date.now() when the publish request started. */
  requestedAt: number;
  /** When WordPress's 201 arrived: the post is published and the event sits in the outbox. */
  savedAt: number;
  /** The envelope's `time`: when the relay accepted the event. */
  ingestedAt: number;
  /** When the item appeared in the visitor's block (MutationObserver in the page). */
  onScreenAt: number;
}

export const PUBLISH_TO_SCREEN_STAGES = [
  { key: 'publishRequest', label: 'publish request (REST, as admin)', of: (s: PublishToScreenSample) => s.savedAt - s.requestedAt },
  { key: 'outboxToRelay', label: 'outbox → relay (pickup + signed POST)', of: (s: PublishToScreenSample) => s.ingestedAt - s.savedAt },
  { key: 'relayToBrowser', label: 'relay → browser (socket.io + render)', of: (s: PublishToScreenSample) => s.onScreenAt - s.ingestedAt },
  { key: 'responseToScreen', label: 'publish response → on screen', of: (s: PublishToScreenSample) => s.onScreenAt - s.savedAt },
  { key: 'total', label: 'publish request start → on screen', of: (s: PublishToScreenSample) => s.onScreenAt - s.requestedAt },
] as const;

export interface StageRow {
  key: string;
  label: string;
  samples: number;
  p50Ms: number;
  p95Ms: number;
}

export function summarizePublishToScreen(samples: readonly PublishToScreenSample[]): StageRow[] {
  if (samples.length === 0) return [];
  return PUBLISH_TO_SCREEN_STAGES.map((stage) => {
    const values = samples.map(stage.of);
    return { key: stage.key, label: stage.label, samples: values.length, p50Ms: round(median(values), 1), p95Ms: round(percentile(values, 95), 1) };
  });
}

export interface ExternalMeasurement {
  name: string;
  unit: string;
  value: number;
  samples?: number;
  notes?: string;
}

export function requestCostMeasurements(rows: readonly RequestCostRow[]): ExternalMeasurement[] {
  return rows.flatMap((row) => {
    const what = `${row.kind} request, ${variantLabel(row.variant)}, relay ${row.relayState}`;
    const notes = row.failures > 0 ? `${row.failures} requests failed and are not counted` : undefined;
    const entries: ExternalMeasurement[] = [
      { name: `${what}, p50`, unit: 'ms', value: row.p50Ms, samples: row.samples, notes },
      { name: `${what}, p95`, unit: 'ms', value: row.p95Ms, samples: row.samples, notes },
    ];
    if (row.p50VsInactive !== null) entries.push({ name: `${what}, p50 ÷ plugin inactive`, unit: 'ratio', value: row.p50VsInactive, samples: row.samples });
    return entries.map((e) => (e.notes === undefined ? { name: e.name, unit: e.unit, value: e.value, samples: e.samples } : e));
  });
}

export function publishToScreenMeasurements(rows: readonly StageRow[], notes: string): ExternalMeasurement[] {
  return rows.flatMap((row) => [
    { name: `${row.label}, p50`, unit: 'ms', value: row.p50Ms, samples: row.samples, notes },
    { name: `${row.label}, p95`, unit: 'ms', value: row.p95Ms, samples: row.samples, notes },
  ]);
}

export function variantLabel(variant: Variant): string {
  return { inactive: 'plugin inactive', plugin: 'plugin active', recipe: 'recipe (blocking wp_remote_post, timeout 5 s)' }[variant];
}

const RELAY_STATE_LABEL: Record<RelayState, string> = { up: 'up', down: 'down (port closed)', blackhole: 'black-holed' };

function ms(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

export function requestCostTable(rows: readonly RequestCostRow[]): string[] {
  const lines = ['| request | relay | variant | n | p50 ms | p95 ms | p50 ÷ inactive | p95 ÷ inactive |', '|---|---|---|---:|---:|---:|---:|---:|'];
  for (const row of rows) {
    const ratio = (r: number | null): string => (r === null ? '–' : `${r.toFixed(2)}×`);
    const failed = row.failures > 0 ? ` (+${row.failures} failed)` : '';
    lines.push(`| ${row.kind} | ${RELAY_STATE_LABEL[row.relayState]} | ${variantLabel(row.variant)} | ${row.samples}${failed} | ${ms(row.p50Ms)} | ${ms(row.p95Ms)} | ${ratio(row.p50VsInactive)} | ${ratio(row.p95VsInactive)} |`);
  }
  return lines;
}

export function publishToScreenTable(rows: readonly StageRow[]): string[] {
  return ['| stage | n | p50 ms | p95 ms |', '|---|---:|---:|---:|', ...rows.map((r) => `| ${r.label} | ${r.samples} | ${ms(r.p50Ms)} | ${ms(r.p95Ms)} |`)];
}

export const WORDPRESS_START_MARKER = '<!-- bench:wordpress:start (generated by npm run bench:wordpress; edits inside are overwritten) -->';
export const WORDPRESS_END_MARKER = '<!-- bench:wordpress:end -->';

/** The markers of one runtime's section: Playground keeps the original pair, the real stacks get their own. */
export function wordpressMarkers(runtime = 'playground'): { start: string; end: string } {
  if (runtime === 'playground') return { start: WORDPRESS_START_MARKER, end: WORDPRESS_END_MARKER };
  return { start: `<!-- bench:wordpress-${runtime}:start (generated by npm run bench:wordpress; edits inside are overwritten) -->`, end: `<!-- bench:wordpress-${runtime}:end -->` };
}

/** Replaces what sits between a runtime's markers; appends a marked section when the document has none yet. */
export function replaceWordPressSection(document: string, section: string, runtime = 'playground'): string {
  const { start: startMarker, end: endMarker } = wordpressMarkers(runtime);
  const start = document.indexOf(startMarker);
  const end = document.indexOf(endMarker);
  if (start < 0 && end < 0) return `${document.trimEnd()}\n\n${startMarker}\n${section}\n${endMarker}\n`;
  if (start < 0 || end < start) throw new Error(`the WordPress benchmark markers are damaged; restore "${startMarker}" and "${endMarker}"`);
  return `${document.slice(0, start + startMarker.length)}\n${section}\n${document.slice(end)}`;
}

export interface PooledOverhead {
  kind: RequestKind;
  variant: Exclude<Variant, 'inactive'>;
  samples: number;
  /** Median of this variant over every relay state ÷ the same for the inactive baseline (equal counts per state). */
  p50VsInactive: number;
}

/** The headline: one ratio per request kind and variant, relay states pooled (each state has the same count). */
export function pooledOverhead(samples: readonly RequestSample[]): PooledOverhead[] {
  const rows: PooledOverhead[] = [];
  for (const kind of REQUEST_KINDS) {
    const times = (variant: Variant): number[] => samples.filter((s) => s.kind === kind && s.variant === variant && s.ok).map((s) => s.ms);
    const baseline = times('inactive');
    if (baseline.length === 0) continue;
    for (const variant of ['plugin', 'recipe'] as const) {
      const own = times(variant);
      if (own.length > 0) rows.push({ kind, variant, samples: own.length, p50VsInactive: round(median(own) / median(baseline), 3) });
    }
  }
  return rows;
}

export function pooledOverheadLine(rows: readonly PooledOverhead[]): string {
  const part = (kind: RequestKind): string =>
    rows
      .filter((r) => r.kind === kind)
      .map((r) => `${r.variant === 'plugin' ? 'plugin active' : 'recipe'} ${r.p50VsInactive.toFixed(2)}× (n = ${r.samples})`)
      .join(', ');
  return `Median ÷ plugin inactive, relay states pooled: publish — ${part('publish')}; trigger — ${part('trigger')}.`;
}

/** Within this many ms after the publish response, the relay's ingest means the cron request ran right behind it. */
export const HELD_RESPONSE_MS = 50;

export interface HeldResponseSplit {
  /** Events whose ingest came within HELD_RESPONSE_MS of the 201: the response left only when the cron request behind it yielded. */
  held: { samples: number; publishP50Ms: number | null };
  other: { samples: number; publishP50Ms: number | null };
}

/**
 * Splits events by whether a wp-cron.php request was queued behind the publish request. Under a single PHP worker a
 * finished response only leaves when the worker next yields, so the 201 and the cron's POST to the relay arrive
 * together and the cron request's start-up is billed to the publish request.
 */
export function splitByHeldResponse(samples: readonly PublishToScreenSample[]): HeldResponseSplit {
  const isHeld = (s: PublishToScreenSample): boolean => s.ingestedAt - s.savedAt >= 0 && s.ingestedAt - s.savedAt < HELD_RESPONSE_MS;
  const group = (list: PublishToScreenSample[]) => ({
    samples: list.length,
    publishP50Ms: list.length === 0 ? null : round(median(list.map((s) => s.savedAt - s.requestedAt)), 1),
  });
  return { held: group(samples.filter(isHeld)), other: group(samples.filter((s) => !isHeld(s))) };
}

export function heldResponseLine(split: HeldResponseSplit): string {
  const p50 = (v: number | null): string => (v === null ? '–' : `${ms(v)} ms`);
  return (
    `${split.held.samples} of ${split.held.samples + split.other.samples} events reached the relay within ${HELD_RESPONSE_MS} ms after the publish response ` +
    `(publish request p50 ${p50(split.held.publishP50Ms)}); the other ${split.other.samples}: publish request p50 ${p50(split.other.publishP50Ms)}.`
  );
}

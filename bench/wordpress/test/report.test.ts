import { describe, expect, it } from 'vitest';
import { benchResults, RESULTS_SCHEMA_ID } from '../../schema.js';
import { round } from '../../stats.js';
import {
  heldResponseLine,
  splitByHeldResponse,
  pooledOverhead,
  pooledOverheadLine,
  publishToScreenMeasurements,
  replaceWordPressSection,
  requestCostMeasurements,
  requestCostTable,
  summarizePublishToScreen,
  summarizeRequestCost,
  WORDPRESS_END_MARKER,
  WORDPRESS_START_MARKER,
  type RequestSample,
} from '../report.js';

function samples(kind: RequestSample['kind'], relayState: RequestSample['relayState'], variant: RequestSample['variant'], times: number[]): RequestSample[] {
  return times.map((ms) => ({ kind, relayState, variant, ms, ok: true }));
}

describe('request cost summary', () => {
  const data = [
    ...samples('publish', 'up', 'inactive', [100, 110, 90, 105]),
    ...samples('publish', 'up', 'plugin', [104, 114, 94, 109]),
    ...samples('publish', 'up', 'recipe', [200, 210, 190, 205]),
    { kind: 'publish', relayState: 'up', variant: 'plugin', ms: 5, ok: false } as RequestSample,
    ...samples('trigger', 'blackhole', 'inactive', [50, 60, 70]),
    ...samples('trigger', 'blackhole', 'recipe', [5050, 5060, 5070]),
  ];
  const rows = summarizeRequestCost(data);

  it('takes medians and nearest-rank p95 of successful requests and divides by the baseline of the same relay state', () => {
    const plugin = rows.find((r) => r.kind === 'publish' && r.variant === 'plugin');
    // Sorted 94, 104, 109, 114: median (104 + 109) / 2; the failed 5 ms request is left out.
    expect(plugin).toMatchObject({ samples: 4, failures: 1, p50Ms: 106.5, p95Ms: 114 });
    expect(plugin?.p50VsInactive).toBeCloseTo(106.5 / 102.5, 3);
    expect(plugin?.p95VsInactive).toBeCloseTo(114 / 110, 3);
    const recipe = rows.find((r) => r.kind === 'trigger' && r.variant === 'recipe');
    expect(recipe?.p50VsInactive).toBeCloseTo(5060 / 60, 2);
  });

  it('gives the baseline no ratio and leaves out combinations without samples', () => {
    expect(rows.find((r) => r.variant === 'inactive' && r.kind === 'publish')?.p50VsInactive).toBeNull();
    expect(rows.map((r) => `${r.kind}/${r.relayState}/${r.variant}`)).toEqual([
      'publish/up/inactive',
      'publish/up/plugin',
      'publish/up/recipe',
      'trigger/blackhole/inactive',
      'trigger/blackhole/recipe',
    ]);
    expect(requestCostTable(rows)[3]).toContain('| 4 (+1 failed) | 107 | 114 | 1.04× | 1.04× |');
  });

  it('pools the relay states into one ratio per request kind and variant', () => {
    const pooled = [
      ...samples('trigger', 'up', 'inactive', [100, 100]),
      ...samples('trigger', 'down', 'inactive', [200, 200]),
      ...samples('trigger', 'up', 'plugin', [110, 110]),
      ...samples('trigger', 'down', 'plugin', [210, 210]),
    ];
    // Medians over both states: (100 + 200) / 2 = 150 and (110 + 210) / 2 = 160.
    expect(pooledOverhead(pooled)).toEqual([{ kind: 'trigger', variant: 'plugin', samples: 4, p50VsInactive: round(160 / 150, 3) }]);
    expect(pooledOverheadLine(pooledOverhead(pooled))).toContain('trigger — plugin active 1.07× (n = 4)');
  });

  it('produces external entries the results schema accepts', () => {
    const external = requestCostMeasurements(rows);
    expect(external).toContainEqual({ name: 'publish request, plugin active, relay up, p50 ÷ plugin inactive', unit: 'ratio', value: 1.039, samples: 4 });
    const chromium = publishToScreenMeasurements(summarizePublishToScreen([{ requestedAt: 0, savedAt: 700, ingestedAt: 1500, onScreenAt: 1530 }]), 'n');
    const parsed = benchResults.parse({
      schema: RESULTS_SCHEMA_ID,
      name: 'wordpress-test',
      mode: 'tiny',
      startedAt: '2026-11-29T13:00:00.000Z',
      finishedAt: '2026-11-29T13:01:00.000Z',
      machine: { cpus: 2, cpuModel: 'x', totalMemMB: 1, node: 'v20', platform: 'linux', loadAverageAtStart: [0], loadAverageAtEnd: [0] },
      setup: { eventBytes: 0, socketIoVersion: '4', wsVersion: '8', processes: 'p', config: {} },
      broadcast: [],
      defaultTransports: [],
      ingest: [],
      ratios: [],
      profiles: [],
      external: { wordpress: external, chromium },
    });
    expect(parsed.external.wordpress).toHaveLength(external.length);
  });
});

describe('publish-to-screen breakdown', () => {
  it('splits each event into publish request, outbox to relay and relay to browser', () => {
    const rows = summarizePublishToScreen([
      { requestedAt: 0, savedAt: 700, ingestedAt: 1500, onScreenAt: 1530 },
      { requestedAt: 10_000, savedAt: 10_900, ingestedAt: 11_200, onScreenAt: 11_250 },
      { requestedAt: 20_000, savedAt: 20_800, ingestedAt: 21_900, onScreenAt: 21_940 },
    ]);
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(byKey['publishRequest']).toMatchObject({ p50Ms: 800, p95Ms: 900 });
    expect(byKey['outboxToRelay']).toMatchObject({ p50Ms: 800, p95Ms: 1100 });
    expect(byKey['relayToBrowser']).toMatchObject({ p50Ms: 40, p95Ms: 50 });
    expect(byKey['total']).toMatchObject({ p50Ms: 1530, p95Ms: 1940, samples: 3 });
    expect(summarizePublishToScreen([])).toEqual([]);
  });
});

describe('held publish responses', () => {
  it('separates events whose ingest followed the 201 within 50 ms and takes the publish median of each group', () => {
    const split = splitByHeldResponse([
      { requestedAt: 0, savedAt: 2000, ingestedAt: 2008, onScreenAt: 2010 },
      { requestedAt: 0, savedAt: 1800, ingestedAt: 1849, onScreenAt: 1850 },
      { requestedAt: 0, savedAt: 600, ingestedAt: 1500, onScreenAt: 1502 },
      { requestedAt: 0, savedAt: 700, ingestedAt: 650, onScreenAt: 660 },
    ]);
    // The last one reached the relay before the 201 arrived: not a held response.
    expect(split).toEqual({ held: { samples: 2, publishP50Ms: 1900 }, other: { samples: 2, publishP50Ms: 650 } });
    expect(heldResponseLine(split)).toBe(
      '2 of 4 events reached the relay within 50 ms after the publish response (publish request p50 1,900 ms); the other 2: publish request p50 650 ms.',
    );
    expect(splitByHeldResponse([]).held).toEqual({ samples: 0, publishP50Ms: null });
  });
});

describe('docs section', () => {
  it('appends a marked section once, then replaces only what is between its markers', () => {
    const doc = '# Benchmarks\n\n<!-- bench:results:start -->\nrelay table\n<!-- bench:results:end -->\n';
    const first = replaceWordPressSection(doc, 'one');
    expect(first).toBe(`${doc}\n${WORDPRESS_START_MARKER}\none\n${WORDPRESS_END_MARKER}\n`);
    const second = replaceWordPressSection(`${first}\nanalysis after\n`, 'two');
    expect(second).toContain('relay table');
    expect(second).toContain(`${WORDPRESS_START_MARKER}\ntwo\n${WORDPRESS_END_MARKER}`);
    expect(second).not.toContain('one');
    expect(second).toContain('analysis after');
  });

  it('refuses damaged markers', () => {
    expect(() => replaceWordPressSection(`x ${WORDPRESS_END_MARKER} y ${WORDPRESS_START_MARKER}`, 's')).toThrow(/markers are damaged/);
  });
});

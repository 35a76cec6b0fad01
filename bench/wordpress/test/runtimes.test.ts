import { describe, expect, it } from 'vitest';
import { replaceWordPressSection, summarizePublishToScreen, summarizeRequestCost, WORDPRESS_END_MARKER, WORDPRESS_START_MARKER, wordpressMarkers, type RequestSample } from '../report.js';
import { expectedRelayIngest, parseRuntimes, resultsName, runtimePorts, targetChecks, targetLine } from '../runtimes.js';

function samples(kind: RequestSample['kind'], relayState: RequestSample['relayState'], variant: RequestSample['variant'], times: number[]): RequestSample[] {
  return times.map((ms) => ({ kind, relayState, variant, ms, ok: true }));
}

describe('--runtimes', () => {
  it('takes known runtimes in the order given and refuses unknown or repeated ones with the flag named', () => {
    expect(parseRuntimes('nginx, apache')).toEqual(['nginx', 'apache']);
    expect(() => parseRuntimes('apache,docker')).toThrow(/--runtimes takes playground, apache, nginx, got "docker"/);
    expect(() => parseRuntimes('nginx,nginx')).toThrow(/twice/);
    expect(() => parseRuntimes(' , ')).toThrow(/one or more/);
  });

  it('names results and ports per runtime, Playground keeping the historical file name', () => {
    expect(resultsName('wordpress', 'playground')).toBe('wordpress');
    expect(resultsName('wordpress', 'nginx')).toBe('wordpress-nginx');
    expect(runtimePorts('apache', { wp: 8961, relay: 3961, db: 3371 })).toEqual({ wp: 8962, relay: 3962, db: 3372 });
    expect(runtimePorts('playground', { wp: 8961, relay: 3961, db: 3371 })).toEqual({ wp: 8961, relay: 3961, db: 3371 });
  });
});

describe('issue 11 targets', () => {
  const rows = summarizeRequestCost([
    ...samples('trigger', 'up', 'inactive', [100, 100, 100]),
    ...samples('trigger', 'up', 'plugin', [110, 110, 110]),
    ...samples('trigger', 'down', 'inactive', [100, 100, 100]),
    ...samples('trigger', 'down', 'plugin', [111, 111, 111]),
    // Publish rows and the recipe are not held to the trigger target.
    ...samples('publish', 'up', 'inactive', [100]),
    ...samples('publish', 'up', 'plugin', [500]),
    ...samples('trigger', 'up', 'recipe', [900]),
  ]);
  const stages = summarizePublishToScreen([
    { requestedAt: 0, savedAt: 100, ingestedAt: 120, onScreenAt: 130 },
    { requestedAt: 0, savedAt: 100, ingestedAt: 240, onScreenAt: 251 },
  ]);

  it('holds the plugin-active trigger to ≤ 1.10× per relay state and the response-to-screen p95 to the runtime\'s bound', () => {
    const nginx = targetChecks('nginx', rows, stages);
    expect(nginx.map((c) => [c.what, c.value, c.met])).toEqual([
      ['trigger, relay up: plugin active ÷ inactive (p50)', 1.1, true],
      ['trigger, relay down: plugin active ÷ inactive (p50)', 1.11, false],
      // p95 of 30 and 151 ms (nearest rank): 151 > 150 on php-fpm, ≤ 300 on mod_php.
      ['publish response → on screen (p95)', 151, false],
    ]);
    expect(targetChecks('apache', rows, stages).at(-1)).toMatchObject({ value: 151, target: 300, met: true });
    expect(targetChecks('playground', rows, stages)).toHaveLength(2);
    expect(targetLine(nginx)).toBe(
      'Targets: trigger, relay up: plugin active ÷ inactive (p50) 1.10× (target ≤ 1.10×: met); trigger, relay down: plugin active ÷ inactive (p50) 1.11× (target ≤ 1.10×: **missed**); publish response → on screen (p95) 151 ms (target ≤ 150 ms: **missed**).',
    );
    expect(targetLine([])).toBe('Targets: none measured in this run.');
  });
});

describe('events the relay must have accepted after a relay-up block', () => {
  it('counts the recipe everywhere, the plugin\'s sent events on the real stacks only, nothing when the relay is not up', () => {
    // 31 rounds × 2 kinds of recipe events; the plugin sent its own 62 plus 12 left pending by an earlier block.
    expect(expectedRelayIngest('playground', 'up', 62, 74)).toBe(62);
    expect(expectedRelayIngest('nginx', 'up', 62, 74)).toBe(136);
    expect(expectedRelayIngest('apache', 'blackhole', 62, 0)).toBe(0);
  });
});

describe('one docs section per runtime', () => {
  it('replaces only the named runtime\'s section and leaves Playground\'s own markers as they were', () => {
    const nginx = wordpressMarkers('nginx');
    const doc = `intro\n${WORDPRESS_START_MARKER}\nplayground figures\n${WORDPRESS_END_MARKER}\n${nginx.start}\nold nginx\n${nginx.end}\nreading\n`;
    const updated = replaceWordPressSection(doc, 'new nginx', 'nginx');
    expect(updated).toBe(`intro\n${WORDPRESS_START_MARKER}\nplayground figures\n${WORDPRESS_END_MARKER}\n${nginx.start}\nnew nginx\n${nginx.end}\nreading\n`);
    expect(replaceWordPressSection(updated, 'new playground')).toContain(`${WORDPRESS_START_MARKER}\nnew playground\n${WORDPRESS_END_MARKER}\n${nginx.start}\nnew nginx`);
    expect(wordpressMarkers('apache').start).toContain('bench:wordpress-apache:start');
  });
});

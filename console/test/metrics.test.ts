// The health panel's reading of /metrics, on the output of a real relay process after real deliveries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, postSigned } from '../../relay/test/support/clients.js';
import { type RelayProcess, startRelayProcess } from '../../relay/test/support/relay-process.js';
import { addSample, deliveryRates, polylinePoints, relayFigures, sumByMetric } from '../src/metrics.js';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelayProcess();
});
afterAll(async () => {
  await relay.stop();
});

describe('relay metrics', () => {
  it('reads connections, events in and deliveries from a real relay', async () => {
    const before = relayFigures(await (await fetch(`${relay.url}/metrics`)).text());
    expect(before).toEqual({ connections: 0, eventsIn: 0, deliveries: 0, rejections: 0 });
    const clients = [await connect(relay.url), await connect(relay.url)];
    try {
      expect((await postSigned(relay.url, relay.secret, { type: 'metrics.test' })).status).toBe(202);
      await Promise.all(clients.map((c) => c.waitFor(1)));
      const after = relayFigures(await (await fetch(`${relay.url}/metrics`)).text());
      expect(after).toMatchObject({ connections: 2, eventsIn: 1, deliveries: 2 });
    } finally {
      clients.forEach((c) => c.close());
    }
  });

  it('sums labelled samples and skips comments, NaN and junk', () => {
    const text = [
      '# HELP x_total things',
      '# TYPE x_total counter',
      'x_total{reason="a b}c",kind="1"} 2',
      'x_total{reason="d"} 3 1700000000000',
      'y NaN',
      'not a sample line at all',
      'z +Inf',
      '# TYPE declared_total counter',
    ].join('\n');
    const sums = sumByMetric(text);
    expect(sums.get('x_total')).toBe(5);
    expect(sums.has('y')).toBe(false);
    expect(sums.get('z')).toBe(Infinity);
    expect(sums.get('declared_total')).toBe(0);
    expect(relayFigures('')).toEqual({ connections: null, eventsIn: null, deliveries: null, rejections: null });
  });

  it('keeps ten minutes of samples and turns the counter into rates, across a relay restart', () => {
    let samples = addSample([], { atMs: 0, connections: 1, deliveries: 10 });
    samples = addSample(samples, { atMs: 5_000, connections: 2, deliveries: 20 });
    samples = addSample(samples, { atMs: 10_000, connections: 0, deliveries: 4 });
    expect(deliveryRates(samples)).toEqual([
      { atMs: 5_000, perSecond: 2 },
      { atMs: 10_000, perSecond: 0.8 },
    ]);
    expect(addSample(samples, { atMs: 600_001, connections: 0, deliveries: 4 }).map((s) => s.atMs)).toEqual([5_000, 10_000, 600_001]);
  });

  it('scales chart points into the box', () => {
    expect(polylinePoints([{ atMs: 0, value: 0 }, { atMs: 50, value: 4 }, { atMs: 100, value: 2 }], 100, 40, 0, 100)).toBe('0.0,40.0 50.0,0.0 100.0,20.0');
    expect(polylinePoints([{ atMs: 10, value: 0 }], 100, 40, 0, 100)).toBe('10.0,40.0');
  });
});

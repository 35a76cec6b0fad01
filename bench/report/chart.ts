/** The results chart: deliveries/s, p99 latency, heap and RSS per connection by subscriber count, one bar per server. */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { BenchResults } from '../schema.js';
import { ALL_TARGETS } from '../targets.js';

function panel(title: string, field: string, axisTitle: string): Record<string, unknown> {
  return {
    title,
    width: 220,
    height: 200,
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'subscribers', type: 'ordinal', title: 'subscribers' },
      xOffset: { field: 'target' },
      y: { field, type: 'quantitative', title: axisTitle },
      color: { field: 'target', type: 'nominal', title: 'server', scale: { domain: [...ALL_TARGETS] } },
    },
  };
}

export async function renderChart(results: BenchResults): Promise<string> {
  const rows = results.broadcast.map((r) => ({
    target: r.target,
    subscribers: r.subscribers,
    deliveriesPerSec: r.throughput.deliveriesPerSec,
    p99Ms: r.latency.latency.p99Ms,
    heapPerConnKB: r.memory.heapPerConnKB,
    rssPerConnKB: r.memory.rssPerConnKB,
  }));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `wp-realtime vs baselines — ${results.name} (${results.machine.cpus} cores, ${results.setup.eventBytes}-byte events, socket.io ${results.setup.socketIoVersion})`,
    data: { values: rows },
    hconcat: [
      panel('deliveries/s at full speed', 'deliveriesPerSec', 'deliveries per second'),
      panel('p99 latency at a fixed rate', 'p99Ms', 'ms'),
      panel('server heap per connection', 'heapPerConnKB', 'KiB'),
      panel('server RSS per connection', 'rssPerConnKB', 'KiB'),
    ],
  } as unknown as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

/**
 * The delivery core (relay/core/delivery.ts) alone, with recording subscribers: one write per subscriber per turn
 * holding that turn's events in order, one encoding per event and format, the slow-consumer cut, and the replay hold
 * (nothing lost, nothing twice, late live copies of replayed ids dropped).
 */
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../protocol/index.js';
import { DeliveryCore, MAX_HELD_PER_SUBSCRIBER } from '../core/delivery.js';
import type { Batch, OutgoingEvent, Subscriber, WireFormat } from '../core/subscriber.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import type { ReplayedFilter } from '../replay.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function counting(name: string, join: boolean): WireFormat<string> & { encodes: number; joins: number } {
  const format = {
    name,
    encodes: 0,
    joins: 0,
    encode: (envelope: EventEnvelope) => {
      format.encodes++;
      return envelope.id;
    },
    ...(join
      ? {
          join: (frames: readonly string[]) => {
            format.joins++;
            return frames.join(',');
          },
        }
      : {}),
  };
  return format;
}

class Recorder implements Subscriber {
  batch: Batch | null = null;
  held: OutgoingEvent[] | null = null;
  replayed: ReplayedFilter | null = null;
  open = true;
  pending = 0;
  writes: { frames: unknown[]; joined: unknown }[] = [];
  readonly member = null;
  readonly id = 'recorder';

  constructor(readonly format: WireFormat) {}

  notify(): void {}

  pendingBytes(): number {
    return this.pending;
  }

  pendingPackets(): number {
    return 0;
  }

  write(frames: readonly unknown[], joined: unknown): void {
    this.writes.push({ frames: [...frames], joined });
  }

  cut(): void {
    this.open = false;
  }

  get received(): unknown[] {
    return this.writes.flatMap((write) => write.frames);
  }
}

function envelope(id: string, channel = 'public'): EventEnvelope {
  return { id, channel, type: 't', data: {}, time: '2026-01-01T00:00:00.000Z' };
}

function setup(limits = { maxClientBufferBytes: 1_000, maxClientBufferPackets: 100, maxPresenceMembers: 10 }) {
  const metrics = createMetrics({ connections: () => 0, historyEvents: () => 0 });
  return { core: new DeliveryCore(limits, metrics, createLogger('silent')), metrics };
}

async function metric(metrics: ReturnType<typeof createMetrics>, name: string): Promise<number> {
  const text = await metrics.registry.metrics();
  return Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
}

describe('delivery core', () => {
  it('writes a turn\'s events once per subscriber, in order, encoding each event once per format and joining a shared batch once', async () => {
    const { core, metrics } = setup();
    const ws = counting('ws', true);
    const polling = counting('polling', false);
    const many = Array.from({ length: 50 }, () => new Recorder(ws));
    const slowPolling = new Recorder(polling);
    for (const subscriber of [...many, slowPolling]) core.subscribe(subscriber, ['public']);
    for (let i = 0; i < 5; i++) core.publish(envelope(`e${i}`));
    expect(many[0]?.writes).toEqual([]);
    await turn();
    for (const subscriber of many) expect(subscriber.writes).toEqual([{ frames: ['e0', 'e1', 'e2', 'e3', 'e4'], joined: 'e0,e1,e2,e3,e4' }]);
    expect(slowPolling.writes).toEqual([{ frames: ['e0', 'e1', 'e2', 'e3', 'e4'], joined: undefined }]);
    expect({ ws: ws.encodes, joins: ws.joins, polling: polling.encodes }).toEqual({ ws: 5, joins: 1, polling: 5 });
    expect(await metric(metrics, 'wp_realtime_deliveries_total')).toBe(51 * 5);
    expect(core.framesByFormat).toEqual(new Map([['ws', 250], ['polling', 5]]));
    core.publish(envelope('next'));
    await turn();
    expect(many[0]?.writes.at(-1)).toEqual({ frames: ['next'], joined: 'next' });
  });

  it('keeps the order across channels and gives a subscriber that joined mid-turn only what came after', async () => {
    const { core } = setup();
    const format = counting('ws', true);
    const both = new Recorder(format);
    const onlyA = new Recorder(format);
    const late = new Recorder(format);
    core.subscribe(both, ['a', 'b']);
    core.subscribe(onlyA, ['a']);
    core.publish(envelope('a1', 'a'));
    core.publish(envelope('b1', 'b'));
    core.subscribe(late, ['a']);
    core.publish(envelope('a2', 'a'));
    core.unsubscribe(onlyA, ['a']);
    core.publish(envelope('a3', 'a'));
    await turn();
    expect(both.received).toEqual(['a1', 'b1', 'a2', 'a3']);
    expect(onlyA.received).toEqual(['a1', 'a2']);
    expect(late.received).toEqual(['a2', 'a3']);
    expect(format.encodes).toBe(4);
  });

  it('cuts a subscriber whose unflushed bytes pass the bound while the others keep receiving', async () => {
    const { core, metrics } = setup({ maxClientBufferBytes: 100, maxClientBufferPackets: 100, maxPresenceMembers: 10 });
    const format = counting('ws', true);
    const fast = new Recorder(format);
    const slow = new Recorder(format);
    core.subscribe(fast, ['public']);
    core.subscribe(slow, ['public']);
    core.publish(envelope('e1'));
    await turn();
    slow.pending = 101;
    core.publish(envelope('e2'));
    await turn();
    expect(slow.open).toBe(false);
    expect(slow.received).toEqual(['e1']);
    expect(fast.received).toEqual(['e1', 'e2']);
    expect(await metric(metrics, 'wp_realtime_rejections_total{reason="slow_consumer"}')).toBe(1);
  });

  it('holds live events during a replay read, sends them after it without the replayed ids, and drops late copies', async () => {
    const { core } = setup();
    const format = counting('ws', true);
    const subscriber = new Recorder(format);
    const sent: string[] = [];
    let finishRead: (ids: string[]) => void = () => {};
    const replay = core.replayThenLive(
      subscriber,
      ['public'],
      () => new Promise((resolve) => (finishRead = (ids) => resolve({ gap: false, events: ids.map((id) => envelope(id)) }))),
      (missed) => sent.push(...missed.events.map((event) => event.id)),
    );
    // Published while history is read: e2 is also in what the read returns, e3 is not.
    core.publish(envelope('e2'));
    core.publish(envelope('e3'));
    await turn();
    expect(subscriber.writes).toEqual([]);
    finishRead(['e1', 'e2']);
    await replay;
    expect(sent).toEqual(['e1', 'e2']);
    await turn();
    expect(subscriber.received).toEqual(['e3']);
    // A late live copy of a replayed id (it was in history before its copy reached this relay) is dropped, once.
    const late = new Recorder(format);
    const lateReplay = core.replayThenLive(late, ['public'], async () => ({ gap: false, events: [envelope('r1'), envelope('r2')] }), () => {});
    await lateReplay;
    core.publish(envelope('r2'));
    core.publish(envelope('r3'));
    core.publish(envelope('r2'));
    await turn();
    expect(late.received).toEqual(['r3', 'r2']);
  });

  it('cuts a replaying subscriber that falls too far behind rather than holding without bound', async () => {
    const { core } = setup();
    const subscriber = new Recorder(counting('ws', true));
    let finishRead: () => void = () => {};
    const replay = core.replayThenLive(subscriber, ['public'], () => new Promise((resolve) => (finishRead = () => resolve({ gap: false, events: [] }))), () => {});
    for (let i = 0; i <= MAX_HELD_PER_SUBSCRIBER; i++) core.publish(envelope(`h${i}`));
    expect(subscriber.open).toBe(false);
    finishRead();
    await replay;
    await turn();
    expect(subscriber.writes).toEqual([]);
  });
});

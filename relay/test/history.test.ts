import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../protocol/index.js';
import { EventHistory } from '../history.js';

const event = (id: string, channel = 'public'): EventEnvelope => ({ id, channel, type: 'x', data: {}, time: new Date(0).toISOString() });

describe('EventHistory', () => {
  it('replays events after an id across channels in arrival order', () => {
    const history = new EventHistory(10, 10);
    ['a', 'b', 'c', 'd'].forEach((id, i) => history.add(event(id, i % 2 ? 'one' : 'two')));
    expect(history.since('a', ['one', 'two'])).toEqual({ found: true, complete: true, events: [event('b', 'one'), event('c', 'two'), event('d', 'one')] });
    expect(history.since('b', ['one', 'two']).events.map((e) => e.id)).toEqual(['c', 'd']);
    // 'a' is an event of 'two': to a client that reads only 'one' it must look unknown (issue 12, finding 9).
    expect(history.since('a', ['one'])).toEqual({ found: false, complete: false, events: [] });
  });

  it('reports an unknown id as not found', () => {
    expect(new EventHistory(10, 10).since('nope', ['public'])).toEqual({ found: false, complete: false, events: [] });
  });

  it('marks a replay incomplete when a channel dropped newer events than the id', () => {
    const history = new EventHistory(2, 10);
    history.add(event('mark', 'quiet'));
    ['n1', 'n2', 'n3'].forEach((id) => history.add(event(id, 'busy')));
    const replay = history.since('mark', ['quiet', 'busy']);
    expect(replay.complete).toBe(false);
    expect(replay.events.map((e) => e.id)).toEqual(['n2', 'n3']);
    expect(history.has('n1')).toBe(false);
  });

  it('drops the least recently used channel past maxChannels and says so on replay', () => {
    const history = new EventHistory(5, 2);
    history.add(event('start', 'keep'));
    history.add(event('cold-1', 'cold'));
    history.add(event('keep-2', 'keep'));
    history.add(event('new-1', 'new'));
    expect(history.has('cold-1')).toBe(false);
    expect(history.since('start', ['keep', 'cold']).complete).toBe(false);
    expect(history.since('keep-2', ['keep', 'new']).complete).toBe(true);
  });

  it('keeps nothing with a history of 0', () => {
    const history = new EventHistory(0, 10);
    history.add(event('a'));
    expect(history.has('a')).toBe(false);
    expect(history.size).toBe(0);
  });
});

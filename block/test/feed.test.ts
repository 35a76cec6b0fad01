import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../src/client/envelope.js';
import { Feed, matchesEventTypes } from '../src/client/feed.js';

function event(id: string, type = 'post.published'): LiveEvent {
  return { id, channel: 'public', type, data: {}, time: '2026-11-29T12:00:00.000Z' };
}

describe('Feed', () => {
  it('lists the newest event first', () => {
    const feed = new Feed({ maxItems: 5, eventTypes: [] });
    for (const id of ['a', 'b', 'c']) feed.accept(event(id));
    expect(feed.items.map((e) => e.id)).toEqual(['c', 'b', 'a']);
  });

  it('keeps at most maxItems, dropping the oldest', () => {
    const feed = new Feed({ maxItems: 2, eventTypes: [] });
    for (const id of ['a', 'b', 'c', 'd']) feed.accept(event(id));
    expect(feed.items.map((e) => e.id)).toEqual(['d', 'c']);
  });

  it('shows each id once, even after it left the list', () => {
    const feed = new Feed({ maxItems: 1, eventTypes: [] });
    expect(feed.accept(event('a'))).toBe(true);
    expect(feed.accept(event('a'))).toBe(false);
    feed.accept(event('b'));
    expect(feed.accept(event('a'))).toBe(false);
    expect(feed.items.map((e) => e.id)).toEqual(['b']);
  });

  it('shows only the wanted types, and still remembers the ids of the others', () => {
    const feed = new Feed({ maxItems: 5, eventTypes: ['comment.approved'] });
    expect(feed.accept(event('a', 'post.published'))).toBe(false);
    expect(feed.accept(event('b', 'comment.approved'))).toBe(true);
    expect(feed.accept(event('a', 'comment.approved'))).toBe(false);
    expect(feed.items.map((e) => e.id)).toEqual(['b']);
  });

  it('forgets the oldest ids past its memory, so a long session does not grow without bound', () => {
    const feed = new Feed({ maxItems: 1, eventTypes: [] });
    for (let i = 0; i < 1001; i++) feed.accept(event(`e${i}`));
    expect(feed.accept(event('e0'))).toBe(true);
    expect(feed.accept(event('e1000'))).toBe(false);
  });
});

describe('matchesEventTypes', () => {
  it('matches everything when the list is empty', () => {
    expect(matchesEventTypes('anything', [])).toBe(true);
  });

  it('matches exact types and prefixes ending in *', () => {
    expect(matchesEventTypes('post.published', ['post.published'])).toBe(true);
    expect(matchesEventTypes('post.published', ['post.*'])).toBe(true);
    expect(matchesEventTypes('postal.sent', ['post.*'])).toBe(false);
    expect(matchesEventTypes('post.published', ['post'])).toBe(false);
    expect(matchesEventTypes('x', ['*'])).toBe(true);
  });
});

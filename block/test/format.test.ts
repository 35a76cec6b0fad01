import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../src/client/envelope.js';
import { describeEvent, formatTime, MAX_TITLE_LENGTH, safeHttpUrl } from '../src/client/format.js';

function event(data: Record<string, unknown>, time = '2026-11-29T12:34:56.000Z'): LiveEvent {
  return { id: 'e1', channel: 'public', type: 'post.published', data, time };
}

describe('safeHttpUrl', () => {
  it('accepts absolute http and https URLs', () => {
    expect(safeHttpUrl('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
    expect(safeHttpUrl('http://localhost:8888/2026/11/29/hello/')).toBe('http://localhost:8888/2026/11/29/hello/');
  });

  it('refuses script, data, relative and non-string URLs', () => {
    for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<b>x</b>', '/relative', '//evil.example/x', 'vbscript:x', 42, null, {}]) {
      expect(safeHttpUrl(bad)).toBeNull();
    }
  });
});

describe('describeEvent', () => {
  it('uses data.title and keeps markup as literal characters for textContent', () => {
    const view = describeEvent(event({ title: '<img src=x onerror=alert(1)>' }));
    expect(view.title).toBe('<img src=x onerror=alert(1)>');
  });

  it('falls back to the type without a usable title', () => {
    expect(describeEvent(event({})).title).toBe('post.published');
    expect(describeEvent(event({ title: '   ' })).title).toBe('post.published');
    expect(describeEvent(event({ title: 7 })).title).toBe('post.published');
  });

  it('shows data.message when there is no title (the settings page test event), the type only without either', () => {
    expect(describeEvent(event({ message: 'Test event from the settings page', site: 'http://x' })).title).toBe('Test event from the settings page');
    expect(describeEvent(event({ title: 'T', message: 'M' })).title).toBe('T');
    expect(describeEvent(event({ message: ['not text'] })).title).toBe('post.published');
  });

  it('bounds the title and flattens control characters', () => {
    expect(describeEvent(event({ title: 'a\nb\u0000c' })).title).toBe('a b c');
    expect(describeEvent(event({ title: 'x'.repeat(500) })).title).toHaveLength(MAX_TITLE_LENGTH);
  });

  it('links only safe URLs', () => {
    expect(describeEvent(event({ url: 'https://example.com/p' })).url).toBe('https://example.com/p');
    expect(describeEvent(event({ url: 'javascript:alert(1)' })).url).toBeNull();
  });

  it('gives a time only when the event time is a date', () => {
    expect(describeEvent(event({})).isoTime).toBe('2026-11-29T12:34:56.000Z');
    expect(describeEvent(event({}, 'yesterday')).isoTime).toBeNull();
  });
});

describe('formatTime', () => {
  it('shows hours and minutes in the given locale', () => {
    const local = new Date('2026-11-29T12:34:56.000Z');
    const expected = `${String(local.getHours()).padStart(2, '0')}:${String(local.getMinutes()).padStart(2, '0')}`;
    expect(formatTime('2026-11-29T12:34:56.000Z', 'en-GB')).toBe(expected);
  });
});

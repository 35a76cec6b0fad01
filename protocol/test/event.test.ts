import { describe, expect, it } from 'vitest';
import { canRead, isPublicChannel, parseIngestBody, wordpressUserChannels } from '../index.js';

describe('parseIngestBody', () => {
  it('fills defaults for a minimal event', () => {
    expect(parseIngestBody({ type: 'post.published' })).toEqual({
      ok: true,
      events: [{ type: 'post.published', channel: 'public', data: {} }],
    });
  });

  it.each([
    [{}, 'event.type'],
    [{ type: 'UPPER' }, 'event.type'],
    [{ type: 'x'.repeat(65) }, 'event.type'],
    [{ type: 'ok', channel: '' }, 'event.channel'],
    [{ type: 'ok', channel: 'c'.repeat(129) }, 'event.channel'],
    [{ type: 'ok', id: 'has space' }, 'event.id'],
    [{ type: 'ok', data: 'text' }, 'event.data'],
    [{ type: 'ok', data: null }, 'event.data'],
    [[{ type: 'ok' }, { type: 'ok', channel: '!' }], 'events[1].channel'],
    [42, 'body must be a JSON object'],
  ])('rejects %j naming %s', (body, field) => {
    const result = parseIngestBody(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(field);
  });
});

describe('channel rules', () => {
  it('opens public and public-* only', () => {
    expect(isPublicChannel('public')).toBe(true);
    expect(isPublicChannel('public-news')).toBe(true);
    expect(isPublicChannel('publicity')).toBe(false);
    expect(isPublicChannel('private-user-1')).toBe(false);
  });

  it('reads token channels, and public ones unless public access is off', () => {
    const access = { tokenChannels: new Set(['private-user-1']), publicAllowed: true };
    expect(canRead('private-user-1', access)).toBe(true);
    expect(canRead('private-user-2', access)).toBe(false);
    expect(canRead('public-news', access)).toBe(true);
    expect(canRead('public-news', { ...access, publicAllowed: false })).toBe(false);
  });

  it('gives WordPress users their own, role and public channels', () => {
    expect(wordpressUserChannels(0, [])).toEqual(['public']);
    expect(wordpressUserChannels(7, ['editor', 'author'])).toEqual(['public', 'private-user-7', 'role-editor', 'role-author']);
  });
});

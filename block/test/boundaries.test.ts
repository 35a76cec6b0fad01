// The three things the browser is handed (its config attribute, the token route's answer, each relay event) are
// checked before use; these tests pin what passes and what is refused.
import { describe, expect, it } from 'vitest';
import { EVENT_ID_PATTERN as PROTOCOL_EVENT_ID_PATTERN } from '../../protocol/index.js';
import { normalizeEventTypes } from '../src/attributes.js';
import { parseConfig, parseTokenPath } from '../src/client/config.js';
import { EVENT_ID_PATTERN, parseEnvelope } from '../src/client/envelope.js';
import { parseTokenResponse, TokenResponseError } from '../src/client/token-response.js';
import { parseWhosHereConfig } from '../src/whos-here/config.js';

describe('block config attribute', () => {
  it('reads what the PHP renders', () => {
    const result = parseConfig(
      JSON.stringify({ tokenPath: '/acme-live/v1/token', heading: 'News', maxItems: 7, eventTypes: ['post.published'], showTime: false }),
    );
    expect(result).toEqual({
      ok: true,
      config: { tokenPath: '/acme-live/v1/token', heading: 'News', maxItems: 7, eventTypes: ['post.published'], showTime: false },
    });
  });

  it('clamps maxItems into 1–50 and drops junk event types', () => {
    const parse = (extra: object) => parseConfig(JSON.stringify({ tokenPath: '/a/v1/token', ...extra }));
    expect(parse({ maxItems: 500 })).toMatchObject({ config: { maxItems: 50 } });
    expect(parse({ maxItems: 0 })).toMatchObject({ config: { maxItems: 1 } });
    expect(parse({ maxItems: 'x' })).toMatchObject({ config: { maxItems: 5 } });
    expect(parse({ eventTypes: ['a', 3, '', null] })).toMatchObject({ config: { eventTypes: ['a'], showTime: true } });
  });

  it('refuses a missing, non-JSON or off-site token path', () => {
    expect(parseConfig(null).ok).toBe(false);
    expect(parseConfig('{').ok).toBe(false);
    expect(parseConfig('{}').ok).toBe(false);
    expect(parseConfig(JSON.stringify({ tokenPath: 'https://evil.example/token' })).ok).toBe(false);
  });
});

describe('token path, the same rule for both blocks', () => {
  const message = 'tokenPath must be a REST path such as /<plugin-slug>/v1/token';

  it('accepts a REST path and refuses a URL or a non-string', () => {
    expect(parseTokenPath('/acme-live/v1/token')).toEqual({ ok: true, tokenPath: '/acme-live/v1/token' });
    for (const bad of ['https://evil.example/token', 'token', '/a/v1/token?x=1', '', 5, null, undefined]) {
      expect(parseTokenPath(bad), String(bad)).toEqual({ ok: false, message });
    }
  });

  it('refuses a bad path with the same message in either block', () => {
    const raw = JSON.stringify({ tokenPath: 'https://evil.example/token', post: 1 });
    expect(parseConfig(raw)).toEqual({ ok: false, message });
    expect(parseWhosHereConfig(raw)).toEqual({ ok: false, message });
    expect(parseWhosHereConfig(JSON.stringify({ tokenPath: '/a/v1/token', post: 7 }))).toEqual({
      ok: true,
      config: { tokenPath: '/a/v1/token', post: 7 },
    });
  });
});

describe('token response', () => {
  const valid = { token: 'wprt1.abc.def', expiresAt: 1_900_000_000, channels: ['public'], relayUrl: 'http://127.0.0.1:3000' };

  it('accepts the plugin answer', () => {
    expect(parseTokenResponse(valid)).toEqual({ ...valid, relayUrl: 'http://127.0.0.1:3000/' });
  });

  it('refuses an answer without token, expiry or http(s) relay URL', () => {
    for (const bad of [null, 'x', { ...valid, token: '' }, { ...valid, expiresAt: '1' }, { ...valid, relayUrl: 'javascript:x' }, { ...valid, relayUrl: undefined }]) {
      expect(() => parseTokenResponse(bad)).toThrow(TokenResponseError);
    }
  });
});

describe('event envelope', () => {
  const valid = { id: 'evt-1', channel: 'public', type: 'post.published', data: { title: 'T' }, time: '2026-11-29T12:00:00.000Z' };

  it('uses the same id rule as the protocol', () => {
    expect(EVENT_ID_PATTERN.source).toBe(PROTOCOL_EVENT_ID_PATTERN.source);
    expect(EVENT_ID_PATTERN.flags).toBe(PROTOCOL_EVENT_ID_PATTERN.flags);
  });

  it('accepts the contract shape and refuses malformed ones', () => {
    expect(parseEnvelope(valid)).toEqual(valid);
    expect(parseEnvelope({ ...valid, data: 'x' })).toEqual({ ...valid, data: {} });
    for (const bad of [null, [], { ...valid, id: 'has space' }, { ...valid, type: '' }, { ...valid, time: 5 }, { ...valid, channel: undefined }]) {
      expect(parseEnvelope(bad)).toBeNull();
    }
  });
});

describe('event type filter input', () => {
  it('trims, lower-cases, drops invalid entries and duplicates', () => {
    expect(normalizeEventTypes([' Post.Published ', { value: 'comment.*' }, 'bad type', 'post.published', '*'])).toEqual([
      'post.published',
      'comment.*',
      '*',
    ]);
  });
});

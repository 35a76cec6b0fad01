import { describe, expect, it } from 'vitest';
import { checkDataShape, decodeBase64urlStrict, derivedEventId, EVENT_ID_PATTERN, parseIngestBody, signedRequestDigest } from '../index.js';

function nested(depth: number): unknown {
  return JSON.parse(`${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`);
}

describe('checkDataShape', () => {
  it('counts data itself as level 1 and refuses one level past the limit, naming the path', () => {
    expect(checkDataShape(nested(4), { maxDepth: 4, maxKeys: 100 })).toBeNull();
    expect(checkDataShape(nested(5), { maxDepth: 4, maxKeys: 100 })).toMatchObject({ reason: 'data_too_deep', path: '.a.a.a.a' });
    expect(checkDataShape({ list: [[[1]]] }, { maxDepth: 3, maxKeys: 100 })).toMatchObject({ reason: 'data_too_deep', path: '.list[0][0]' });
  });

  it('counts keys and array items over the whole of data', () => {
    expect(checkDataShape({ a: [1, 2], b: { c: 1 } }, { maxDepth: 8, maxKeys: 5 })).toBeNull();
    expect(checkDataShape({ a: [1, 2], b: { c: 1, d: 2 } }, { maxDepth: 8, maxKeys: 5 })).toMatchObject({ reason: 'data_too_many_keys', path: '.b' });
  });

  it('refuses __proto__ at any depth, keeps constructor and prototype, and names odd keys as JSON strings', () => {
    expect(checkDataShape(JSON.parse('{"x":{"__proto__":{}}}'))).toMatchObject({ reason: 'forbidden_key', path: '.x.__proto__' });
    expect(checkDataShape(JSON.parse('{"constructor":{"prototype":{"a":1}},"prototype":1}'))).toBeNull();
    expect(checkDataShape(JSON.parse('{"odd key":"\\udc00"}'))).toMatchObject({ reason: 'invalid_unicode', path: '["odd key"]' });
    expect(checkDataShape(JSON.parse('{"\\ud800":1}'))).toMatchObject({ reason: 'invalid_unicode' });
    expect(checkDataShape({ emoji: '😀' })).toBeNull();
  });

  it('parseIngestBody hands on the parsed data object itself, and reports the limit as the reason', () => {
    const body = JSON.parse('{"type":"x","data":{"constructor":1,"b":{"c":[1]}}}') as { data: unknown };
    const parsed = parseIngestBody(body);
    expect(parsed.ok && parsed.events[0]?.data).toBe(body.data);
    expect(parseIngestBody([{ type: 'x' }, { type: 'x', data: nested(40) }])).toMatchObject({ ok: false, reason: 'data_too_deep', message: expect.stringContaining('events[1].data.a') });
  });
});

describe('decodeBase64urlStrict', () => {
  it('accepts only the canonical spelling', () => {
    const text = Buffer.from([0xff, 0xf0]).toString('base64url');
    expect(decodeBase64urlStrict(text)).toEqual(Buffer.from([0xff, 0xf0]));
    expect(decodeBase64urlStrict(`${text.slice(0, -1)}x`)).toBeNull();
    expect(decodeBase64urlStrict(`${text}=`)).toBeNull();
    expect(decodeBase64urlStrict('ab+c')).toBeNull();
  });
});

describe('derived event ids', () => {
  it('depend on the signed bytes and the index only, and match the id pattern', () => {
    const digest = signedRequestDigest(1767225600, '{"type":"x"}');
    expect(digest).toBe(signedRequestDigest(1767225600, Buffer.from('{"type":"x"}')));
    expect(digest).not.toBe(signedRequestDigest(1767225601, '{"type":"x"}'));
    const id = derivedEventId(digest, 99);
    expect(id).toMatch(EVENT_ID_PATTERN);
    expect(id.length).toBeLessThanOrEqual(29);
  });
});

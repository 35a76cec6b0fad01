// The publish form's early checks are the relay's own rules (protocol/), so what it lets through the relay accepts.
import { describe, expect, it } from 'vitest';
import { EVENT_TYPE_PATTERN as PROTOCOL_TYPE_PATTERN } from '../../protocol/event.js';
import { EVENT_TYPE_PATTERN, validateEventForm } from '../src/event-form.js';

describe('publish form validation', () => {
  it('uses the protocol type rule', () => {
    expect(EVENT_TYPE_PATTERN.source).toBe(PROTOCOL_TYPE_PATTERN.source);
    expect(EVENT_TYPE_PATTERN.flags).toBe(PROTOCOL_TYPE_PATTERN.flags);
  });

  it('accepts a valid event, trimming channel and type; empty data is {}', () => {
    expect(validateEventForm({ channel: ' public ', type: ' order.shipped ', data: '{"title":"Hi","n":[1,2]}' })).toEqual({
      ok: true,
      event: { channel: 'public', type: 'order.shipped', data: { title: 'Hi', n: [1, 2] } },
    });
    expect(validateEventForm({ channel: 'public', type: 'ping', data: '  ' })).toEqual({ ok: true, event: { channel: 'public', type: 'ping', data: {} } });
  });

  it('keeps data that looks like a problem as data', () => {
    expect(validateEventForm({ channel: 'public', type: 'x', data: '{"code":"invalid_json","detail":""}' })).toMatchObject({ ok: true, event: { data: { code: 'invalid_json', detail: '' } } });
  });

  it('marks each bad field', () => {
    expect(validateEventForm({ channel: 'has space', type: 'Upper', data: '{"a":' })).toMatchObject({
      ok: false,
      errors: { channel: 'invalid_channel', type: 'invalid_type', data: { code: 'invalid_json' } },
    });
    for (const data of ['[1]', '"text"', 'null', '3']) {
      expect(validateEventForm({ channel: 'public', type: 'x', data }), data).toEqual({ ok: false, errors: { data: { code: 'not_an_object', detail: '' } } });
    }
  });

  it('applies the relay data-shape rules, naming where', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 32; i++) deep = { d: deep };
    // `data` is level 1: 32 levels is the limit, 33 is over.
    expect(validateEventForm({ channel: 'public', type: 'x', data: JSON.stringify(deep) })).toMatchObject({ ok: true });
    expect(validateEventForm({ channel: 'public', type: 'x', data: JSON.stringify({ d: deep }) })).toMatchObject({ ok: false, errors: { data: { code: 'data_too_deep' } } });
    expect(validateEventForm({ channel: 'public', type: 'x', data: '{"a":{"__proto__":{"admin":true}}}' })).toEqual({
      ok: false,
      errors: { data: { code: 'forbidden_key', detail: 'data.a.__proto__' } },
    });
    expect(validateEventForm({ channel: 'public', type: 'x', data: '{"s":"\\ud800"}' })).toMatchObject({ ok: false, errors: { data: { code: 'invalid_unicode' } } });
    expect(validateEventForm({ channel: 'public', type: 'x', data: JSON.stringify({ list: Array.from({ length: 10_001 }, () => 0) }) })).toMatchObject({
      ok: false,
      errors: { data: { code: 'data_too_many_keys' } },
    });
  });
});

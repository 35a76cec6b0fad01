/**
 * The generated plugin's pure-PHP delivery rules under php-cli (issue 12, the plugin's side of the relay's ingest
 * hardening): what the dispatcher does with each answer of the relay, which event of a batch a 400 names, and the
 * relay's data-shape rules applied at the trigger by the event validator.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, tempDir } from './scaffold-helpers.js';

let root = '';
beforeAll(() => {
  assertBuilt();
  const cwd = tempDir('php-delivery');
  const run = runCli(['scaffold', 'acme-live', '--no-block'], cwd);
  expect(run.code, run.stderr).toBe(0);
  root = join(cwd, 'acme-live');
});

/** Runs PHP with the generated classes loaded and returns the JSON it echoes. */
function php(code: string): unknown {
  const files = ['class-acme-live-event-validator.php', 'class-acme-live-dispatcher.php'].map((f) => `require ${JSON.stringify(join(root, 'includes', f))};`);
  const run = spawnSync('php', ['-r', `define('ABSPATH', '/'); ${files.join(' ')} ${code}`], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as unknown;
}

describe('Acme_Live_Dispatcher::verdict (docs/protocol.md, "What a sender should do")', () => {
  const verdict = (status: number | null, code: string) => php(`echo json_encode(Acme_Live_Dispatcher::verdict(${status === null ? 'null' : status}, ${JSON.stringify(code)}));`);

  it('dead-letters what the relay will never accept: 400, 413, 415', () => {
    for (const [status, code] of [[400, 'data_too_deep'], [400, 'invalid_event'], [413, 'payload_too_large'], [415, 'unsupported_media_type']] as const) {
      expect(verdict(status, code), `${status} ${code}`).toBe('refused');
    }
  });

  it('retries a stale signature, 429, 5xx and an unreachable relay', () => {
    expect(verdict(401, 'stale_signature')).toBe('retry');
    expect(verdict(429, 'rate_limited')).toBe('retry');
    expect(verdict(503, 'unavailable')).toBe('retry');
    expect(verdict(500, '')).toBe('retry');
    expect(verdict(null, '')).toBe('retry');
  });

  it('treats a refused signature as a configuration error', () => {
    expect(verdict(401, 'invalid_signature')).toBe('configuration');
    expect(verdict(401, 'missing_signature')).toBe('configuration');
  });

  it('counts 2xx as sent', () => {
    expect(verdict(202, '')).toBe('sent');
  });
});

describe('Acme_Live_Dispatcher::refused_index (the event a 400 for a batch names)', () => {
  const index = (message: string, count: number) => php(`echo json_encode(Acme_Live_Dispatcher::refused_index(${JSON.stringify(message)}, ${count}));`);

  it('reads events[N] from the relay message', () => {
    expect(index('events[3].data.items[7]: nested deeper than the 32-level limit (--max-data-depth)', 5)).toBe(3);
    expect(index('events[0].data: the key "__proto__" is not accepted', 1)).toBe(0);
  });

  it('names none when out of range, absent, or only inside data', () => {
    expect(index('events[5].data: x', 5)).toBeNull();
    expect(index('event.data.a: x', 5)).toBeNull();
    expect(index('body is not valid JSON', 5)).toBeNull();
    expect(index('event.data.myevents[2]: x', 5)).toBeNull();
  });
});

describe('Acme_Live_Event_Validator::data_problem (the relay\'s data-shape rules, protocol/data-shape.ts)', () => {
  const problem = (expr: string) => php(`echo json_encode(Acme_Live_Event_Validator::data_problem(${expr}));`) as null | { reason: string; path: string };
  const nested = (levels: number) => `(function () { $d = new stdClass(); $c = $d; for ($i = 1; $i < ${levels}; $i++) { $c->a = new stdClass(); $c = $c->a; } return $d; })()`;

  it('accepts 32 levels and refuses 33, naming the field', () => {
    expect(problem(nested(32))).toBeNull();
    const deep = problem(nested(33));
    expect(deep?.reason).toBe('data_too_deep');
    expect(deep?.path).toBe('.a'.repeat(32));
  });

  it('stops at the limit on data nested thousands deep (no stack exhaustion)', () => {
    expect(problem(nested(5000))?.reason).toBe('data_too_deep');
  });

  it('counts object keys plus array items: 10,000 pass, 10,001 are refused', () => {
    expect(problem("['a' => range(1, 9999)]")).toBeNull();
    expect(problem("['a' => range(1, 10000)]")?.reason).toBe('data_too_many_keys');
  });

  it('refuses __proto__ at any depth and keeps constructor / prototype', () => {
    expect(problem('json_decode(\'{"a":[1,{"__proto__":1}]}\')')).toEqual(expect.objectContaining({ reason: 'forbidden_key', path: '.a[1].__proto__' }));
    expect(problem('json_decode(\'{"constructor":{"prototype":1}}\')')).toBeNull();
  });

  it('refuses strings and keys that are not UTF-8, including an encoded lone surrogate', () => {
    expect(problem('["x" => ["y" => "\\xED\\xA0\\x80"]]')).toEqual(expect.objectContaining({ reason: 'invalid_unicode', path: '.x.y' }));
    expect(problem('["ok\\xFF" => 1]')?.reason).toBe('invalid_unicode');
    expect(problem('["x" => "caf\\u{e9} \\u{1F600}"]')).toBeNull();
  });

  it('json_decode() itself refuses a lone \\ud800 escape with JSON_ERROR_UTF16 (the trigger answers it as invalid_unicode)', () => {
    expect(php(`$v = json_decode('{"a":"\\\\ud800"}'); echo json_encode([$v, json_last_error() === JSON_ERROR_UTF16]);`)).toEqual([null, true]);
  });
});

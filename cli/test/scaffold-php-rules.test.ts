/**
 * The generated plugin's pure-PHP rules under php-cli: where a logged-in user may publish by default (issue 12,
 * finding 10) and which shared secrets the settings page accepts unchanged (finding 12).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, tempDir } from './scaffold-helpers.js';

let root = '';
beforeAll(() => {
  assertBuilt();
  const cwd = tempDir('php-rules');
  const run = runCli(['scaffold', 'acme-live', '--no-block'], cwd);
  expect(run.code, run.stderr).toBe(0);
  root = join(cwd, 'acme-live');
});

/** Calls a static method of one generated class with JSON arguments and returns its JSON-encoded result. */
function callStatic(file: string, method: string, args: unknown[]): unknown {
  const script = `define('ABSPATH', '/'); require ${JSON.stringify(join(root, 'includes', file))};
    $args = json_decode(${JSON.stringify(JSON.stringify(args))}, true);
    echo json_encode(call_user_func_array(${JSON.stringify(method)}, $args));`;
  const run = spawnSync('php', ['-r', script], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as unknown;
}

describe('Acme_Live_Publish_Policy::default_refusal (what a cookie-authenticated user may publish by default)', () => {
  const refusal = (channel: string, type: string) => callStatic('class-acme-live-publish-policy.php', 'Acme_Live_Publish_Policy::default_refusal', [channel, type]);

  it('allows public and public-* channels with an ordinary type', () => {
    expect(refusal('public', 'chat.message')).toBeNull();
    expect(refusal('public-lobby', 'order.paid')).toBeNull();
  });

  it('refuses every other channel: private-user-<id>, role-<role>, look-alikes of public', () => {
    for (const channel of ['private-user-1', 'private-user-2', 'role-administrator', 'role-editor', 'publicity', 'Public', 'x-public', 'public_x']) {
      expect(refusal(channel, 'chat.message'), channel).toBe('channel_not_allowed');
    }
  });

  it('refuses the types the plugin sends itself, even on public', () => {
    for (const type of ['post.published', 'comment.approved', 'test']) expect(refusal('public', type), type).toBe('reserved_event_type');
    expect(refusal('public', 'post.published.fake')).toBeNull();
  });

  it('takes the reserved list it is given (the <prefix>_reserved_event_types filter feeds it)', () => {
    const custom = callStatic('class-acme-live-publish-policy.php', 'Acme_Live_Publish_Policy::default_refusal', ['public', 'order.paid', ['order.paid']]);
    expect(custom).toBe('reserved_event_type');
    const none = callStatic('class-acme-live-publish-policy.php', 'Acme_Live_Publish_Policy::default_refusal', ['public', 'post.published', []]);
    expect(none).toBeNull();
  });
});

describe('Acme_Live_Options::secret_problem (the settings page validates the secret instead of sanitizing it)', () => {
  const problem = (secret: string) => callStatic('class-acme-live-options.php', 'Acme_Live_Options::secret_problem', [secret]);

  it('accepts what `wp-realtime secret` prints', () => {
    const made = runCli(['secret'], root);
    expect(made.code).toBe(0);
    expect(problem(made.stdout.trim())).toBeNull();
  });

  it("accepts secrets that sanitize_text_field() would have changed: percent-octets, angle brackets, quotes", () => {
    for (const secret of ['abc%41%42%43defghijklmnopqrstuvwxyz0123', '<b>abcdefghijklmnopqrstuvwxyz0123456789</b>', `q"'\\&;!#$()*+,-./:=?@[]^_{|}~0123456789`]) {
      expect(problem(secret), secret).toBeNull();
    }
  });

  it('refuses short, long, whitespace and non-ASCII secrets, naming the problem', () => {
    expect(problem('a'.repeat(31))).toBe('too_short');
    expect(problem('a'.repeat(32))).toBeNull();
    expect(problem('a'.repeat(256))).toBeNull();
    expect(problem('a'.repeat(257))).toBe('too_long');
    expect(problem(`${'a'.repeat(20)} ${'b'.repeat(20)}`)).toBe('invalid_characters');
    expect(problem(`${'a'.repeat(20)}\t${'b'.repeat(20)}`)).toBe('invalid_characters');
    expect(problem(`${'a'.repeat(40)}é`)).toBe('invalid_characters');
  });
});

/** Bad input exits 2 with one clear line on stderr and leaves the disk exactly as it was. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, listTree, runCli, tempDir } from './scaffold-helpers.js';

beforeAll(assertBuilt);

function expectRefused(args: string[], messagePart: RegExp, prepare?: (cwd: string) => void): void {
  const cwd = tempDir('bad');
  prepare?.(cwd);
  const before = listTree(cwd);
  const run = runCli(['scaffold', ...args, '--no-block'], cwd);
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trim().split('\n').filter((line) => !line.startsWith('(run with --help'));
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(messagePart);
  expect(listTree(cwd)).toEqual(before);
}

describe('scaffold refuses bad input', () => {
  const badSlugs: Array<[string, RegExp]> = [
    ['ab', /3 to 40 characters/],
    ['Acme-Live', /3 to 40 characters/],
    ['1acme', /3 to 40 characters/],
    ['acme-', /3 to 40 characters/],
    ['acme_live', /3 to 40 characters/],
    [`a${'b'.repeat(40)}`, /3 to 40 characters/],
    ['acme--live', /must not contain "--"/],
    ['wp-live', /must not start with "wp-"/],
    ['wordpress-live', /must not start with "wordpress"/],
    ['wordpresslive', /must not start with "wordpress"/],
  ];
  it.each(badSlugs)('slug %s', (slug, message) => expectRefused([slug], message));

  it('a bad --namespace', () => expectRefused(['acme-live', '--namespace', 'Acme/Blocks'], /--namespace "Acme\/Blocks"/));
  it('a --name on two lines', () => expectRefused(['acme-live', '--name', 'Acme\nLive'], /--name must be one line/));
  it('a --name that would close the PHP header comment', () => expectRefused(['acme-live', '--name', 'Acme */ Live'], /--name must not contain/));
  it('an --author that would close the PHP header comment', () => expectRefused(['acme-live', '--author', 'Jane */ Doe'], /--author must not contain/));
  it('a --contributors entry that is not a WordPress.org username', () =>
    expectRefused(['acme-live', '--contributors', 'jane,Jane Doe'], /--contributors: "Jane Doe" is not a WordPress.org username/));
  it('an empty --contributors', () => expectRefused(['acme-live', '--contributors', ' , '], /--contributors must list at least one/));
  it('an empty --name', () => expectRefused(['acme-live', '--name', ' '], /--name must not be empty/));
  it('a --relay-url that is not a URL', () => expectRefused(['acme-live', '--relay-url', 'not a url'], /--relay-url.*is not a URL/));
  it('a --relay-url that is not http(s)', () => expectRefused(['acme-live', '--relay-url', 'ftp://relay.example.com'], /must be an http/));
  it('a missing slug', () => expectRefused([], /missing required argument 'slug'/));
  it('an unknown option', () => expectRefused(['acme-live', '--colour'], /unknown option '--colour'/));

  it('an existing non-empty dir without --force', () =>
    expectRefused(['acme-live'], /already exists and is not empty; pass --force/, (cwd) => {
      mkdirSync(join(cwd, 'acme-live'));
      writeFileSync(join(cwd, 'acme-live/keep.txt'), 'mine');
    }));

  it('a --dir that is a file', () =>
    expectRefused(['acme-live', '--dir', 'taken'], /exists and is not a directory/, (cwd) => writeFileSync(join(cwd, 'taken'), 'x')));

  it('a --dir below a file', () =>
    expectRefused(['acme-live', '--dir', 'taken/acme-live'], /is not a directory/, (cwd) => writeFileSync(join(cwd, 'taken'), 'x')));

  it('an existing zip without --force', () =>
    expectRefused(['acme-live', '--zip'], /acme-live\.zip already exists; pass --force/, (cwd) => writeFileSync(join(cwd, 'acme-live.zip'), 'x')));

  // root may write anywhere, so an unwritable directory can only be shown to other users.
  it.skipIf(process.getuid?.() === 0)('a --dir in an unwritable directory', () =>
    expectRefused(['acme-live', '--dir', 'locked/acme-live'], /permission denied/, (cwd) => {
      mkdirSync(join(cwd, 'locked'));
      chmodSync(join(cwd, 'locked'), 0o555);
    }));
});

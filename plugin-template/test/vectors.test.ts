/**
 * The generated plugin's PHP signer agrees byte for byte with protocol/ (TypeScript): every sign and mint vector is
 * reproduced exactly and every verify vector gets the same verdict. Runs a freshly scaffolded plugin under php-cli.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, tempDir } from '../../cli/test/scaffold-helpers.js';
import { DEBIAN_WORDPRESS_DIR } from '../../stack/local-core.js';

const VECTORS = fileURLToPath(new URL('../../protocol/vectors', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./vectors.php', import.meta.url));
// The signer calls wp_json_encode(): a WordPress core provides it (Debian's `wordpress` package, as in .ci/run).
const WORDPRESS_CORE = process.env['WP_REALTIME_WP_CORE'] ?? DEBIAN_WORDPRESS_DIR;

interface Verdict {
  valid: boolean;
  reason?: string;
  claims?: unknown;
}
interface PhpResults {
  sign: string[];
  verify: Verdict[];
  mint: string[];
  verifyToken: Verdict[];
}
interface SignatureVectors {
  sign: Array<{ header: string }>;
  verify: Array<{ name: string; valid: boolean; reason?: string }>;
}
interface TokenVectors {
  mint: Array<{ token: string }>;
  verify: Array<{ name: string; valid: boolean; reason?: string; claims?: unknown }>;
}

const signature = JSON.parse(readFileSync(join(VECTORS, 'signature.json'), 'utf8')) as SignatureVectors;
const token = JSON.parse(readFileSync(join(VECTORS, 'token.json'), 'utf8')) as TokenVectors;

describe.each(['acme-live', 'other-site'])('the PHP signer of a plugin scaffolded as %s', (slug) => {
  let results: PhpResults;

  beforeAll(() => {
    assertBuilt();
    const cwd = tempDir(`vectors-${slug}`);
    const scaffold = runCli(['scaffold', slug, '--no-block'], cwd);
    expect(scaffold.code, scaffold.stderr).toBe(0);
    const classPrefix = slug
      .split('-')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('_');
    const signer = join(cwd, slug, `includes/class-${slug}-signer.php`);
    const php = spawnSync('php', [SCRIPT, signer, `${classPrefix}_Signer`, VECTORS, WORDPRESS_CORE], { encoding: 'utf8' });
    expect(php.stderr).toBe('');
    expect(php.status).toBe(0);
    results = JSON.parse(php.stdout) as PhpResults;
  });

  it('reproduces every signature header exactly', () => {
    expect(signature.sign.length).toBeGreaterThan(0);
    expect(results.sign).toEqual(signature.sign.map((v) => v.header));
  });

  it('gives every signature verify vector the same verdict and reason', () => {
    expect(results.verify).toEqual(signature.verify.map((v) => (v.valid ? { valid: true } : { valid: false, reason: v.reason })));
  });

  it('mints every token exactly', () => {
    expect(token.mint.length).toBeGreaterThan(0);
    expect(results.mint).toEqual(token.mint.map((v) => v.token));
  });

  it('gives every token verify vector the same verdict, reason and claims', () => {
    expect(results.verifyToken).toEqual(
      token.verify.map((v) => (v.valid ? { valid: true, claims: v.claims } : { valid: false, reason: v.reason })),
    );
  });
});

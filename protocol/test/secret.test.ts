/** generateSecret: long enough, URL-safe, and never taken for a command-line option. */
import { describe, expect, it } from 'vitest';
import { generateSecret, MIN_SECRET_LENGTH, secretProblem } from '../secret.js';

describe('generateSecret', () => {
  it('gives 43 base64url characters that never start with "-" (which CLIs would read as an option)', () => {
    // One draw in 64 starts with "-": 4000 draws would all but surely include some if they were not thrown away.
    const secrets = Array.from({ length: 4000 }, () => generateSecret());
    for (const secret of secrets) {
      expect(secret).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/);
      expect(secretProblem(secret)).toBeNull();
    }
    expect(secrets[0]?.length).toBeGreaterThanOrEqual(MIN_SECRET_LENGTH);
    expect(new Set(secrets).size).toBe(secrets.length);
  });
});

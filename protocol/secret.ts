import { randomBytes } from 'node:crypto';

/** Shorter secrets are refused: the HMAC is only as strong as the secret (`wp-realtime secret` gives 43 chars). */
export const MIN_SECRET_LENGTH = 32;

/**
 * 32 random bytes, base64url. One in 64 of those starts with "-", which command-line parsers read as an option
 * (`--secret -Vx…` printed the version instead of starting the relay), so such draws are thrown away.
 */
export function generateSecret(): string {
  for (;;) {
    const secret = randomBytes(32).toString('base64url');
    if (!secret.startsWith('-')) return secret;
  }
}

/** Returns a reason the secret is unusable, or null when it is fine. */
export function secretProblem(secret: string | undefined): string | null {
  if (secret === undefined || secret === '') return 'no secret given';
  if (secret.length < MIN_SECRET_LENGTH) {
    return `the secret is ${secret.length} characters; use at least ${MIN_SECRET_LENGTH} (\`wp-realtime secret\` makes one)`;
  }
  return null;
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 of `message` under `key`; the secret is used as its UTF-8 bytes, like PHP's hash_hmac(). */
export function hmacSha256(key: string | Buffer, message: string | Buffer): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

/** Constant-time equality that also refuses (without leaking timing on content) buffers of different length. */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

const BASE64URL_ALPHABET = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes unpadded base64url, accepting only the canonical spelling: Node's decoder skips characters outside the
 * alphabet and ignores the unused low bits of the last character, so several spellings decode to the same bytes
 * (4 of every token signature). Returns null for anything that does not re-encode to exactly the same text.
 */
export function decodeBase64urlStrict(text: string): Buffer | null {
  if (!BASE64URL_ALPHABET.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}

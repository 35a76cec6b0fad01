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

/**
 * The request signature shared by WordPress → relay and external service → WordPress:
 *   X-WP-Realtime-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>
 * Versioned and timestamped like Stripe's webhook signatures, so the scheme can evolve and replays age out.
 */
import { constantTimeEqual, hmacSha256, nowSeconds } from './encoding.js';

export const SIGNATURE_HEADER = 'X-WP-Realtime-Signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureFailure = 'missing' | 'malformed' | 'mismatch' | 'stale';

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: SignatureFailure; message: string };

/**
 * What a signed request without a body (the relay's GET API) signs in place of one: `<METHOD> <path with query>`,
 * exactly as sent on the request line, so the header reads `t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.GET /v1/channels")>`.
 */
export function requestLine(method: string, pathWithQuery: string): string {
  return `${method.toUpperCase()} ${pathWithQuery}`;
}

export function computeSignature(secret: string, timestamp: number, body: string | Buffer): string {
  return hmacSha256(secret, Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(body)])).toString('hex');
}

export function signatureHeader(secret: string, body: string | Buffer, timestamp = nowSeconds()): string {
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, body)}`;
}

interface ParsedHeader {
  timestamp: number;
  candidates: string[];
}

/** Parses `t=…,v1=…[,v1=…]`; several v1 values let a sender sign with an old and a new secret while rotating. */
function parseHeader(header: string): ParsedHeader | null {
  let timestamp: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 1) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return null;
      candidates.push(value.toLowerCase());
    }
    // Unknown keys (future scheme versions) are ignored on purpose.
  }
  if (timestamp === null || candidates.length === 0) return null;
  return { timestamp, candidates };
}

export function verifySignature(
  header: string | undefined,
  body: string | Buffer,
  secret: string,
  now = nowSeconds(),
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: 'missing', message: `missing ${SIGNATURE_HEADER} header` };
  }
  const parsed = parseHeader(header);
  if (!parsed) {
    return { ok: false, reason: 'malformed', message: `${SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<64 hex chars>` };
  }
  const expected = Buffer.from(computeSignature(secret, parsed.timestamp, body), 'hex');
  const matches = parsed.candidates.some((candidate) => constantTimeEqual(expected, Buffer.from(candidate, 'hex')));
  if (!matches) {
    return { ok: false, reason: 'mismatch', message: 'signature does not match the body under this secret' };
  }
  if (Math.abs(now - parsed.timestamp) > toleranceSeconds) {
    return {
      ok: false,
      reason: 'stale',
      message: `signature timestamp is ${now - parsed.timestamp}s away from the relay clock (allowed ±${toleranceSeconds}s); check the sender's clock`,
    };
  }
  return { ok: true, timestamp: parsed.timestamp };
}

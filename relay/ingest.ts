/**
 * POST /v1/events: the only way in for events. Cheap checks first (drain, rate, media type and charset, size), then
 * the signature over the raw bytes, then UTF-8, JSON, schema and the shape of `data`, then the broker.
 *
 * Status codes are a promise to the sender (the plugin's outbox): a 4xx other than 401/429 means this input will never
 * be accepted (give up on it); a 5xx means nothing of it was claimed without also being broadcast (retry it).
 *
 * A plain Node request handler, in front of express: this is the relay's hot HTTP path, and express's router,
 * body-parser stream plumbing and response helpers cost more per request than everything the relay itself does here.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import {
  derivedEventId,
  nowSeconds,
  parseIngestBody,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  type SignatureFailure,
  signedRequestDigest,
  verifySignature,
} from '../protocol/index.js';
import { type Broker, UnencodableEvent } from './broker.js';
import type { AddressOf } from './client-address.js';
import { splitControlEvents } from './control-events.js';
import { sendError, sendJson } from './http-errors.js';
import type { Logger } from './logger.js';
import type { RejectionReason, RelayMetrics } from './metrics.js';
import type { RelayOptions } from './options.js';

export interface IngestDeps {
  options: RelayOptions;
  broker: Broker;
  metrics: RelayMetrics;
  logger: Logger;
  isDraining: () => boolean;
  addressOf: AddressOf;
}

export type IngestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The rejection reason (and error code) of each signature failure, for every signed route. */
export const signatureRejections: Record<SignatureFailure, RejectionReason> = {
  missing: 'missing_signature',
  malformed: 'invalid_signature',
  mismatch: 'invalid_signature',
  stale: 'stale_signature',
};

const INGEST_PATH = /^\/v1\/events\/?(?:\?|$)/i;

/** True for the request paths this handler answers (express's matching: any case, optional trailing slash, query). */
export function isIngestPath(url: string | undefined): boolean {
  return url !== undefined && INGEST_PATH.test(url);
}

const CHARSET_PARAMETER = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i;
const UTF8_NAMES = new Set(['utf-8', 'utf8']);

/**
 * Like type-is: a request without Content-Length or Transfer-Encoding has no body, so no media type. JSON is UTF-8
 * (RFC 8259); a body declared in another charset would be read as something other than what was signed, so it is
 * refused rather than reinterpreted.
 */
function mediaTypeProblem(req: IncomingMessage): 'not_json' | 'charset' | null {
  const hasBody = req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number.parseInt(req.headers['content-length'] ?? '', 10));
  const contentType = req.headers['content-type'] ?? '';
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase();
  if (!hasBody || mediaType !== 'application/json') return 'not_json';
  const charset = CHARSET_PARAMETER.exec(contentType);
  if (charset && !UTF8_NAMES.has((charset[1] ?? charset[2] ?? '').toLowerCase())) return 'charset';
  return null;
}

export function createIngestHandler({ options, broker, metrics, logger, isDraining, addressOf }: IngestDeps): IngestHandler {
  const limiter = new RateLimiterMemory({ points: options.ingestRate, duration: 1 });

  function reject(res: ServerResponse, status: number, reason: RejectionReason, message: string): void {
    metrics.rejections.inc({ reason });
    sendError(res, status, reason, message);
  }

  function tooLarge(res: ServerResponse): void {
    reject(res, 413, 'payload_too_large', `body is over the ${options.maxPayload}-byte limit`);
  }

  /** Reads the body up to maxPayload; resolves null (after answering 413) past it, or when the client went away. */
  function readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | null> {
    const declared = Number(req.headers['content-length']);
    if (declared > options.maxPayload) {
      tooLarge(res);
      return Promise.resolve(null);
    }
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size <= options.maxPayload) {
          chunks.push(chunk);
          return;
        }
        req.off('data', onData);
        // Stop reading; Node discards or cuts the rest once the response is sent.
        req.pause();
        tooLarge(res);
        resolve(null);
      };
      req.on('data', onData);
      req.once('end', () => {
        if (size <= options.maxPayload) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
      });
      req.once('error', () => resolve(null));
      req.once('aborted', () => resolve(null));
    });
  }

  async function accept(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (isDraining()) return reject(res, 503, 'draining', 'the relay is shutting down; retry against another relay or later');
    try {
      await limiter.consume(addressOf(req));
    } catch (rate) {
      const retryAfter = Math.max(1, Math.ceil(((rate as RateLimiterRes).msBeforeNext ?? 1000) / 1000));
      res.setHeader('Retry-After', String(retryAfter));
      return reject(res, 429, 'rate_limited', `more than ${options.ingestRate} requests per second from this address; retry in ${retryAfter}s`);
    }
    const mediaType = mediaTypeProblem(req);
    if (mediaType === 'not_json') return reject(res, 415, 'unsupported_media_type', 'Content-Type must be application/json');
    if (mediaType === 'charset') return reject(res, 415, 'unsupported_charset', 'Content-Type charset must be utf-8 (or absent): JSON is UTF-8');
    const body = await readBody(req, res);
    if (body === null) return;
    const started = process.hrtime.bigint();

    const signature = verifySignature(req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined, body, options.secret);
    if (!signature.ok) {
      logger.warn({ ip: addressOf(req), reason: signature.reason }, 'ingest refused: signature');
      return reject(res, 401, signatureRejections[signature.reason], signature.message);
    }

    // Decoding would replace each invalid sequence with U+FFFD: the event would no longer be what was signed.
    if (!isUtf8(body)) return reject(res, 400, 'invalid_utf8', 'body is not valid UTF-8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return reject(res, 400, 'invalid_json', `body is not valid JSON: ${(error as Error).message}`);
    }
    const checked = parseIngestBody(parsed, { maxDepth: options.maxDataDepth, maxKeys: options.maxDataKeys });
    if (!checked.ok) return reject(res, 400, checked.reason, checked.message);

    // An event sent without an id gets one derived from the signed bytes, so a replay of the request is a duplicate.
    const digest = signedRequestDigest(signature.timestamp, body);
    checked.events.forEach((event, index) => (event.id ??= derivedEventId(digest, index)));
    // Control events (a revocation) are the relay's instructions: applied before the batch's events are stored.
    const split = splitControlEvents(checked.events, Array.isArray(parsed), nowSeconds());
    if (!split.ok) return reject(res, 400, 'invalid_revocation', split.message);
    let result;
    try {
      if (split.revocations.length > 0) await broker.revoke(split.revocations);
      result =
        split.events.length === 0
          ? { ids: [], duplicates: [] }
          : await broker.publish(split.events, { digest, replayableUntil: signature.timestamp + SIGNATURE_TOLERANCE_SECONDS });
      // The answer lists every event of the request, control events in their place.
      for (const [index, id] of split.controlIds) result.ids.splice(index, 0, id);
    } catch (error) {
      if (error instanceof UnencodableEvent) {
        logger.error({ err: error.message }, 'ingest refused: an event passed the limits but cannot be encoded');
        const field = Array.isArray(parsed) ? `events[${error.index}]` : 'event';
        return reject(res, 400, 'unencodable_event', `${field}: cannot be encoded as JSON; nothing of this request was stored`);
      }
      logger.warn({ err: (error as Error).message }, 'ingest refused: the shared store is unavailable');
      return reject(res, 503, 'unavailable', 'the relay cannot store events right now; retry later (events it already took are answered as duplicates)');
    }
    metrics.ingestToEmit.observe(Number(process.hrtime.bigint() - started) / 1e9);
    sendJson(res, 202, { accepted: result.ids.length, ids: result.ids, duplicates: result.duplicates });
  }

  return (req, res) => {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed here; POST signed events`);
      return;
    }
    accept(req, res).catch((error: unknown) => {
      logger.error({ err: error, path: req.url }, 'unhandled error');
      if (!res.headersSent) sendError(res, 500, 'internal_error', 'the relay failed to handle this request');
    });
  };
}

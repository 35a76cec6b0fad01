/**
 * POST /v1/events: the only way in for events. Cheap checks first (drain, rate, media type, size), then the
 * signature over the raw bytes, then JSON and schema, then the broker.
 */
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { parseIngestBody, SIGNATURE_HEADER, type SignatureFailure, verifySignature } from '../protocol/index.js';
import type { Broker } from './broker.js';
import { sendError } from './http-errors.js';
import type { Logger } from './logger.js';
import type { RejectionReason, RelayMetrics } from './metrics.js';
import type { RelayOptions } from './options.js';

export interface IngestDeps {
  options: RelayOptions;
  broker: Broker;
  metrics: RelayMetrics;
  logger: Logger;
  isDraining: () => boolean;
}

const signatureRejections: Record<SignatureFailure, RejectionReason> = {
  missing: 'missing_signature',
  malformed: 'invalid_signature',
  mismatch: 'invalid_signature',
  stale: 'stale_signature',
};

export function ingestRouter({ options, broker, metrics, logger, isDraining }: IngestDeps): Router {
  const router = Router();
  const limiter = new RateLimiterMemory({ points: options.ingestRate, duration: 1 });

  function reject(res: Response, status: number, reason: RejectionReason, message: string): void {
    metrics.rejections.inc({ reason });
    sendError(res, status, reason, message);
  }

  async function guard(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (isDraining()) return reject(res, 503, 'draining', 'the relay is shutting down; retry against another relay or later');
    try {
      await limiter.consume(req.ip ?? 'unknown');
    } catch (rate) {
      const retryAfter = Math.max(1, Math.ceil(((rate as { msBeforeNext?: number }).msBeforeNext ?? 1000) / 1000));
      res.setHeader('Retry-After', String(retryAfter));
      return reject(res, 429, 'rate_limited', `more than ${options.ingestRate} requests per second from this address; retry in ${retryAfter}s`);
    }
    if (!req.is('application/json')) {
      return reject(res, 415, 'unsupported_media_type', 'Content-Type must be application/json');
    }
    next();
  }

  const rawBody = express.raw({ type: () => true, limit: options.maxPayload, inflate: false });

  router.post('/v1/events', guard, rawBody, async (req: Request, res: Response) => {
    const started = process.hrtime.bigint();
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);

    const signature = verifySignature(req.get(SIGNATURE_HEADER), body, options.secret);
    if (!signature.ok) {
      logger.warn({ ip: req.ip, reason: signature.reason }, 'ingest refused: signature');
      return reject(res, 401, signatureRejections[signature.reason], signature.message);
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return reject(res, 400, 'invalid_json', `body is not valid JSON: ${(error as Error).message}`);
    }
    const checked = parseIngestBody(parsed);
    if (!checked.ok) return reject(res, 400, 'invalid_event', checked.message);

    let result;
    try {
      result = await broker.publish(checked.events);
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'ingest refused: the shared store is unavailable');
      return reject(res, 503, 'unavailable', 'the relay cannot store events right now; retry later');
    }
    metrics.ingestToEmit.observe(Number(process.hrtime.bigint() - started) / 1e9);
    res.status(202).json({ accepted: result.ids.length, ids: result.ids, duplicates: result.duplicates });
  });

  router.all('/v1/events', (req, res) => {
    res.setHeader('Allow', 'POST');
    sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed here; POST signed events`);
  });

  return router;
}

import type { Response } from 'express';
import type { RejectionReason } from './metrics.js';

export type ErrorCode = RejectionReason | 'not_found' | 'method_not_allowed' | 'internal_error';

/** Every error body the relay sends has this one shape. */
export function sendError(res: Response, status: number, error: ErrorCode, message: string): void {
  res.status(status).json({ error, message });
}

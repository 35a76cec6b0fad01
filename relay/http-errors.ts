import type { ServerResponse } from 'node:http';
import type { RejectionReason } from './metrics.js';

export type ErrorCode = RejectionReason | 'not_found' | 'method_not_allowed' | 'internal_error';

/** A JSON response in one write (express's Response is a ServerResponse, so its routes use this too). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** Every error body the relay sends has this one shape. */
export function sendError(res: ServerResponse, status: number, error: ErrorCode, message: string): void {
  sendJson(res, status, { error, message });
}

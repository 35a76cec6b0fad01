/** Calls to the generated plugin's trigger endpoint, signed the way external services sign them. */
import { signatureHeader, SIGNATURE_HEADER } from '../../protocol/signature.js';
import type { WpClient, WpResponse } from './wp-client.js';

export interface TriggerCall {
  /** Default: the pretty URL `/<slug>/v1/event-trigger`. */
  path?: string;
  body: string;
  contentType?: string;
  /** `false` sends no signature; a string sends that header verbatim. Default: a valid signature. */
  signature?: false | string;
  /** Unix seconds used for signing (default now). */
  timestamp?: number;
  method?: string;
  /** More request headers (the e2e probe's per-request switches). */
  headers?: Record<string, string>;
}

export function triggerPath(slug: string): string {
  return `/${slug}/v1/event-trigger`;
}

export function queryVarPath(slug: string): string {
  return `/?${slug.replaceAll('-', '_')}_event=1`;
}

export function signedTrigger(client: WpClient, slug: string, secret: string, call: TriggerCall): Promise<WpResponse> {
  const headers: Record<string, string> = { ...call.headers, 'content-type': call.contentType ?? 'application/json' };
  if (call.signature === undefined) headers[SIGNATURE_HEADER] = signatureHeader(secret, call.body, call.timestamp);
  else if (call.signature !== false) headers[SIGNATURE_HEADER] = call.signature;
  return client.request(call.path ?? triggerPath(slug), { method: call.method ?? 'POST', headers, body: call.body });
}

/** A body whose data carries a marker unique to the test, so events from other tests never match. */
export function eventBody(type: string, marker: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type, data: { marker, ...extra } });
}

export function uniqueMarker(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

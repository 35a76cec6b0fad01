/**
 * Is this URL a wp-realtime relay? Asked before a command relies on it, so that a wrong URL (the WordPress site's,
 * a typo'd port) is named in one line within a few seconds instead of a long request timeout or an HTML answer.
 * A relay answers `GET /healthz` at once with `200 {"status":"ok"}` (JSON); anything else is not a relay.
 */
import { RuntimeFailure, UsageError } from './errors.js';

/** A relay answers /healthz from memory; a server that takes longer than this is not one (or is not well). */
export const PROBE_TIMEOUT_MS = 3_000;

export type RelayProbe =
  | { kind: 'relay' }
  | { kind: 'not-relay'; detail: string }
  | { kind: 'unreachable'; detail: string };

function networkReason(error: unknown): string {
  if ((error as Error).name === 'TimeoutError') return `no answer within ${PROBE_TIMEOUT_MS / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

export async function probeRelay(relayUrl: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<RelayProbe> {
  let response: Response;
  try {
    response = await fetch(`${relayUrl}/healthz`, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const reason = networkReason(error);
    // A server that accepts the connection but does not answer a health check quickly is not behaving like a relay.
    if ((error as Error).name === 'TimeoutError') return { kind: 'not-relay', detail: `GET /healthz got ${reason}` };
    return { kind: 'unreachable', detail: reason };
  }
  const type = response.headers.get('content-type') ?? 'no content type';
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    body = null;
  }
  if (response.status === 200 && (body as { status?: unknown } | null)?.status === 'ok') return { kind: 'relay' };
  return { kind: 'not-relay', detail: `GET /healthz answered ${response.status} (${type.split(';')[0]})` };
}

/** Throws the one-line error a command reports: 2 for a URL that is not a relay, 1 for one that cannot be reached. */
export async function assertRelay(relayUrl: string, command: string): Promise<void> {
  const probe = await probeRelay(relayUrl);
  if (probe.kind === 'unreachable') {
    throw new RuntimeFailure(`${command}: could not reach the relay at ${relayUrl} (${probe.detail}); is it running (wp-realtime relay)?`);
  }
  if (probe.kind === 'not-relay') {
    throw new UsageError(
      `${command}: ${relayUrl} is not a wp-realtime relay (${probe.detail}); pass the relay's URL (e.g. http://127.0.0.1:3000), not the WordPress site's`,
    );
  }
}

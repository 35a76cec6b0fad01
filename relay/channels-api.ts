/**
 * The relay's signed read API, for WordPress and other servers holding the secret:
 *   GET /v1/channels[?prefix=<p>]        occupied channels (subscribers on every relay; members for presence channels)
 *   GET /v1/channels/<name>/members      a presence channel's members (id, name, avatar: what their tokens carried)
 * Signed like POST /v1/events, over the request line instead of a body (protocol/signature.ts requestLine):
 * the same header, timestamp window and constant-time comparison, one verifier.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHANNEL_PATTERN, isPresenceChannel, requestLine, SIGNATURE_HEADER, verifySignature } from '../protocol/index.js';
import type { PresenceMember } from './core/presence.js';
import { sendError, sendJson } from './http-errors.js';
import { signatureRejections } from './ingest.js';
import type { Logger } from './logger.js';
import type { RejectionReason, RelayMetrics } from './metrics.js';

/** At most this many channels in one answer (`truncated: true` says there were more: narrow the prefix). */
export const MAX_LISTED_CHANNELS = 1_000;
const PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{0,128}$/;
const CHANNELS_PATH = /^\/v1\/channels\/?$/;
const MEMBERS_PATH = /^\/v1\/channels\/([^/]+)\/members\/?$/;

/** Where the answers come from: this relay alone, or every relay through Redis. */
export interface ChannelDirectory {
  /** Channel → subscribers, on every relay. */
  occupied(): Promise<ReadonlyMap<string, number>>;
  members(channel: string): Promise<PresenceMember[]>;
}

export interface ChannelsApiDeps {
  secret: string;
  directory: ChannelDirectory;
  metrics: RelayMetrics;
  logger: Logger;
}

export function isChannelsApiPath(url: string | undefined): boolean {
  return url !== undefined && url.startsWith('/v1/channels') && (url.length === 12 || '/?'.includes(url[12] as string));
}

export function createChannelsApiHandler({ secret, directory, metrics, logger }: ChannelsApiDeps) {
  function reject(res: ServerResponse, status: number, reason: RejectionReason | 'not_found', message: string): void {
    if (reason !== 'not_found') metrics.rejections.inc({ reason });
    sendError(res, status, reason, message);
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const signature = verifySignature(req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined, requestLine('GET', target), secret);
    if (!signature.ok) return reject(res, 401, signatureRejections[signature.reason], `${signature.message} (a GET signs "<t>.GET <path with query>")`);
    const url = new URL(target, 'http://relay');
    if (CHANNELS_PATH.test(url.pathname)) {
      const prefix = url.searchParams.get('prefix') ?? '';
      if (!PREFIX_PATTERN.test(prefix)) return reject(res, 400, 'invalid_request', `prefix must match ${PREFIX_PATTERN.source}`);
      const occupied = await directory.occupied();
      const names = [...occupied.keys()].filter((name) => name.startsWith(prefix)).sort();
      const listed = names.slice(0, MAX_LISTED_CHANNELS);
      const channels = await Promise.all(
        listed.map(async (name) => ({
          name,
          subscribers: occupied.get(name) as number,
          ...(isPresenceChannel(name) ? { members: (await directory.members(name)).length } : {}),
        })),
      );
      return sendJson(res, 200, { channels, truncated: names.length > listed.length });
    }
    const members = MEMBERS_PATH.exec(url.pathname);
    if (members) {
      // Channel names need no escaping: whatever is escaped is no channel name.
      const channel = members[1] as string;
      if (!CHANNEL_PATTERN.test(channel) || !isPresenceChannel(channel)) {
        return reject(res, 400, 'invalid_request', `"${channel}" is not a presence channel (presence-<name>, matching ${CHANNEL_PATTERN.source})`);
      }
      return sendJson(res, 200, { channel, members: await directory.members(channel) });
    }
    reject(res, 404, 'not_found', `no route for GET ${url.pathname}`);
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed here; send a signed GET`);
    }
    answer(req, res).catch((error: unknown) => {
      logger.warn({ err: (error as Error).message, path: req.url }, 'channels API failed');
      if (!res.headersSent) reject(res, 503, 'unavailable', 'the shared store did not answer; retry later');
    });
  };
}

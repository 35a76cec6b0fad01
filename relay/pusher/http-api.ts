/**
 * The Pusher HTTP API on the relay's port, for Pusher's server SDKs (`pusher` for Node, `pusher/pusher-php-server`):
 * POST /apps/<id>/events and /batch_events publish wp-realtime events through the same broker as POST /v1/events
 * (history, replay, Redis, de-duplication); GET /apps/<id>/channels, /channels/<name> and /channels/<name>/users report
 * occupancy and presence members on every relay (the same directory as the signed read API GET /v1/channels); POST
 * /apps/<id>/users/<user>/terminate_connections closes a signed-in user's connections on every relay.
 * Requests are signed as Pusher signs them (signatures.ts); errors are answered as Pusher does, with the status code
 * and a plain-text message the SDKs pass on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import {
  checkDataShape,
  CHANNEL_PATTERN,
  derivedEventId,
  type IncomingEvent,
  isPresenceChannel,
  MAX_BATCH_SIZE,
  signedRequestDigest,
  USER_ID_PATTERN,
} from '../../protocol/index.js';
import { type Broker, UnencodableEvent } from '../broker.js';
import type { ChannelDirectory } from '../channels-api.js';
import type { AddressOf } from '../client-address.js';
import { sendJson } from '../http-errors.js';
import type { Logger } from '../logger.js';
import type { RejectionReason, RelayMetrics } from '../metrics.js';
import type { RelayOptions } from '../options.js';
import type { PusherApps } from './apps.js';
import { eventData } from './messages.js';
import { PUSHER_TIMESTAMP_TOLERANCE_SECONDS, verifyApiRequest } from './signatures.js';

const API_PATH = /^\/apps\/([^/?]+)(\/[^?]*)?(?:\?(.*))?$/;
/** Pusher's limits: an event name of up to 200 characters, at most 100 channels per event. */
const EVENT_NAME_PATTERN = /^[\x21-\x7e]{1,200}$/;
const MAX_CHANNELS_PER_EVENT = 100;
const SOCKET_ID_PATTERN = /^\d{1,20}\.\d{1,20}$/;
const CHANNEL_ROUTE = /^\/channels\/([^/]+)(\/users)?$/;
const TERMINATE_ROUTE = /^\/users\/([^/]+)\/terminate_connections$/;
/** The info attributes the channel routes answer (Pusher's `cache` is not served). */
const CHANNEL_INFO = new Set(['user_count', 'subscription_count']);

export function isPusherApiPath(url: string | undefined): boolean {
  return url !== undefined && url.startsWith('/apps/');
}

export interface PusherApiDeps {
  apps: PusherApps;
  broker: Broker;
  /** Subscribers and presence members on every relay: this relay's alone, or Redis's. */
  directory: ChannelDirectory;
  options: RelayOptions;
  metrics: RelayMetrics;
  logger: Logger;
  addressOf: AddressOf;
  isDraining: () => boolean;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
  }
}

export function createPusherApi(deps: PusherApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { apps, options, metrics, logger } = deps;
  const limiter = new RateLimiterMemory({ points: options.ingestRate, duration: 1 });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = API_PATH.exec(req.url ?? '');
    const app = apps.withId(decodeURIComponent(match?.[1] ?? ''));
    if (!match || !app) throw new ApiError(404, 'unknown_app', 'Unknown app id');
    const resource = match[2] ?? '';
    const path = `/apps/${match[1]}${resource}`;
    const query = new URLSearchParams(match[3] ?? '');
    if (deps.isDraining()) throw new ApiError(503, 'draining', 'the relay is shutting down; retry later');
    try {
      await limiter.consume(deps.addressOf(req));
    } catch {
      throw new ApiError(429, 'rate_limited', `more than ${options.ingestRate} requests per second from this address`);
    }
    const method = req.method ?? 'GET';
    const body = method === 'POST' ? await readBody(req, options.maxPayload) : null;
    const failure = verifyApiRequest(app, method, path, query, body);
    if (failure) throw new ApiError(failure.status, 'invalid_signature', failure.message);

    if (method === 'POST' && (resource === '/events' || resource === '/batch_events')) {
      const parsed = parseJson(body as Buffer);
      const events = resource === '/events' ? eventsOf(parsed) : batchOf(parsed);
      return publish(res, events, Number(query.get('auth_timestamp')), body as Buffer);
    }
    if (method === 'GET' && resource === '/channels') return channels(res, query);
    const channelRoute = method === 'GET' ? CHANNEL_ROUTE.exec(resource) : null;
    if (channelRoute) {
      const name = decodeURIComponent(channelRoute[1] as string);
      return channelRoute[2] === undefined ? channel(res, name, query) : users(res, name);
    }
    const terminate = method === 'POST' ? TERMINATE_ROUTE.exec(resource) : null;
    if (terminate) return terminateUser(res, app.id, decodeURIComponent(terminate[1] as string));
    throw new ApiError(404, 'invalid_event', `no Pusher API route for ${method} ${resource || '/'}`);
  }

  /** One stored wp-realtime event per channel; ids derived from the signed request, so a replayed request is a duplicate. */
  async function publish(res: ServerResponse, events: Addressed[], timestamp: number, body: Buffer): Promise<void> {
    for (const [index, { event }] of events.entries()) {
      const problem = checkDataShape(event.data, { maxDepth: options.maxDataDepth, maxKeys: options.maxDataKeys });
      if (problem) throw new ApiError(400, problem.reason, `event ${index}: data${problem.path}: ${problem.message}`);
    }
    const digest = signedRequestDigest(timestamp, body);
    events.forEach(({ event }, index) => (event.id = derivedEventId(digest, index)));
    try {
      await deps.broker.publish(
        events.map(({ event }) => event),
        { digest, replayableUntil: timestamp + PUSHER_TIMESTAMP_TOLERANCE_SECONDS },
        events.map(({ except }) => except),
      );
    } catch (error) {
      if (error instanceof UnencodableEvent) throw new ApiError(400, 'unencodable_event', `event ${error.index} cannot be encoded as JSON`);
      logger.warn({ err: (error as Error).message }, 'pusher api: the shared store is unavailable');
      throw new ApiError(503, 'unavailable', 'the relay cannot store events right now; retry later');
    }
    sendJson(res, 200, {});
  }

  /** Occupied channels on every relay; `user_count` only for presence channels (Pusher: filter_by_prefix=presence-). */
  async function channels(res: ServerResponse, query: URLSearchParams): Promise<void> {
    const prefix = query.get('filter_by_prefix') ?? '';
    const info = infoOf(query);
    if (info.has('user_count') && !prefix.startsWith('presence-')) throw new ApiError(400, 'invalid_request', 'info=user_count needs filter_by_prefix=presence-');
    const occupied = await fromDirectory(deps.directory.occupied());
    const names = [...occupied.keys()].filter((name) => name.startsWith(prefix)).sort();
    const infos = await Promise.all(names.map((name) => channelInfo(name, occupied.get(name) as number, info)));
    sendJson(res, 200, { channels: Object.fromEntries(names.map((name, index) => [name, infos[index]])) });
  }

  async function channel(res: ServerResponse, name: string, query: URLSearchParams): Promise<void> {
    checkChannelName(name);
    const info = infoOf(query);
    if (info.has('user_count') && !isPresenceChannel(name)) throw new ApiError(400, 'invalid_request', 'info=user_count is only for presence channels');
    const count = (await fromDirectory(deps.directory.occupied())).get(name) ?? 0;
    sendJson(res, 200, { occupied: count > 0, ...(await channelInfo(name, count, info)) });
  }

  async function channelInfo(name: string, subscribers: number, info: ReadonlySet<string>): Promise<{ subscription_count?: number; user_count?: number }> {
    return {
      ...(info.has('subscription_count') ? { subscription_count: subscribers } : {}),
      ...(info.has('user_count') && isPresenceChannel(name) ? { user_count: (await fromDirectory(deps.directory.members(name))).length } : {}),
    };
  }

  /** A presence channel's members on every relay, as Pusher lists them: ids only. */
  async function users(res: ServerResponse, name: string): Promise<void> {
    checkChannelName(name);
    if (!isPresenceChannel(name)) throw new ApiError(400, 'invalid_request', `"${name}" is not a presence channel: only presence channels have users`);
    const members = await fromDirectory(deps.directory.members(name));
    sendJson(res, 200, { users: members.map((member) => ({ id: member.id })) });
  }

  async function terminateUser(res: ServerResponse, app: string, user: string): Promise<void> {
    if (!USER_ID_PATTERN.test(user)) throw new ApiError(400, 'invalid_request', `user ids match ${USER_ID_PATTERN.source}`);
    try {
      await deps.broker.terminateUser({ app, user });
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'pusher api: the shared store is unavailable');
      throw new ApiError(503, 'unavailable', 'the relay cannot reach the other relays right now; retry later');
    }
    sendJson(res, 200, {});
  }

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      if (error instanceof ApiError) {
        metrics.rejections.inc({ reason: error.reason });
        return sendText(res, error.status, error.message);
      }
      logger.error({ err: error, path: req.url }, 'pusher api: unhandled error');
      sendText(res, 500, 'the relay failed to handle this request');
    });
  };
}

function checkChannelName(name: string): void {
  if (!CHANNEL_PATTERN.test(name)) throw new ApiError(400, 'invalid_event', `channel names match ${CHANNEL_PATTERN.source}`);
}

/** `info=a,b`: unknown attributes are refused, as Pusher does, rather than silently unanswered. */
function infoOf(query: URLSearchParams): ReadonlySet<string> {
  const info = new Set((query.get('info') ?? '').split(',').filter((item) => item !== ''));
  for (const item of info) if (!CHANNEL_INFO.has(item)) throw new ApiError(400, 'invalid_request', `info attribute "${item}" is not served; ask for ${[...CHANNEL_INFO].join(', ')}`);
  return info;
}

/** A directory read; when the shared store does not answer, Pusher's 503 rather than a 500. */
async function fromDirectory<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch {
    throw new ApiError(503, 'unavailable', 'the shared store did not answer; retry later');
  }
}

/** An event to store, and the Pusher socket (the sender's) that must not receive it. */
interface Addressed {
  event: IncomingEvent;
  except: string | undefined;
}

function eventsOf(body: unknown): Addressed[] {
  const { name, data, channels, channel, socket_id } = (body ?? {}) as { name?: unknown; data?: unknown; channels?: unknown; channel?: unknown; socket_id?: unknown };
  const list = channels ?? (channel === undefined ? undefined : [channel]);
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_CHANNELS_PER_EVENT) {
    throw new ApiError(400, 'invalid_event', `channels: 1 to ${MAX_CHANNELS_PER_EVENT} channel names are required`);
  }
  return list.map((target, index) => oneEvent({ name, data, channel: target, socket_id }, `channels[${index}]`));
}

function batchOf(body: unknown): Addressed[] {
  const batch = (body as { batch?: unknown } | null)?.batch;
  if (!Array.isArray(batch) || batch.length === 0 || batch.length > MAX_BATCH_SIZE) {
    throw new ApiError(400, 'invalid_event', `batch: 1 to ${MAX_BATCH_SIZE} events are required`);
  }
  return batch.map((item, index) => oneEvent((item ?? {}) as Record<string, unknown>, `batch[${index}]`));
}

function oneEvent({ name, data, channel, socket_id }: { name?: unknown; data?: unknown; channel?: unknown; socket_id?: unknown }, where: string): Addressed {
  if (typeof name !== 'string' || !EVENT_NAME_PATTERN.test(name)) throw new ApiError(400, 'invalid_event', `${where}: name must be 1 to 200 printable ASCII characters`);
  if (name.startsWith('pusher:') || name.startsWith('pusher_internal:')) throw new ApiError(400, 'invalid_event', `${where}: names starting pusher: or pusher_internal: are reserved`);
  if (typeof channel !== 'string' || !CHANNEL_PATTERN.test(channel)) throw new ApiError(400, 'invalid_event', `${where}: channel must match ${CHANNEL_PATTERN.source}`);
  if (typeof data !== 'string') throw new ApiError(400, 'invalid_event', `${where}: data must be a string (the SDKs JSON-encode objects)`);
  if (socket_id !== undefined && (typeof socket_id !== 'string' || !SOCKET_ID_PATTERN.test(socket_id))) {
    throw new ApiError(400, 'invalid_event', `${where}: socket_id must look like "1234.5678"`);
  }
  return { event: { channel, type: name, data: eventData(data) }, except: socket_id };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ApiError(400, 'invalid_json', `body is not valid JSON: ${(error as Error).message}`);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        reject(new ApiError(413, 'payload_too_large', `body is over the ${limit}-byte limit`));
      } else chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(`${text}`);
}

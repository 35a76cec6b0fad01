/**
 * The socket.io clients of both front-ends, as one set: opened and closed by the front-ends, swept once a second for
 * expired tokens and for transports that never sent their connect packet, and ended together on shutdown.
 */
import { randomBytes } from 'node:crypto';
import { nowSeconds, TOKEN_LEEWAY_SECONDS } from '../../protocol/index.js';
import type { Broker } from '../broker.js';
import { CLOSE_NORMAL, CLOSE_RESTART } from '../closing.js';
import type { DeliveryCore } from '../core/delivery.js';
import type { HandshakeRefusal } from '../limits.js';
import type { Logger } from '../logger.js';
import type { RelayMetrics } from '../metrics.js';
import type { RelayOptions } from '../options.js';
import type { Revocations } from '../revocations.js';
import type { Revocation } from '../../protocol/index.js';
import { SocketIoSession } from './session.js';
import type { SocketIoTransport } from './transport.js';

export interface SocketIoDeps {
  core: DeliveryCore;
  broker: Broker;
  options: RelayOptions;
  metrics: RelayMetrics;
  logger: Logger;
  /** --client-events as one pattern (null: none allowed), compiled once. */
  clientEventChannels: RegExp | null;
  /** One handshake budget per address, for every front-end. */
  limitHandshake: (address: string) => Promise<HandshakeRefusal | null>;
  /** Cut-off users: consulted at every handshake and refresh_token. */
  revocations: Revocations;
}

const SWEEP_INTERVAL_MS = 1_000;
/** socket.io's default: how long a transport may stay open without joining the namespace. */
const CONNECT_TIMEOUT_MS = 45_000;
/** How long shutdown waits for clients to complete their close handshakes before cutting them. */
const CLOSE_WAIT_MS = 1_000;

export class SocketIoProtocol {
  private readonly sessions = new Set<SocketIoSession>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: SocketIoDeps) {}

  get size(): number {
    return this.sessions.size;
  }

  /** A front-end's new transport becomes a session. */
  opened(transport: SocketIoTransport, id = randomBytes(12).toString('base64url')): SocketIoSession {
    const session = new SocketIoSession(id, transport, this.deps);
    this.sessions.add(session);
    return session;
  }

  closed(session: SocketIoSession): void {
    this.sessions.delete(session);
    this.deps.core.remove(session, session.session?.channels ?? []);
  }

  start(): void {
    this.timer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * A revocation reached this relay (from its own ingest or the shared log): every session of that user whose token
   * it affects is ended or narrowed now. One pass over the sessions; revocations are rare next to connections.
   */
  revoke(revocation: Revocation): number {
    let affected = 0;
    for (const session of this.sessions) {
      const client = session.session;
      if (client === null || client.user !== revocation.user || client.issuedAt === null) continue;
      const verdict = this.deps.revocations.verdict(client.user, client.issuedAt);
      if (!verdict.revoked && verdict.struck.size === 0) continue;
      affected++;
      session.revoke(verdict);
    }
    if (affected > 0) this.deps.logger.info({ user: revocation.user, sessions: affected, channels: revocation.channels }, 'revocation applied to open sessions');
    return affected;
  }

  /** Ends every session like socket.io's disconnectSockets(true), then waits briefly for the close handshakes. */
  async disconnectAll(): Promise<void> {
    await this.endAll((session) => session.disconnect(CLOSE_NORMAL));
  }

  /**
   * For a restart: closes every transport (1012 "service restart" on a WebSocket, engine.io's close when polling)
   * with no disconnect packet, so that clients treat it as a transport loss and reconnect by themselves.
   */
  async closeAllForRestart(): Promise<void> {
    await this.endAll((session) => session.transport.close(CLOSE_RESTART));
  }

  private async endAll(end: (session: SocketIoSession) => void): Promise<void> {
    const leaving = [...this.sessions];
    for (const session of leaving) end(session);
    const deadline = Date.now() + CLOSE_WAIT_MS;
    const waiting = (): boolean => leaving.some((session) => this.sessions.has(session));
    while (waiting() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const session of leaving) if (this.sessions.has(session)) session.transport.terminate();
  }

  private sweep(): void {
    const now = Date.now();
    const cutoff = nowSeconds() - TOKEN_LEEWAY_SECONDS;
    for (const session of this.sessions) {
      const client = session.session;
      if (client === null) {
        if (now - session.openedAt > CONNECT_TIMEOUT_MS) session.transport.close(CLOSE_NORMAL);
      } else if (client.expiresAt !== null && client.expiresAt < cutoff && session.open) {
        this.deps.logger.debug({ user: client.user }, 'token expired: disconnecting');
        session.emit('token_expired', { message: 'token expired; reconnect with a fresh token' });
        session.disconnect();
      }
    }
  }
}

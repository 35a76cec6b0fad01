/** socket.io clients on presence channels that keep the member list the relay told them, for tests. */
import { createHmac } from 'node:crypto';
import { io, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { deriveTokenKey, type MemberInfo, mintToken, requestLine, SIGNATURE_HEADER, signatureHeader } from '../../../protocol/index.js';
import { collect, type TestClient, waitForConnect } from './clients.js';

export interface Member {
  id: string;
  name: string;
  avatar?: string;
}

export interface PresenceClient extends TestClient {
  /** channel → members as the relay told this client (presence_state replaces, member_* patch). */
  lists: Map<string, Map<string, Member>>;
  /** Every presence message received, in order. */
  log: { event: string; channel: string; id?: string; member?: unknown; members?: unknown }[];
  ids(channel: string): string[];
  /** Resolves once the client's list of `channel` is exactly `ids` (sorted), or rejects after timeoutMs. */
  waitForMembers(channel: string, ids: string[], timeoutMs?: number): Promise<void>;
}

export function presenceToken(secret: string, user: string, channels: string[], info: MemberInfo = { name: `User ${user}` }): string {
  return mintToken({ secret, user, channels, info });
}

/** A token the relay must refuse, signed correctly (mintToken itself refuses to make it). */
export function signedClaims(secret: string, claims: object): string {
  const input = `wprt1.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', deriveTokenKey(secret)).update(input).digest('base64url')}`;
}

export async function presenceClient(url: string, token: string, options: Partial<ManagerOptions & SocketOptions> = {}): Promise<PresenceClient> {
  const socket = io(url, { reconnection: false, forceNew: true, transports: ['websocket'], ...options, auth: { token, ...((options.auth as object | undefined) ?? {}) } });
  // Listeners go on before the handshake completes: presence_state follows the connect packet at once.
  const lists = new Map<string, Map<string, Member>>();
  const log: PresenceClient['log'] = [];
  socket.on('presence_state', ({ channel, members }: { channel: string; members: Member[] }) => {
    log.push({ event: 'presence_state', channel, members });
    lists.set(channel, new Map(members.map((member) => [member.id, member])));
  });
  socket.on('member_added', ({ channel, member }: { channel: string; member: Member }) => {
    log.push({ event: 'member_added', channel, id: member.id, member });
    lists.get(channel)?.set(member.id, member);
  });
  socket.on('member_removed', ({ channel, member }: { channel: string; member: Member }) => {
    log.push({ event: 'member_removed', channel, id: member.id, member });
    lists.get(channel)?.delete(member.id);
  });
  const client = collect(socket);
  await waitForConnect(socket);
  const ids = (channel: string): string[] => [...(lists.get(channel)?.keys() ?? [])].sort();
  return {
    ...client,
    lists,
    log,
    ids,
    async waitForMembers(channel, wanted, timeoutMs = 5_000) {
      const expected = [...wanted].sort();
      const deadline = Date.now() + timeoutMs;
      while (JSON.stringify(ids(channel)) !== JSON.stringify(expected)) {
        if (Date.now() > deadline) throw new Error(`members of ${channel}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(ids(channel))}; log ${JSON.stringify(log)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

/** A signed GET of the relay's read API (the signature covers "<t>.GET <path with query>"). */
export async function getSigned(url: string, secret: string, pathWithQuery: string, timestamp?: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${pathWithQuery}`, { headers: { [SIGNATURE_HEADER]: signatureHeader(secret, requestLine('GET', pathWithQuery), timestamp) } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

// The view's connection module against a real relay (createRelay, real socket.io over websockets).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConnectionState, connectFeed, type FeedConnection, type FeedConnectionOptions } from '../src/client/connection.js';
import type { LiveEvent } from '../src/client/envelope.js';
import { Feed } from '../src/client/feed.js';
import type { TokenResponse } from '../src/client/token-response.js';
import { startRelay, type TestRelay, waitFor } from './support/relay.js';

let relay: TestRelay;
const open: FeedConnection[] = [];

interface Recorder {
  events: LiveEvent[];
  states: ConnectionState[];
  gaps: (string | undefined)[];
  tokenFetches: number;
  connection: FeedConnection;
}

function connect(fetchToken: () => Promise<TokenResponse>, extra: Partial<FeedConnectionOptions> = {}): Recorder {
  const recorder = { events: [], states: [], gaps: [], tokenFetches: 0 } as unknown as Recorder;
  recorder.connection = connectFeed({
    fetchToken: () => {
      recorder.tokenFetches++;
      return fetchToken();
    },
    onEvent: (event) => recorder.events.push(event),
    onState: (state) => recorder.states.push(state),
    onReplayGap: (id) => recorder.gaps.push(id),
    reconnectionDelay: 50,
    reconnectionDelayMax: 200,
    ...extra,
  });
  open.push(recorder.connection);
  return recorder;
}

const ids = (events: readonly LiveEvent[]): string[] => events.map((event) => event.id);

beforeEach(async () => {
  relay = await startRelay();
});

afterEach(async () => {
  for (const connection of open.splice(0)) connection.close();
  await relay.relay.stop();
});

describe('block connection against a real relay', () => {
  it('goes live and receives events in order with the contract envelope', async () => {
    const client = connect(async () => relay.tokenFor());
    await waitFor('live', () => client.connection.state === 'live');
    await relay.emit([
      { id: 'e1', type: 'post.published', data: { title: '<img src=x onerror=alert(1)>', url: 'https://example.com/p' } },
      { id: 'e2', type: 'comment.approved' },
    ]);
    await waitFor('two events', () => client.events.length === 2);
    expect(ids(client.events)).toEqual(['e1', 'e2']);
    expect(client.events[0]).toMatchObject({ channel: 'public', type: 'post.published', data: { title: '<img src=x onerror=alert(1)>' } });
    expect(Number.isNaN(Date.parse(client.events[0]!.time))).toBe(false);
    expect(client.connection.lastEventId).toBe('e2');
    expect(client.states).toEqual(['live']);
  });

  it('reads the private channels its token lists, and only those', async () => {
    const client = connect(async () => relay.tokenFor({ user: '7', channels: ['public', 'private-user-7'] }));
    await waitFor('live', () => client.connection.state === 'live');
    await relay.emit([
      { id: 'p1', channel: 'private-user-8', type: 'note' },
      { id: 'p2', channel: 'private-user-7', type: 'note' },
    ]);
    await waitFor('the private event', () => client.events.length === 1);
    await relay.emit({ id: 'p3', type: 'note' });
    await waitFor('the public event', () => client.events.length === 2);
    expect(ids(client.events)).toEqual(['p2', 'p3']);
  });

  it('after a reload (new connection with the stored id) gets exactly what it missed, then live events', async () => {
    const first = connect(async () => relay.tokenFor());
    await waitFor('live', () => first.connection.state === 'live');
    await relay.emit({ id: 'r1', type: 't' });
    await waitFor('r1', () => first.events.length === 1);
    const stored = first.connection.lastEventId;
    first.connection.close();

    await relay.emit([{ id: 'r2', type: 't' }, { id: 'r3', type: 't' }]);
    const second = connect(async () => relay.tokenFor(), { initialLastEventId: stored });
    await waitFor('the replay', () => second.events.length === 2);
    await relay.emit({ id: 'r4', type: 't' });
    await waitFor('the live event', () => second.events.length === 3);
    expect(ids(second.events)).toEqual(['r2', 'r3', 'r4']);
    expect(second.gaps).toEqual([]);
  });

  it('reconnects by itself when the relay drops it, sending a fresh token and the latest id, and replays the gap', async () => {
    const client = connect(async () => relay.tokenFor());
    await waitFor('live', () => client.connection.state === 'live');
    await relay.emit({ id: 'd1', type: 't' });
    await waitFor('d1', () => client.events.length === 1);

    await relay.relay.disconnectClients();
    await waitFor('offline', () => client.states.includes('offline'));
    // Emitted while the client may still be away: the replay or the live stream delivers it, exactly once.
    await relay.emit({ id: 'd2', type: 't' });
    await waitFor('live again', () => client.connection.state === 'live' && client.states.length >= 3);
    await relay.emit({ id: 'd3', type: 't' });
    await waitFor('d3', () => client.events.some((event) => event.id === 'd3'));
    expect(ids(client.events)).toEqual(['d1', 'd2', 'd3']);
    expect(client.states).toEqual(['live', 'offline', 'live']);
  });

  it('when its user is cut off, drops the token and reconnects with a new one (an anonymous one after a logout)', async () => {
    let signedIn = true;
    const client = connect(async () => (signedIn ? relay.tokenFor({ user: '5', channels: ['public', 'private-user-5'] }) : relay.tokenFor()));
    await waitFor('live', () => client.connection.state === 'live');
    await relay.emit({ id: 'c1', channel: 'private-user-5', type: 't' });
    await waitFor('c1', () => client.events.length === 1);

    signedIn = false;
    await relay.emit({ channel: 'wp-realtime.control', type: 'revoke', data: { user: '5', notBefore: Math.floor(Date.now() / 1000) } });
    await waitFor('offline', () => client.states.includes('offline'));
    await waitFor('live again', () => client.connection.state === 'live' && client.states.length >= 3);
    // One new token, fetched for the reconnect: the revoked one was not offered to the relay again (no refusal).
    expect(client.tokenFetches).toBe(2);
    expect(await relay.relay.metrics.registry.getSingleMetricAsString('wp_realtime_rejections_total')).not.toContain('revoked_token');
    await relay.emit([{ id: 'c2', channel: 'private-user-5', type: 't' }, { id: 'c3', type: 't' }]);
    await waitFor('c3', () => client.events.some((event) => event.id === 'c3'));
    expect(ids(client.events)).toEqual(['c1', 'c3']);
    expect(client.states).toEqual(['live', 'offline', 'live']);
  });

  it('keeps a run-time subscription across a reconnect (the relay forgets it; the client sends it again)', async () => {
    const client = connect(async () => relay.tokenFor({ user: '5', channels: ['public', 'private-user-5'] }));
    await waitFor('live', () => client.connection.state === 'live');
    expect(await client.connection.unsubscribe(['private-user-5'])).toEqual({ ok: true, channels: ['public'] });
    expect(await client.connection.subscribe(['public-extra'])).toEqual({ ok: true, channels: ['public', 'public-extra'] });
    await relay.emit([{ id: 's1', channel: 'public-extra', type: 't' }, { id: 's2', channel: 'private-user-5', type: 't' }]);
    await waitFor('s1', () => client.events.length === 1);

    await relay.relay.disconnectClients();
    await waitFor('offline', () => client.states.includes('offline'));
    await waitFor('live again', () => client.connection.state === 'live' && client.states.length >= 3);
    await relay.emit([{ id: 's3', channel: 'public-extra', type: 't' }, { id: 's4', channel: 'private-user-5', type: 't' }, { id: 's5', type: 't' }]);
    await waitFor('s5', () => client.events.some((event) => event.id === 's5'));
    // The unsubscribed private channel stays off, the subscribed one stays on.
    expect(ids(client.events)).toEqual(['s1', 's3', 's5']);
  });

  it('answers a subscription change made while offline with an error, not a hang', async () => {
    const client = connect(async () => relay.tokenFor());
    await waitFor('live', () => client.connection.state === 'live');
    await relay.relay.stop();
    await waitFor('offline', () => client.connection.state === 'offline');
    expect(await client.connection.subscribe(['public-x'])).toMatchObject({ ok: false, error: 'offline' });
    relay = await startRelay();
  });

  it('lets the feed drop duplicates when a replay repeats what the block already shows', async () => {
    const feed = new Feed({ maxItems: 10, eventTypes: [] });
    const first = connect(async () => relay.tokenFor(), { onEvent: (event) => feed.accept(event) });
    await waitFor('live', () => first.connection.state === 'live');
    await relay.emit([{ id: 'u1', type: 't' }, { id: 'u2', type: 't' }, { id: 'u3', type: 't' }]);
    await waitFor('three events', () => feed.items.length === 3);
    first.connection.close();

    // Resuming from an older position replays u2 and u3 again.
    const accepted: boolean[] = [];
    const second = connect(async () => relay.tokenFor(), { initialLastEventId: 'u1', onEvent: (event) => accepted.push(feed.accept(event)) });
    await waitFor('the replay', () => accepted.length === 2);
    await relay.emit({ id: 'u4', type: 't' });
    await waitFor('u4', () => accepted.length === 3);
    expect(accepted).toEqual([false, false, true]);
    expect(ids(feed.items)).toEqual(['u4', 'u3', 'u2', 'u1']);
    expect(second.connection.lastEventId).toBe('u4');
  });

  it('reports a replay gap when the stored id is no longer in history', async () => {
    await relay.emit({ id: 'g1', type: 't' });
    const client = connect(async () => relay.tokenFor(), { initialLastEventId: 'long-gone' });
    await waitFor('the gap', () => client.gaps.length === 1);
    expect(client.gaps).toEqual(['long-gone']);
  });

  it('refreshes its token on the open connection before it expires', async () => {
    const client = connect(async () => relay.tokenFor({ ttl: 600 }), { refreshDelay: () => 150 });
    await waitFor('live', () => client.connection.state === 'live');
    await waitFor('two refreshes', () => client.tokenFetches >= 3);
    await relay.emit({ id: 'f1', type: 't' });
    await waitFor('f1', () => client.events.length === 1);
    expect(client.states).toEqual(['live']);
  });

  it('reconnects when the relay refuses a refreshed token', async () => {
    let user = '1';
    const client = connect(async () => relay.tokenFor({ user, channels: ['public'] }), { refreshDelay: () => 150 });
    await waitFor('live', () => client.connection.state === 'live');
    user = '2'; // The relay refuses a refresh for another user: the client must start a new session instead.
    await waitFor('a new session', () => client.states.join() === 'live,offline,live', 10_000);
    await relay.emit({ id: 'n1', type: 't' });
    await waitFor('n1', () => client.events.length === 1);
  });

  it('goes quietly offline when the relay is unreachable, and connects once it is back', async () => {
    const url = relay.url;
    const token = relay.tokenFor();
    await relay.relay.stop();
    const client = connect(async () => token);
    await waitFor('offline', () => client.connection.state === 'offline');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.connection.state).toBe('offline');
    relay = await startRelay({ port: Number(new URL(url).port) }); // afterEach stops this one
    await waitFor('live once the relay is back', () => client.connection.state === 'live');
    expect(client.states).toEqual(['offline', 'live']);
  });

  it('goes offline when the token route fails, and retries it', async () => {
    let calls = 0;
    const client = connect(async () => {
      calls++;
      if (calls === 1) throw new Error('403 rest_forbidden');
      return relay.tokenFor();
    });
    await waitFor('live after a retry', () => client.connection.state === 'live');
    expect(client.states).toEqual(['offline', 'live']);
    expect(calls).toBe(2);
  });

  it('is refused with a forged token, stays offline and asks for a new token', async () => {
    let calls = 0;
    const client = connect(async () => {
      calls++;
      const good = relay.tokenFor();
      return calls === 1 ? { ...good, token: `${good.token.slice(0, -2)}xx` } : good;
    });
    await waitFor('live after a new token', () => client.connection.state === 'live');
    expect(client.states).toEqual(['offline', 'live']);
    expect(calls).toBe(2);
  });
});

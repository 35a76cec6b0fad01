// The Who's Here block's client (presence-connection.ts over connection.ts, presence.ts) against a real relay:
// two viewers of one post see each other, a second tab is no news, the last tab closing removes the viewer, a relay
// restart empties and refills the list, a token without the channel never connects; every payload is validated.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_CHANNEL, mintToken, nowSeconds } from '../../protocol/index.js';
import type { ConnectionState, FeedConnection } from '../src/client/connection.js';
import { type Member, type PresenceChange, PresenceList, tokenSubject } from '../src/client/presence.js';
import { connectPresence } from '../src/client/presence-connection.js';
import type { TokenResponse } from '../src/client/token-response.js';
import { SECRET, startRelay, type TestRelay, waitFor } from './support/relay.js';

const CHANNEL = 'presence-post-17';
let relay: TestRelay;
const open: FeedConnection[] = [];

function presenceToken(user: string, name: string, avatar?: string): TokenResponse {
  const channels = ['public', `private-user-${user}`, CHANNEL];
  const token = mintToken({ secret: SECRET, user, channels, info: { name, ...(avatar === undefined ? {} : { avatar }) } });
  return { token, expiresAt: Math.floor(Date.now() / 1000) + 600, channels, relayUrl: relay.url };
}

interface Viewer {
  members: Member[];
  changes: PresenceChange[];
  states: ConnectionState[];
  alone: boolean;
  connection: FeedConnection;
}

/** One tab: the block's own wiring (connectPresence, as view.ts uses it), without the DOM. */
function view(user: string, name: string, avatar?: string): Viewer {
  const token = presenceToken(user, name, avatar);
  const viewer = { members: [], changes: [], states: [], alone: true } as unknown as Viewer;
  viewer.connection = connectPresence({
    channel: CHANNEL,
    fetchToken: async () => token,
    onChange: (members, selfId, change) => {
      viewer.members = members;
      viewer.alone = members.every((member) => member.id === selfId);
      viewer.changes.push(change);
    },
    onState: (state) => {
      viewer.states.push(state);
      if (state !== 'live') viewer.members = [];
    },
    reconnectionDelay: 50,
    reconnectionDelayMax: 200,
  });
  open.push(viewer.connection);
  return viewer;
}

const names = (viewer: Viewer): string[] => viewer.members.map((member) => member.name);

beforeEach(async () => {
  relay = await startRelay();
});

afterEach(async () => {
  for (const connection of open.splice(0)) connection.close();
  await relay.relay.stop();
});

describe("who's here against a real relay", () => {
  it('shows each viewer the other, the viewer first; a leaving viewer is removed and announced', async () => {
    const ana = view('1', 'Ana', 'https://example.com/ana.png');
    await waitFor('Ana alone', () => names(ana).length === 1);
    expect(ana.alone).toBe(true)
    const bo = view('2', 'Bo');
    await waitFor('Bo sees both', () => names(bo).length === 2);
    await waitFor('Ana sees Bo', () => names(ana).length === 2);
    expect(names(ana)).toEqual(['Ana', 'Bo']);
    expect(names(bo)).toEqual(['Bo', 'Ana']);
    expect(bo.members[1]).toEqual({ id: '1', name: 'Ana', avatar: 'https://example.com/ana.png' });
    expect(ana.changes).toContainEqual({ kind: 'joined', member: { id: '2', name: 'Bo', avatar: null } });
    expect(ana.alone).toBe(false);

    bo.connection.close();
    await waitFor('Bo gone', () => names(ana).length === 1);
    expect(ana.changes.at(-1)).toEqual({ kind: 'left', member: { id: '2', name: 'Bo', avatar: null } });
    expect(ana.alone).toBe(true)
  });

  it("a viewer's second tab is no news, and closing one of two tabs removes nobody", async () => {
    const ana = view('1', 'Ana');
    const bo = view('2', 'Bo');
    await waitFor('both', () => names(ana).length === 2 && names(bo).length === 2);
    const boTab2 = view('2', 'Bo');
    await waitFor('second tab has the list', () => names(boTab2).length === 2);
    boTab2.connection.close();
    // Let any (wrong) member_removed arrive before checking that none did.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(names(ana)).toEqual(['Ana', 'Bo']);
    expect(ana.changes.filter((change) => change.kind === 'left')).toEqual([]);
  });
});

describe("who's here across a relay restart and a refused token", () => {
  it('empties the list while offline and fills it again from presence_state after the reconnect', async () => {
    const ana = view('1', 'Ana');
    const bo = view('2', 'Bo');
    await waitFor('both', () => names(ana).length === 2 && names(bo).length === 2);
    const port = Number(new URL(relay.url).port);
    await relay.relay.stop();
    await waitFor('Ana offline', () => ana.states.at(-1) === 'offline');
    expect(names(ana)).toEqual([]);
    relay = await startRelay({ port });
    await waitFor('Ana live again', () => ana.states.at(-1) === 'live', 15_000);
    await waitFor('both again', () => names(ana).length === 2 && names(bo).length === 2, 15_000);
    expect(names(ana)).toEqual(['Ana', 'Bo']);
    expect(ana.changes.filter((change) => change.kind === 'reset').length).toBeGreaterThanOrEqual(2);
  });

  it('stays offline, never connecting, when the token route leaves the presence channel out', async () => {
    let fetches = 0;
    const states: ConnectionState[] = [];
    open.push(
      connectPresence({
        channel: CHANNEL,
        fetchToken: async () => {
          fetches++;
          return relay.tokenFor({ user: '3', channels: ['public', 'private-user-3'] });
        },
        onChange: () => {
          throw new Error('no presence event may reach a viewer without the channel');
        },
        onState: (state) => states.push(state),
      }),
    );
    await waitFor('offline', () => states.includes('offline'));
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(states).not.toContain('live');
  });

  it('after a logout (token revoked, the route now leaves the channel out) the viewer is removed and never reconnects, not even anonymously', async () => {
    const ana = view('1', 'Ana');
    let loggedOut = false;
    let fetchesAfterLogout = 0;
    const boStates: ConnectionState[] = [];
    const boNames: string[][] = [];
    open.push(
      connectPresence({
        channel: CHANNEL,
        fetchToken: async () => {
          if (!loggedOut) return presenceToken('2', 'Bo');
          fetchesAfterLogout++;
          return relay.tokenFor({ channels: ['public'] });
        },
        onChange: (members) => boNames.push(members.map((member) => member.name)),
        onState: (state) => boStates.push(state),
        reconnectionDelay: 50,
        reconnectionDelayMax: 200,
      }),
    );
    await waitFor('both', () => names(ana).length === 2 && boNames.at(-1)?.length === 2);
    loggedOut = true;
    await relay.emit({ id: 'logout-2', channel: CONTROL_CHANNEL, type: 'revoke', data: { user: '2', notBefore: nowSeconds() } });
    await waitFor('Bo gone from Ana', () => names(ana).length === 1);
    await waitFor('Bo offline', () => boStates.at(-1) === 'offline');
    const cutAt = boStates.length;
    await waitFor('Bo asked the token route again', () => fetchesAfterLogout >= 1);
    // A tokenless handshake would have gone live by now (reconnection backoff from 50 ms).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(boStates.slice(cutAt)).not.toContain('live');
    // And it keeps trying (with backoff) for the day the viewer signs in again.
    await waitFor('Bo retried', () => fetchesAfterLogout >= 2, 8_000);
    expect(names(ana)).toEqual(['Ana']);
    expect(ana.changes.at(-1)).toEqual({ kind: 'left', member: { id: '2', name: 'Bo', avatar: null } });
  });
});

describe('PresenceList', () => {
  it('ignores other channels and malformed members, and resets on presence_state', () => {
    const list = new PresenceList(CHANNEL, '1');
    expect(list.reset({ channel: 'presence-post-18', members: [{ id: '9', name: 'X' }] })).toEqual({ kind: 'none' });
    expect(list.reset({ channel: CHANNEL, members: [{ id: '1', name: 'Me' }, { id: '', name: 'bad' }, { id: '3', name: '' }, { id: '4', name: 'x'.repeat(101) }, null, { id: '5', name: 'Ok', avatar: 'javascript:alert(1)' }] })).toEqual({ kind: 'reset' });
    expect(list.list()).toEqual([{ id: '1', name: 'Me', avatar: null }, { id: '5', name: 'Ok', avatar: null }]);
    expect(list.add({ channel: CHANNEL, member: { id: '5', name: 'Ok' } })).toEqual({ kind: 'none' });
    expect(list.add({ channel: CHANNEL, member: 'nope' })).toEqual({ kind: 'none' });
    expect(list.remove({ channel: CHANNEL, member: { id: '77', name: 'Never here' } })).toEqual({ kind: 'none' });
    expect(list.remove({ channel: 'presence-post-18', member: { id: '5', name: 'Ok' } })).toEqual({ kind: 'none' });
    expect(list.reset({ channel: CHANNEL, members: [] })).toEqual({ kind: 'reset' });
    expect(list.alone()).toBe(true);
  });

  it('reads the viewer from the token, and nothing from a token it cannot read', () => {
    expect(tokenSubject(mintToken({ secret: SECRET, user: '42', channels: ['public'] }))).toBe('42');
    expect(tokenSubject('wprt1.%%%.x')).toBeNull();
    expect(tokenSubject('nodots')).toBeNull();
  });
});

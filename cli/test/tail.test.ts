/** `wp-realtime tail` as a real process against real relay processes (and a real Redis for the restart). */
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type EventEnvelope, mintToken } from '../../protocol/index.js';
import { postSigned } from '../../relay/test/support/clients.js';
import { freePort, startRedisServer, type RedisServer } from '../../relay/test/support/redis-server.js';
import { type RelayProcess, runCli, startRelayProcess } from '../../relay/test/support/relay-process.js';
import { startTail, type TailProcess } from './tail-process.js';

const running: TailProcess[] = [];
function tail(args: string[], env: NodeJS.ProcessEnv = {}): TailProcess {
  const started = startTail(args, env);
  running.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop('SIGKILL')));
});

async function publish(relay: { url: string; secret: string }, events: object[]): Promise<void> {
  const result = await postSigned(relay.url, relay.secret, events);
  expect(result.status).toBe(202);
}

describe('tail against one relay', () => {
  let relay: RelayProcess;
  beforeAll(async () => {
    relay = await startRelayProcess();
  });
  afterAll(async () => {
    await relay.stop();
  });

  it('prints public and private events in order, one line each; channels it was not given stay out; Ctrl-C exits 0', async () => {
    const t = tail(['--relay', relay.url, '--secret', relay.secret, '--channel', 'public', '--channel', 'private-ops']);
    await t.waitForStatus('connected');
    await publish(relay, [
      { id: 'p-1', type: 'post.published', data: { title: 'Hello' } },
      { id: 'x-1', channel: 'private-ops', type: 'deploy.done', data: { ok: true } },
      { id: 'hidden', channel: 'private-other', type: 'secret.thing' },
      { id: 'p-2', channel: 'public', type: 'comment.approved' },
    ]);
    const lines = await t.waitForLines(3);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}public {2}post\.published {2}\{"title":"Hello"\}$/);
    expect(lines[1]).toMatch(/ {2}private-ops {2}deploy\.done {2}\{"ok":true\}$/);
    expect(lines[2]).toMatch(/ {2}public {2}comment\.approved$/);
    // Not a TTY: no colour codes.
    expect(lines.join('')).not.toContain('\u001b[');
    expect(await t.stop('SIGINT')).toBe(0);
    expect(t.stdoutLines()).toHaveLength(3);
  });

  it('--json prints one valid JSON envelope per line; --type (exact or prefix*) filters', async () => {
    const t = tail(['--relay', relay.url, '--json', '--type', 'order.*', '--type', 'ping'], { WP_REALTIME_SECRET: relay.secret });
    await t.waitForStatus('connected');
    await publish(relay, [
      { id: 'j-1', type: 'order.created', data: { n: 1, nested: { a: [1, 2] } } },
      { id: 'j-2', type: 'other' },
      { id: 'j-3', type: 'ping' },
      { id: 'j-4', type: 'order.paid', data: { line: 'a\nb' } },
    ]);
    const lines = await t.waitForLines(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const events = t.stdoutLines().map((line) => JSON.parse(line) as EventEnvelope);
    expect(events.map((e) => e.id)).toEqual(['j-1', 'j-3', 'j-4']);
    expect(lines).toHaveLength(3);
    for (const event of events) {
      expect(Object.keys(event).sort()).toEqual(['channel', 'data', 'id', 'time', 'type']);
      expect(new Date(event.time).toISOString()).toBe(event.time);
    }
    expect(events[0]?.data).toEqual({ n: 1, nested: { a: [1, 2] } });
    expect(events[2]?.data).toEqual({ line: 'a\nb' });
  });

  it('--last-event-id starts with the events after it that the relay still holds', async () => {
    await publish(relay, [
      { id: 'r-1', channel: 'public-replay', type: 'a' },
      { id: 'r-2', channel: 'public-replay', type: 'b' },
      { id: 'r-3', channel: 'public-replay', type: 'c' },
    ]);
    const t = tail(['--relay', relay.url, '--channel', 'public-replay', '--json', '--last-event-id', 'r-1']);
    const lines = await t.waitForLines(2);
    expect(lines.map((l) => (JSON.parse(l) as EventEnvelope).id)).toEqual(['r-2', 'r-3']);
    expect(t.stderr()).toContain('resuming after r-1');
  });

  it('with --secret it refreshes its own token before expiry and stays connected past it', async () => {
    const t = tail(['--relay', relay.url, '--secret', relay.secret, '--channel', 'private-refresh', '--token-ttl', '5', '--json']);
    await t.waitForStatus('connected');
    // Past the first token's expiry (5 s, 2 s of leeway): a client still on it would have been dropped.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    await publish(relay, [{ id: 'after-expiry', channel: 'private-refresh', type: 'still.here' }]);
    const [line] = await t.waitForLines(1);
    expect(JSON.parse(line ?? '{}')).toMatchObject({ id: 'after-expiry' });
    expect(t.stderr()).not.toContain('reconnect');
    expect(t.stderr()).not.toContain('disconnected');
  }, 20_000);

  it('a bad token: refused with one error line, exit 2; another secret: the same', async () => {
    const forged = mintToken({ secret: 'another-secret-that-is-long-enough-0000000', channels: ['private-x'], ttl: 60 });
    const bad = tail(['--relay', relay.url, '--token', forged, '--channel', 'private-x']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/^wp-realtime: tail: the relay refused the connection \(invalid_token: token signature is invalid/m);
    const wrongSecret = tail(['--relay', relay.url, '--secret', 'another-secret-that-is-long-enough-0000000']);
    expect(await wrongSecret.exited).toBe(2);
    expect(wrongSecret.stderr()).toContain('invalid_token');
  });

  it('a token that does not list the channel asked for: exit 2 naming the channel', async () => {
    const token = mintToken({ secret: relay.secret, channels: ['private-a'], ttl: 60 });
    const t = tail(['--relay', relay.url, '--token', token, '--channel', 'private-b']);
    expect(await t.exited).toBe(2);
    expect(t.stderr()).toContain('private-b');
  });

  it('stops (exit 0) when the reader of its stdout goes away', async () => {
    const t = tail(['--relay', relay.url, '--channel', 'public-pipe']);
    await t.waitForStatus('connected');
    t.child.stdout?.destroy();
    await publish(relay, [{ id: 'pipe-1', channel: 'public-pipe', type: 'a' }]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await publish(relay, [{ id: 'pipe-2', channel: 'public-pipe', type: 'b' }]);
    expect(await t.exited).toBe(0);
  });
});

/** A relay on Redis listens before its store is connected; /readyz says when it takes events. */
async function ready(relay: RelayProcess): Promise<RelayProcess> {
  const deadline = Date.now() + 10_000;
  while ((await fetch(`${relay.url}/readyz`)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`relay ${relay.url} not ready within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return relay;
}

describe('tail across a relay restart (history in Redis)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.dispose();
  });

  it('resumes after the relay restarts: what was published meanwhile arrives once, in order, then live events', async () => {
    const port = await freePort();
    const args = ['--port', String(port), '--redis', redis.url];
    let relay = await ready(await startRelayProcess(args));
    const others: RelayProcess[] = [];
    // A failing assertion must not leave these relays running after the test.
    onTestFinished(async () => {
      await Promise.all([relay.stop(), ...others.map((o) => o.stop())]);
    });
    const secret = relay.secret;
    const t = tail(['--relay', relay.url, '--secret', secret, '--channel', 'public', '--channel', 'private-restart', '--json']);
    await t.waitForStatus('connected');
    await publish(relay, [
      { id: 'e-1', type: 'a' },
      { id: 'e-2', channel: 'private-restart', type: 'b' },
    ]);
    await t.waitForLines(2);

    expect(await relay.stop()).toBe(0);
    await t.waitForStatus('disconnected');
    // While the restarted relay is not up yet, another relay on the same Redis takes the events.
    const other = await ready(await startRelayProcess(['--redis', redis.url], secret));
    others.push(other);
    await publish(other, [
      { id: 'e-3', type: 'c' },
      { id: 'e-4', channel: 'private-restart', type: 'd' },
      { id: 'skip', channel: 'private-elsewhere', type: 'x' },
      { id: 'e-5', type: 'e' },
    ]);
    relay = await ready(await startRelayProcess(args, secret));
    await t.waitForStatus('reconnected', 1, 20_000);
    await publish(relay, [{ id: 'e-6', channel: 'private-restart', type: 'f' }]);
    await t.waitForLines(6);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ids = t.stdoutLines().map((line) => (JSON.parse(line) as EventEnvelope).id);
    expect(ids).toEqual(['e-1', 'e-2', 'e-3', 'e-4', 'e-5', 'e-6']);
    expect(t.stderr()).toContain('resuming after e-2');
    expect(t.stderr()).not.toContain('no longer holds');
  }, 60_000);
});

describe('tail across a restart of an in-memory relay', () => {
  it('reconnects by itself and says on stderr that the events after its last one may be missing (history was lost)', async () => {
    const port = await freePort();
    let relay = await startRelayProcess(['--port', String(port)]);
    onTestFinished(async () => {
      await relay.stop();
    });
    const t = tail(['--relay', relay.url, '--json']);
    await t.waitForStatus('connected');
    await publish(relay, [{ id: 'm-1', type: 'a' }]);
    await t.waitForLines(1);
    await relay.stop();
    relay = await startRelayProcess(['--port', String(port)], relay.secret);
    await t.waitForStatus('reconnected', 1, 20_000);
    await t.waitForStatus('the relay no longer holds the events after m-1');
    await publish(relay, [{ id: 'm-2', type: 'b' }]);
    const lines = await t.waitForLines(2);
    expect(lines.map((l) => (JSON.parse(l) as EventEnvelope).id)).toEqual(['m-1', 'm-2']);
  }, 40_000);
});

describe('tail refuses bad input quickly', () => {
  let notRelay: Server;
  let notRelayUrl: string;
  beforeAll(async () => {
    // What a WordPress site answers for /healthz: an HTML 404.
    notRelay = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html; charset=UTF-8' }).end('<html>Not found</html>'));
    await new Promise<void>((resolve) => notRelay.listen(0, '127.0.0.1', resolve));
    notRelayUrl = `http://127.0.0.1:${(notRelay.address() as { port: number }).port}`;
  });
  afterAll(() => {
    notRelay.close();
  });

  const secret = 'tail-test-secret-that-is-long-enough-000';
  it.each([
    [['--secret', secret], 'no relay URL'],
    [['--relay', 'http://127.0.0.1:1', '--secret', secret, '--token', 'x'], 'not both'],
    [['--relay', 'http://127.0.0.1:1', '--channel', 'bad channel'], '--channel "bad channel"'],
    [['--relay', 'http://127.0.0.1:1', '--type', 'Bad'], '--type "Bad"'],
    [['--relay', 'http://127.0.0.1:1', '--last-event-id', 'a b'], '--last-event-id'],
    [['--relay', 'http://127.0.0.1:1', '--channel', 'private-x'], 'private'],
    [['--relay', 'http://127.0.0.1:1', '--secret', 'short'], 'secret'],
    [['--relay', 'http://127.0.0.1:1', '--bogus'], "unknown option '--bogus'"],
    [['--relay', 'ftp://x'], 'http'],
  ])('exits 2 for %j with one error line', async (args, mention) => {
    const result = await runCli(['tail', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(mention);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^wp-realtime: tail: /);
  });

  it('says at once that a URL is not a relay (exit 2), or cannot be reached (exit 1)', async () => {
    const started = Date.now();
    const wrong = await runCli(['tail', '--relay', notRelayUrl]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('is not a wp-realtime relay (GET /healthz answered 404 (text/html))');
    const down = await runCli(['tail', '--relay', `http://127.0.0.1:${await freePort()}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('could not reach the relay');
    expect(Date.now() - started).toBeLessThan(6_000);
  });
});

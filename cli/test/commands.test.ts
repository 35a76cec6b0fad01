/** The small commands through the real CLI binary: secret, token, emit, help and exit codes. */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyToken } from '../../protocol/index.js';
import { connect } from '../../relay/test/support/clients.js';
import { type RelayProcess, runCli, startRelayProcess } from '../../relay/test/support/relay-process.js';

describe('secret', () => {
  it('prints 32 random bytes as base64url, different each time', async () => {
    const [a, b] = await Promise.all([runCli(['secret']), runCli(['secret'])]);
    expect(a.code).toBe(0);
    expect(a.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.stdout.trim(), 'base64url')).toHaveLength(32);
    expect(a.stdout).not.toBe(b.stdout);
  });
});

describe('token', () => {
  const secret = 'cli-test-secret-that-is-long-enough-0000';

  it('prints a token the relay verifies, with the given user, channels and ttl', async () => {
    const result = await runCli(['token', '--secret', secret, '--user', '7', '--channels', 'public,private-user-7', '--ttl', '120']);
    expect(result.code).toBe(0);
    const verified = verifyToken(result.stdout.trim(), secret);
    expect(verified.ok).toBe(true);
    if (verified.ok) {
      expect(verified.claims.sub).toBe('7');
      expect(verified.claims.ch).toEqual(['public', 'private-user-7']);
      expect(verified.claims.exp - verified.claims.iat).toBe(120);
    }
  });

  it('mints a presence token carrying --name and --avatar as the member info', async () => {
    const result = await runCli(['token', '--secret', secret, '--user', '7', '--channels', 'public,presence-post-1', '--name', 'Ana B', '--avatar', 'https://example.com/a.png']);
    expect(result.code).toBe(0);
    const verified = verifyToken(result.stdout.trim(), secret);
    expect(verified.ok && verified.claims.info).toEqual({ name: 'Ana B', avatar: 'https://example.com/a.png' });
  });

  it.each([
    [['token', '--secret', secret, '--user', '7', '--channels', 'presence-x'], 'needs member info'],
    [['token', '--secret', secret, '--channels', 'presence-x', '--name', 'Guest'], 'anonymous'],
    [['token', '--secret', secret, '--user', '7', '--avatar', 'https://example.com/a.png'], '--avatar needs --name'],
    [['token', '--secret', secret, '--user', '7', '--name', 'A', '--avatar', 'javascript:x'], 'info.avatar'],
    [['token'], 'secret'],
    [['token', '--secret', secret, '--ttl', '3601'], '--ttl'],
    [['token', '--secret', secret, '--channels', 'ok,not ok'], 'not ok'],
    [['token', '--secret', secret, '--user', 'a b'], '--user'],
  ])('exits 2 for %j', async (args, mention) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(mention);
  });
});

describe('emit', () => {
  let relay: RelayProcess;
  beforeAll(async () => {
    relay = await startRelayProcess();
  });
  afterAll(async () => {
    await relay.stop();
  });

  it('signs and posts one event that reaches a client; prints the response; exit 0', async () => {
    const client = await connect(relay.url);
    const result = await runCli(['emit', '--relay', relay.url, '--secret', relay.secret, '--type', 'cli.test', '--data', '{"n":1}', '--id', 'cli-1']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ accepted: 1, ids: ['cli-1'] });
    const [event] = await client.waitFor(1);
    expect(event).toMatchObject({ id: 'cli-1', type: 'cli.test', data: { n: 1 }, channel: 'public' });
    client.close();
  });

  it('reads the relay URL and secret from the environment', async () => {
    const result = await runCli(['emit', '--type', 'env.test'], { WP_REALTIME_RELAY_URL: relay.url, WP_REALTIME_SECRET: relay.secret });
    expect(result.code).toBe(0);
  });

  it.each([
    [['--type', 'x'], 'relay URL'],
    [['--relay', 'ftp://x', '--type', 'x'], 'http'],
    [['--data', '{}'], '--type'],
    [['--type', 'Bad Type'], '--type'],
    [['--type', 'x', '--data', '{oops'], '--data is not valid JSON'],
    [['--type', 'x', '--data', '[1]'], '--data'],
  ])('exits 2 without sending for %j', async (args, mention) => {
    const base = args.includes('--relay') || mention === 'relay URL' ? [] : ['--relay', relay.url];
    const result = await runCli(['emit', ...base, '--secret', relay.secret, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(mention);
  });

  it('exits 2 when the relay refuses the signature, and 1 when the relay is unreachable', async () => {
    const refused = await runCli(['emit', '--relay', relay.url, '--secret', 'wrong-secret-that-is-long-enough-000000', '--type', 'x']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('401');
    const down = await runCli(['emit', '--relay', 'http://127.0.0.1:9', '--secret', relay.secret, '--type', 'x']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('could not reach the relay');
  });

  it('says within seconds, in one line, that a WordPress URL is not a relay (it answers slowly, with HTML)', async () => {
    let posted = false;
    // Like a site's 404 page, slow to render: the probe gives up on /healthz long before the POST timeout (10 s).
    const site = createServer((req, res) => {
      if (req.method === 'POST') posted = true;
      setTimeout(() => res.writeHead(404, { 'content-type': 'text/html; charset=UTF-8' }).end('<!doctype html><title>Page not found</title>'), req.url === '/healthz' ? 5_000 : 0);
    });
    const fastSite = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"WordPress"}'));
    await Promise.all([site, fastSite].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
    const urlOf = (s: typeof site): string => `http://127.0.0.1:${(s.address() as { port: number }).port}`;
    try {
      const started = Date.now();
      const slow = await runCli(['emit', '--relay', urlOf(site), '--secret', relay.secret, '--type', 'x']);
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(slow.code).toBe(2);
      expect(slow.stderr).toMatch(/^wp-realtime: emit: http:\/\/127\.0\.0\.1:\d+ is not a wp-realtime relay \(GET \/healthz got no answer within 3 s\); pass the relay's URL/);
      expect(slow.stderr.trim().split('\n')).toHaveLength(1);
      const json = await runCli(['emit', '--relay', urlOf(fastSite), '--secret', relay.secret, '--type', 'x']);
      expect(json.code).toBe(2);
      expect(json.stderr).toContain('is not a wp-realtime relay (GET /healthz answered 200 (application/json))');
      expect(posted).toBe(false);
    } finally {
      site.closeAllConnections();
      site.close();
      fastSite.close();
    }
  });
});

describe('relay output', () => {
  it.each([['info'], ['warn']])('at --log-level %s every stdout line is a JSON log line, "relay listening on <url>" included', async (level) => {
    const relay = await startRelayProcess(['--log-level', level]);
    expect(await relay.stop('SIGINT')).toBe(0);
    const lines = relay.output().split('\n').filter(Boolean);
    const parsed = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
    const listening = parsed.find((entry) => entry['msg'] === `relay listening on ${relay.url}`);
    expect(listening).toMatchObject({ level: 30, service: 'wp-realtime-relay', url: relay.url });
    if (level === 'info') expect(parsed.map((entry) => entry['msg'])).toContain('relay stopped');
  });
});

describe('usage', () => {
  it('prints help with exit 0 and exits 2 on an unknown command or option', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('relay');
    expect((await runCli(['nope'])).code).toBe(2);
    expect((await runCli(['relay', '--bogus'])).code).toBe(2);
  });

  it('starts every error line the same way, whether commander or the command found the problem', async () => {
    const lines = await Promise.all([
      runCli(['relay', '--bogus']),
      runCli(['token', '--secret', 'x'.repeat(40), '--ttl', 'soon']),
      runCli(['emit', '--type', 'x']),
      runCli(['nope']),
    ]);
    const stderr = lines.map((r) => r.stderr);
    expect(stderr[0]).toBe("wp-realtime: relay: unknown option '--bogus' (see `wp-realtime relay --help`)\n");
    expect(stderr[1]).toMatch(/^wp-realtime: token: option '--ttl <seconds>' argument 'soon' is invalid\..*\n$/);
    expect(stderr[2]).toMatch(/^wp-realtime: emit: no relay URL.*\n$/);
    expect(stderr[3]).toBe("wp-realtime: unknown command 'nope' (see `wp-realtime --help`)\n");
    for (const text of stderr) expect(text.trim().split('\n')).toHaveLength(1);
  });
});

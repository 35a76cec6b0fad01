/**
 * The real stacks as the harness runs them: workers as www-data, nginx keeping the port in WordPress's redirects,
 * and nothing left running when the harness is killed outright (parent-death signal) — the next start on the same
 * instance then works. Skipped with a notice where the servers are not installed (CI installs them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARIADB_SERVER } from '../mariadb.js';
import { packageRoot } from '../package-root.js';
import { freePort, portAnswers } from '../ports.js';
import { missingForServer } from '../web-servers.js';

const root = packageRoot();
const runnable = process.getuid?.() === 0 && missingForServer('nginx').missing.length === 0 && existsSync(MARIADB_SERVER) && existsSync(join(root, 'dist', 'stack', 'wordpress.js'));
if (!runnable) console.warn('SKIPPED stack/test/real-stack.test.ts: needs root, nginx, php-fpm, mariadb-server and a build (npm run build:ts)');

/** Processes whose command line mentions this directory, with their real uid. */
function processesUnder(dir: string): { pid: number; uid: number; cmd: string }[] {
  const found: { pid: number; uid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!cmd.includes(dir) || cmd.includes('start-stack.mjs')) continue;
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
      found.push({ pid: Number(entry), uid, cmd });
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

function startHarness(projectDir: string, port: number): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [join(root, 'stack', 'test', 'start-stack.mjs'), root, projectDir, 'nginx', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /READY (\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`harness exited (${code}) before READY:\n${output.slice(-3000)}`)));
  });
  return { child, url };
}

async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe.skipIf(!runnable)('real stack (nginx + php-fpm + MariaDB)', () => {
  let projectDir = '';
  const harnesses: ChildProcess[] = [];
  beforeAll(async () => {
    projectDir = await mkdtemp(join(tmpdir(), 'wp-realtime-stack-'));
    // mkdtemp makes it 0700; the web server's user must be able to enter it.
    await chmod(projectDir, 0o755);
    await writeFile(join(projectDir, '.wp-env.json'), JSON.stringify({ plugins: [], config: {} }));
  });
  afterAll(async () => {
    // A failed assertion must not leave a stack running: SIGTERM makes a harness stop its servers.
    for (const child of harnesses.filter((c) => c.exitCode === null && c.signalCode === null)) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    if (projectDir) await rm(projectDir, { recursive: true, force: true });
  });

  it('runs workers as www-data, keeps the port in redirects, and leaves nothing behind when the harness is killed', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const stateDir = join(projectDir, '.wp-realtime', 'stacktest', 'stack');

    const first = startHarness(projectDir, port);
    harnesses.push(first.child);
    const url = await first.url;
    const running = processesUnder(stateDir);
    const nginx = running.filter((p) => p.cmd.includes('nginx'));
    const fpm = running.filter((p) => p.cmd.includes('php-fpm'));
    expect(running.some((p) => p.cmd.includes('mariadbd'))).toBe(true);
    // nginx's workers show as "nginx: worker process" (no path), so count the master here and the uids below.
    expect(nginx.length).toBeGreaterThan(0);
    expect(fpm.length).toBeGreaterThan(0);
    const wwwData = Number(/^www-data:x:(\d+)/m.exec(readFileSync('/etc/passwd', 'utf8'))?.[1]);
    const workers = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map((pid) => {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        return { ppid: Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]), uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) };
      } catch {
        return null;
      }
    }).filter((p) => p && [...nginx, ...fpm].some((m) => m.pid === p.ppid));
    expect(workers.length).toBeGreaterThan(0);
    expect(workers.every((w) => w?.uid === wwwData)).toBe(true);

    // WordPress redirects to its login with the port kept (Debian's fastcgi_params alone would drop it).
    const redirect = await fetch(`${url}/wp-admin/`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toMatch(new RegExp(`^http://localhost:${port}/wp-login\\.php`));

    // Killed outright: no cleanup code runs, the parent-death signal must end every server.
    first.child.kill('SIGKILL');
    expect(await waitUntil(async () => !(await portAnswers(port)) && processesUnder(stateDir).length === 0, 30_000)).toBe(true);

    // The next start on the same instance works, and a normal stop frees everything.
    const second = startHarness(projectDir, port);
    harnesses.push(second.child);
    const again = await second.url;
    expect((await fetch(`${again}/wp-login.php`)).status).toBe(200);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
    expect(await portAnswers(port)).toBe(false);
    expect(processesUnder(stateDir)).toEqual([]);
  });
});

/** Runs the built CLI as a real process and inspects what it left on disk. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(REPO_ROOT, 'bin/wp-realtime.js');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function assertBuilt(): void {
  if (!existsSync(join(REPO_ROOT, 'dist/cli/commands/scaffold.js'))) {
    throw new Error('the CLI is not built: run `npm run build:ts` before these tests');
  }
}

export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): RunResult {
  // The caller's own WP_REALTIME_RELAY_URL must not leak into the plugins under test.
  const { WP_REALTIME_RELAY_URL: _ignored, ...inherited } = process.env;
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...inherited, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `wprt-${label}-`));
}

/** Every file under dir, relative, sorted. */
export function listTree(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((name) => {
      const full = join(dir, name);
      const rel = prefix ? `${prefix}/${name}` : name;
      return statSync(full).isDirectory() ? [`${rel}/`, ...listTree(full, rel)] : [rel];
    })
    .sort();
}

/** path → contents of every file under dir. */
export function readTree(dir: string): Map<string, Buffer> {
  return new Map(listTree(dir).filter((p) => !p.endsWith('/')).map((p) => [p, readFileSync(join(dir, p))]));
}

export function phpFiles(dir: string): string[] {
  return listTree(dir).filter((p) => p.endsWith('.php'));
}

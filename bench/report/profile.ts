/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time per function and per package,
 * as shares of the profiled wall time. Idle time ("(idle)", "(program)") stays in, so shares are of the whole run.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  selfPercent: number;
}

function location(url: string): { file: string; owner: string } {
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
  if (pkg) return { file: path.slice(path.lastIndexOf('node_modules/') + 13), owner: pkg };
  if (path.startsWith('node:') || path === '') return { file: path || '(native)', owner: path ? 'node core' : '(native/V8)' };
  const project = /\/dist\/([^/]+)\//.exec(path)?.[1];
  return { file: path.replace(/^.*\/dist\//, ''), owner: project ? `wp-realtime ${project}/` : path };
}

function topShares(totals: Map<string, number>, all: number, limit: number): ProfileShare[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, time]) => ({ name, selfPercent: Math.round((time / all) * 1000) / 10 }));
}

export function summarizeProfile(file: string, limit = 20): { byFunction: ProfileShare[]; byOwner: ProfileShare[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, number>();
  const owners = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    if (!node) return;
    all += delta;
    const { file: where, owner } = location(node.callFrame.url);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${where}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + delta);
    const ownerName = node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : owner;
    owners.set(ownerName, (owners.get(ownerName) ?? 0) + delta);
  });
  return { byFunction: topShares(functions, all, limit), byOwner: topShares(owners, all, limit) };
}

// `node dist/bench/report/profile.js <file.cpuprofile>` prints the summary.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'))) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/bench/report/profile.js <file.cpuprofile>\n');
    process.exit(2);
  }
  const summary = summarizeProfile(file, 30);
  process.stdout.write(`self time by owner:\n${summary.byOwner.map((s) => `  ${s.selfPercent.toFixed(1).padStart(5)}%  ${s.name}`).join('\n')}\n`);
  process.stdout.write(`self time by function:\n${summary.byFunction.map((s) => `  ${s.selfPercent.toFixed(1).padStart(5)}%  ${s.name}`).join('\n')}\n`);
}

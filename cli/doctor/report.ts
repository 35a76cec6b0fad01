/** The doctor's findings and how they are shown: a plain table for people, JSON for scripts. */
export type Verdict = 'ok' | 'warn' | 'fail' | 'skip';

export interface Finding {
  check: string;
  verdict: Verdict;
  detail: string;
}

const MARKS: Record<Verdict, string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

export function renderTable(findings: Finding[]): string {
  const checkWidth = Math.max(5, ...findings.map((f) => f.check.length));
  const lines = [`${'check'.padEnd(checkWidth)}  result  detail`, `${'-'.repeat(checkWidth)}  ------  ------`];
  for (const f of findings) lines.push(`${f.check.padEnd(checkWidth)}  ${MARKS[f.verdict].padEnd(6)}  ${f.detail}`);
  const failed = findings.filter((f) => f.verdict === 'fail').length;
  const warned = findings.filter((f) => f.verdict === 'warn').length;
  lines.push('', failed === 0 ? `all checks passed${warned ? ` (${warned} warning${warned > 1 ? 's' : ''})` : ''}` : `${failed} check${failed > 1 ? 's' : ''} failed`);
  return `${lines.join('\n')}\n`;
}

export function hasFailure(findings: Finding[]): boolean {
  return findings.some((f) => f.verdict === 'fail');
}

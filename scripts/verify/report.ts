// How a verify report is shown: a table with one line per check and a verdict, or JSON.
import { renderTable, style } from '../lib/cli.ts';
import type { CheckStatus, VerifyReport } from './types.ts';

const paint: Record<CheckStatus, (s: string) => string> = {
  PASS: (s) => style.ok(s),
  FAIL: (s) => style.fail(s),
  WARN: (s) => style.warn(s),
  SKIP: (s) => style.dim(s),
};

/** The JSON document `--json` prints: `{ url, verdict, checks: [{ id, title, status, detail }] }`. */
export function reportJson(report: VerifyReport): object {
  return {
    url: report.url,
    verdict: report.verdict,
    ...(report.unreachable ? { error: report.unreachable } : {}),
    checks: report.checks.map(({ id, title, status, detail }) => ({ id, title, status, detail })),
  };
}

export function countByStatus(report: VerifyReport): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { PASS: 0, FAIL: 0, WARN: 0, SKIP: 0 };
  for (const check of report.checks) counts[check.status] += 1;
  return counts;
}

export function reportTable(report: VerifyReport): string {
  const rows = report.checks.map((c) => [c.id, c.title, paint[c.status](c.status), c.detail]);
  const table = renderTable(['id', 'title', 'status', 'detail'], rows);
  const counts = countByStatus(report);
  const summary = `${counts.PASS} passed, ${counts.FAIL} failed, ${counts.WARN} warnings, ${counts.SKIP} skipped in ${(report.durationMs / 1000).toFixed(1)} s`;
  const verdict = report.unreachable
    ? style.fail(`UNREACHABLE: ${report.unreachable}`)
    : report.verdict === 'pass'
      ? style.ok(`PASS: ${report.url} (${summary})`)
      : style.fail(`FAIL: ${report.url} (${summary})`);
  return `${table}\n\n${verdict}\n`;
}

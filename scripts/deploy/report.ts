// How a finished deployment is shown to a person (stdout); --json prints the outcome itself.
import { style } from '../lib/cli.ts';
import { formatDuration } from './duration.ts';
import type { DeployOutcome } from './flow.ts';
import { appliedLines } from './applied.ts';
import { drainSummary } from './bridge-drain.ts';

export function deploySummary(outcome: DeployOutcome, extra: [string, string][] = []): string {
  const lines: string[] = [];
  const headline = outcome.ok
    ? outcome.verify
      ? style.ok(`✓ ${outcome.stack} deployed and verified`)
      : style.ok(`✓ ${outcome.stack} deployed`)
    : style.fail(`✗ ${outcome.stack}: ${outcome.failure ?? 'failed'}`);
  lines.push(headline);
  const rows: [string, string][] = [['url', outcome.url]];
  const d = outcome.deployed;
  if (d.publicIp) rows.push(['public IP', d.publicIp]);
  if (d.region) rows.push(['region', d.region]);
  if (d.cloud && d.cloud !== 'aws') {
    rows.push(['cloud', d.cloud === 'hetzner' ? 'Hetzner Cloud' : 'OpenStack']);
    if (d.instanceId) rows.push(['signaling server', d.instanceId]);
    if (d.bridgeServerIds?.length) rows.push(['bridge servers', d.bridgeServerIds.join(', ')]);
  }
  if (outcome.drained?.ok) rows.push(['drained first', `${drainSummary(outcome.drained)} (${formatDuration(outcome.drained.waitedMs)})`]);
  if (outcome.accounts) {
    const names = outcome.accounts.names.join(', ');
    rows.push(['accounts', outcome.accounts.restored ? `${names} carried over to the new signaling node` : `${names} not carried over: ${outcome.accounts.detail}`]);
  }
  rows.push(...extra);
  if (d.ssmShellCommand) rows.push(['shell on the host', d.ssmShellCommand]);
  if (d.hostAccountParameter) rows.push(['host account', hostAccountCommand(d.hostAccountParameter, d.region ?? outcome.region)]);
  if (d.hourlyCostEur !== undefined) rows.push(['estimated cost', `€${d.hourlyCostEur.toFixed(2)} per hour while it runs`]);
  if (outcome.waits.length) rows.push(['waited', outcome.waits.map((w) => `${w.id} ${w.ok ? formatDuration(w.elapsedMs) : w.final ? 'failed' : 'timed out'}`).join(', ')]);
  if (outcome.verify) {
    const counts = new Map<string, number>();
    for (const check of outcome.verify.checks) counts.set(check.status, (counts.get(check.status) ?? 0) + 1);
    rows.push(['verification', `${outcome.verify.verdict} (${[...counts].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ')})`]);
    if (outcome.verify.unreachable) rows.push(['  unreachable', outcome.verify.unreachable]);
    for (const check of outcome.verify.checks.filter((c) => c.status === 'FAIL')) rows.push(['  failed', `${check.id}: ${check.title}: ${check.detail}`]);
  } else if (outcome.verifySkipped) {
    rows.push(['verification', outcome.verifySkipped]);
  }
  for (const [i, line] of appliedLines(outcome.applied ?? []).entries()) rows.push([i === 0 ? 'configuration' : '', line]);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [key, value] of rows) lines.push(`  ${key.padEnd(width)}  ${value}`);
  if (outcome.hints?.length) lines.push('  where to look next:', ...outcome.hints.map((h) => `    ${h}`));
  return `${lines.join('\n')}\n`;
}

/** Prints the host account's password (and nothing else) for the operator to copy. */
export function hostAccountCommand(parameter: string, region: string): string {
  return `aws ssm get-parameter --name ${parameter} --with-decryption --region ${region} --query Parameter.Value --output text`;
}

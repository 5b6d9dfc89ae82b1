// The human form of a status report: a few lines and one table, problems last.
import { formatDuration } from '../deploy/duration.ts';
import { renderTable, style } from '../lib/cli.ts';
import type { HostStatus, StatusReport } from './types.ts';

const day = (iso: string): string => iso.slice(0, 10);
const minute = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
const eur = (value: number): string => `€${value.toFixed(2)}`;

function hostRow(host: HostStatus, report: StatusReport): string[] {
  const answered = host.answer === 'answered';
  const version = (name: string) => host.packages.find((p) => p.name === name)?.version ?? (answered ? '-' : '?');
  const jitsi = host.role === 'signaling' ? version('jitsi-meet') : version('jitsi-videobridge2');
  const expected = report.expectedRevisions[host.role];
  const revision = !answered ? '?' : host.revision === undefined ? 'unknown' : host.revision === expected ? `${host.revision} ✓` : `${host.revision} ≠ ${expected}`;
  const load = host.bridge ? `${host.bridge.conferences} / ${host.bridge.participants}${host.bridge.shuttingDown ? ' (draining)' : ''}` : host.focus ? `${host.focus.conferences} / ${host.focus.participants} (jicofo)` : answered ? '-' : '?';
  const state = host.lifecycleState && host.lifecycleState !== 'InService' ? `${host.state}, ${host.lifecycleState}` : host.state;
  const answer = answered ? 'yes' : host.answer === 'failed' ? 'failed' : 'no';
  return [host.instanceId, host.role, state, answer, jitsi, revision, load, eur(host.costSoFarEur)];
}

export function statusText(report: StatusReport): string {
  const lines: string[] = [];
  lines.push(`Stack ${report.stack} (${report.region}, ${report.topology}): https://${report.domain}/ — checked ${minute(report.checkedAt)}`);
  lines.push(`Jitsi release pinned: ${report.versions.release} (jitsi-meet ${report.versions.expectedPackage})`);
  lines.push('');
  if (report.hosts.length > 0) {
    lines.push(renderTable(['instance', 'role', 'state', 'answered', 'jitsi version', 'revision', 'conferences / participants', 'cost this month'], report.hosts.map((h) => hostRow(h, report))));
  } else {
    lines.push('No instances.');
  }
  lines.push('');
  const group = report.bridgeGroup;
  if (group) {
    const operational = report.hosts.find((h) => h.role === 'signaling')?.focus?.operationalBridges;
    const usable = operational === undefined ? '' : `; jicofo uses ${operational}`;
    lines.push(`Bridges: ${group.inService} in service, ${group.draining} draining, ${group.starting} starting; desired ${group.desired} (min ${group.min}, max ${group.max}) in ${group.name}${usable}`);
  }
  const c = report.conferences;
  lines.push(c.source === 'none' ? 'Conferences now: unknown (no statistics answered)' : `Conferences now: ${c.conferences}, participants: ${c.participants} (from the ${c.source})`);
  const cert = report.certificate;
  const certParts = [
    cert.hostNotAfter ? `on the host until ${day(cert.hostNotAfter)}` : 'on the host: unknown',
    cert.publicNotAfter ? `served until ${day(cert.publicNotAfter)}${cert.publicTrusted === false ? ' (not trusted)' : ''}` : 'served: unknown',
  ];
  lines.push(`Certificate of ${cert.domain}: ${certParts.join(', ')}${cert.daysLeft !== undefined ? `; ${cert.daysLeft} days left` : ''}`);
  if (report.sandbox) {
    const left = report.sandbox.timeLeftMs;
    lines.push(`Sandbox: expires ${minute(report.sandbox.expiresAt)} (${left > 0 ? `${formatDuration(left)} left` : `expired ${formatDuration(-left)} ago`})`);
  }
  lines.push(`Cost this month so far: ${eur(report.cost.totalEur)} since ${day(report.cost.since)} (compute, public IPv4, root volumes; egress not included)`);
  for (const note of report.notes) lines.push(`${style.dim('note:')} ${note}`);
  lines.push('');
  if (report.problems.length === 0) {
    lines.push(`${style.ok('✓')} every host answered and runs what the stack says`);
  } else {
    for (const problem of report.problems) {
      lines.push(`${style.fail('✗')} ${problem.message}`);
      if (problem.hint) lines.push(`    ${problem.hint}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

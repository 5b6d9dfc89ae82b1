// status on Hetzner Cloud and OpenStack: the stack's servers as the provider reports them, and the
// public certificate. These clouds have no channel to run a command on a host without opening a
// port (AWS has SSM Run Command), so package versions, statistics and the configuration revision
// are not read: the report says so instead of guessing.
import { jitsiMetapackageVersion } from '../../infra/privacy/upstream.ts';
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import { formatDuration } from '../deploy/duration.ts';
import { renderTable, style } from '../lib/cli.ts';
import { cloudCost, type CloudCostStatus } from './cloud-cost.ts';
import type { PublicCertificate } from './public-certificate.ts';
import type { CertificateStatus, Problem, SandboxStatus, VersionStatus } from './types.ts';
import { CERTIFICATE_WARNING_DAYS, daysUntil } from './verdicts.ts';

export interface CloudServer {
  id: string;
  name: string;
  role: 'signaling' | 'bridge' | 'unknown';
  /** The provider's word for the server's state (Hetzner `running`, OpenStack `ACTIVE`, ...). */
  state: string;
  running: boolean;
  publicIpv4?: string;
  privateIps: string[];
  /** Hetzner server type or OpenStack flavor. */
  serverType: string;
  /** Hetzner datacenter or OpenStack availability zone. */
  location: string;
  created: string;
  /** From the expiry label or tag, for sandboxes. */
  expiresAt?: string;
  /** Ids of the block-storage volumes attached to it. */
  volumes: string[];
  /** Other facts the provider reports (task state, applied firewalls, ...). */
  provider: Record<string, string>;
}

/** A public IPv4 address the stack pays for (Hetzner Primary IPv4, OpenStack floating IP). */
export interface PublicAddress {
  ip: string;
  /** When it was made, when the provider says. */
  created?: string;
  assigned: boolean;
}

/** What status reads of a stack from the provider's API. */
export interface StackResources {
  servers: CloudServer[];
  addresses: PublicAddress[];
}

export interface CloudStatusReport {
  stack: string;
  cloud: Exclude<Cloud, 'aws'>;
  region: string;
  domain: string;
  topology: string;
  checkedAt: string;
  versions: VersionStatus;
  servers: CloudServer[];
  certificate: CertificateStatus;
  sandbox?: SandboxStatus;
  cost: CloudCostStatus;
  notes: string[];
  problems: Problem[];
}

export const NO_HOST_CHANNEL_NOTE =
  'package versions, conference statistics and the configuration revision of each host are not read: this cloud offers no channel to run a command on a host without opening a port (AWS has SSM Run Command); the public certificate is checked from outside';

const LABEL_WORD: Record<Exclude<Cloud, 'aws'>, string> = { hetzner: 'labelled jitsi-eu/stack', openstack: 'tagged jitsi-eu:stack' };

export function cloudStatusReport(spec: DeploymentSpec & { cloud: Exclude<Cloud, 'aws'> }, region: string, { servers, addresses }: StackResources, publicCertificate: PublicCertificate, now: Date): CloudStatusReport {
  const problems: Problem[] = [];
  const sorted = [...servers].sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === 'signaling' ? -1 : b.role === 'signaling' ? 1 : a.role.localeCompare(b.role)));
  if (sorted.length === 0) {
    problems.push({ message: `no server in ${region} is ${LABEL_WORD[spec.cloud]}=${spec.stack}`, hint: `is the stack deployed? npm run deploy -- --stack ${spec.stack}` });
  } else if (!sorted.some((s) => s.role === 'signaling')) {
    problems.push({ message: 'the stack has no signaling server', hint: `npm run deploy -- --stack ${spec.stack} brings it back` });
  }
  for (const server of sorted) if (!server.running) problems.push({ message: `${server.role} ${server.name} is ${server.state}` });
  const wanted = spec.topology === 'scalable' ? (spec.bridges?.min ?? 0) : 0;
  const bridges = sorted.filter((s) => s.role === 'bridge' && s.running).length;
  if (bridges < wanted) {
    problems.push({ message: `${bridges} bridge server${bridges === 1 ? ' runs' : 's run'}; the stack has a pool of ${wanted}`, hint: `npm run deploy -- --stack ${spec.stack} replaces the missing ones (no autoscaler on this cloud)` });
  }

  const certificate: CertificateStatus = {
    domain: spec.domain,
    ...(publicCertificate.notAfter ? { publicNotAfter: publicCertificate.notAfter, daysLeft: daysUntil(publicCertificate.notAfter, now) } : {}),
    ...(publicCertificate.trusted !== undefined ? { publicTrusted: publicCertificate.trusted } : {}),
    ...(publicCertificate.error ? { publicError: publicCertificate.error } : {}),
  };
  if (certificate.daysLeft !== undefined && certificate.daysLeft < CERTIFICATE_WARNING_DAYS) {
    problems.push({ message: certificate.daysLeft < 0 ? `the certificate of ${spec.domain} expired ${-certificate.daysLeft} days ago` : `the certificate of ${spec.domain} expires in ${certificate.daysLeft} days` });
  }
  if (certificate.publicError) problems.push({ message: certificate.publicError });
  if (certificate.publicTrusted === false && spec.tls === 'letsencrypt') {
    problems.push({ message: `the certificate ${spec.domain} serves is not trusted by the system's roots`, hint: 'a self-signed stand-in is still in place: the ACME request has not succeeded yet' });
  }
  const sandbox = spec.expiresAt ? { expiresAt: spec.expiresAt, timeLeftMs: Date.parse(spec.expiresAt) - now.getTime() } : undefined;
  if (sandbox && sandbox.timeLeftMs <= 0) problems.push({ message: `the sandbox expired ${formatDuration(-sandbox.timeLeftMs)} ago and still runs`, hint: 'npm run sandbox -- reap removes expired sandboxes' });

  return {
    stack: spec.stack,
    cloud: spec.cloud,
    region,
    domain: spec.domain,
    topology: spec.topology,
    checkedAt: now.toISOString(),
    versions: { release: spec.jitsiVersion, expectedPackage: jitsiMetapackageVersion(spec.jitsiVersion) },
    servers: sorted,
    certificate,
    ...(sandbox ? { sandbox } : {}),
    cost: cloudCost(spec, region, sorted, addresses, now),
    notes: [NO_HOST_CHANNEL_NOTE],
    problems,
  };
}

const minute = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
const CLOUD_NAME: Record<Exclude<Cloud, 'aws'>, string> = { hetzner: 'Hetzner Cloud', openstack: 'OpenStack' };

const eur = (value: number): string => `€${value.toFixed(2)}`;

function costText(cost: CloudCostStatus): string[] {
  const lines = [
    `Cost this month so far: ${eur(cost.soFarEur)} since ${cost.since.slice(0, 10)}; a full month of what exists now: ${eur(cost.monthlyEur)} (${cost.priceList}, recorded ${cost.pricesRecordedOn}${cost.unpriced.length ? `; ${cost.unpriced.length} not priced, below` : ''})`,
    ...cost.lines.map((l) => `  ${l.quantity} × ${l.description} at ${eur(l.unitMonthlyEur)} a month: ${eur(l.monthlyEur)} a month, ${eur(l.soFarEur)} so far`),
  ];
  for (const item of cost.unpriced) lines.push(`  not priced: ${item}`);
  for (const note of cost.notes) lines.push(`  ${style.dim('cost note:')} ${note}`);
  return lines;
}

export function cloudStatusText(report: CloudStatusReport): string {
  const lines = [
    `Stack ${report.stack} (${CLOUD_NAME[report.cloud]} ${report.region}, ${report.topology}): https://${report.domain}/ — checked ${minute(report.checkedAt)}`,
    `Jitsi release pinned: ${report.versions.release} (jitsi-meet ${report.versions.expectedPackage})`,
    '',
  ];
  if (report.servers.length > 0) {
    lines.push(
      renderTable(
        ['server', 'role', 'state', 'public IPv4', 'private', 'type', 'location', 'created', 'expires', 'provider reports'],
        report.servers.map((s) => [
          `${s.name} (${s.id})`,
          s.role,
          s.state,
          s.publicIpv4 ?? '-',
          s.privateIps.join(' ') || '-',
          s.serverType,
          s.location,
          minute(s.created),
          s.expiresAt ? minute(s.expiresAt) : '-',
          Object.entries(s.provider).map(([k, v]) => `${k}: ${v}`).join('; '),
        ]),
      ),
    );
  } else {
    lines.push('No servers.');
  }
  lines.push('');
  const cert = report.certificate;
  lines.push(`Certificate of ${cert.domain}: ${cert.publicNotAfter ? `served until ${cert.publicNotAfter.slice(0, 10)}${cert.publicTrusted === false ? ' (not trusted)' : ''}; ${cert.daysLeft} days left` : 'served: unknown'}`);
  if (report.sandbox) {
    const left = report.sandbox.timeLeftMs;
    lines.push(`Sandbox: expires ${minute(report.sandbox.expiresAt)} (${left > 0 ? `${formatDuration(left)} left` : `expired ${formatDuration(-left)} ago`})`);
  }
  lines.push(...costText(report.cost));
  for (const note of report.notes) lines.push(`${style.dim('note:')} ${note}`);
  lines.push('');
  if (report.problems.length === 0) lines.push(`${style.ok('✓')} every server of the stack runs and the certificate is in order`);
  for (const problem of report.problems) {
    lines.push(`${style.fail('✗')} ${problem.message}`);
    if (problem.hint) lines.push(`    ${problem.hint}`);
  }
  return `${lines.join('\n')}\n`;
}

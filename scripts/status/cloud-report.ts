// status on Hetzner Cloud and OpenStack: the stack's servers as the provider reports them, the
// public certificate, and what the signaling node answers through the stack's channel to the same
// probe AWS hosts answer through SSM (packages, jicofo's statistics, its certificate, the
// configuration revision, and jicofo's view of its bridges), judged by the same rules. The bridges
// have no channel: what the report says of them is jicofo's view, never a guess.
import { jitsiMetapackageVersion } from '../../infra/privacy/upstream.ts';
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import { formatDuration } from '../deploy/duration.ts';
import { renderTable, style } from '../lib/cli.ts';
import { cloudCost, type CloudCostStatus } from './cloud-cost.ts';
import type { HostAnswer } from '../lib/host-commands.ts';
import type { JicofoBridge } from '../lib/jicofo-bridges.ts';
import { conferencesFrom, readProbeAnswer, type ProbedFacts } from './host-facts.ts';
import type { PublicCertificate } from './public-certificate.ts';
import { REVISION_FILE } from './revision.ts';
import type { AnswerState, CertificateStatus, Problem, SandboxStatus, StatusReport, VersionStatus } from './types.ts';
import { certificateProblems, daysUntil, hostProblems } from './verdicts.ts';

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

/** What the signaling node answered through the channel. */
export interface SignalingNodeStatus extends ProbedFacts {
  /** The server's name and id at the provider. */
  name: string;
  id: string;
  answer: AnswerState;
  /** Why it was not read, and what to do. */
  answerDetail?: string;
  /** The configuration revision the stack renders for the signaling node now. */
  expectedRevision: string;
}

/** The signaling node's answer to the status probe, and the revision it should run. */
export interface SignalingProbe {
  answer: HostAnswer;
  expectedRevision: string;
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
  /** Absent when the stack has no signaling server. */
  signalingNode?: SignalingNodeStatus;
  conferences: StatusReport['conferences'];
  certificate: CertificateStatus;
  sandbox?: SandboxStatus;
  cost: CloudCostStatus;
  notes: string[];
  problems: Problem[];
}

export const BRIDGES_NO_CHANNEL_NOTE =
  "the bridges have no channel: their package versions and configuration revision are not read; the jicofo column is jicofo's view of each from the signaling node (in its pool, draining, participants placed there)";

/** What jicofo says of a bridge server, for the table. */
export function jicofoWord(server: Pick<CloudServer, 'id' | 'role'>, bridges: Record<string, JicofoBridge> | undefined): string {
  if (server.role !== 'bridge') return '-';
  const bridge = bridges?.[server.id];
  if (!bridges) return 'unknown';
  if (!bridge) return 'not in its pool';
  const state = !bridge.operational ? 'not operational' : bridge.gracefulShutdown ? 'shutting down' : bridge.drain ? 'draining' : 'in its pool';
  return `${state}, ${bridge.endpoints} participant${bridge.endpoints === 1 ? '' : 's'}`;
}

/** Running bridge servers jicofo cannot use: absent from its pool, or failing its health checks. */
function bridgePoolProblems(servers: readonly CloudServer[], bridges: Record<string, JicofoBridge>): Problem[] {
  return servers
    .filter((s) => s.role === 'bridge' && s.running && !bridges[s.id]?.operational)
    .map((s) => ({
      message: bridges[s.id] ? `bridge ${s.name} is in jicofo's pool but not operational (its health checks fail)` : `bridge ${s.name} runs but is not in jicofo's pool: its videobridge has not signed in`,
      hint: 'a bridge still booting joins within minutes; otherwise see docs/troubleshooting.md (a bridge that failed to boot)',
    }));
}

const LABEL_WORD: Record<Exclude<Cloud, 'aws'>, string> = { hetzner: 'labelled jitsi-eu/stack', openstack: 'tagged jitsi-eu:stack' };

function signalingNodeStatus(server: CloudServer, probe: SignalingProbe): SignalingNodeStatus {
  return {
    name: server.name,
    id: server.id,
    answer: probe.answer.state,
    ...(probe.answer.detail ? { answerDetail: probe.answer.detail } : {}),
    ...readProbeAnswer(probe.answer),
    expectedRevision: probe.expectedRevision,
  };
}

export function cloudStatusReport(spec: DeploymentSpec & { cloud: Exclude<Cloud, 'aws'> }, region: string, { servers, addresses }: StackResources, publicCertificate: PublicCertificate, now: Date, probe?: SignalingProbe): CloudStatusReport {
  const problems: Problem[] = [];
  const notes: string[] = [];
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

  const versions = { release: spec.jitsiVersion, expectedPackage: jitsiMetapackageVersion(spec.jitsiVersion) };
  const signalingServer = sorted.find((s) => s.role === 'signaling');
  const signalingNode = signalingServer && probe ? signalingNodeStatus(signalingServer, probe) : undefined;
  // A server that is not running is a problem above already; its silence is no second one.
  if (signalingNode && signalingServer?.running) {
    const judged = hostProblems(
      { ...signalingNode, instanceId: signalingNode.name, role: 'signaling', state: 'running' },
      { stack: spec.stack, topology: spec.topology, versions, expectedRevisions: { signaling: signalingNode.expectedRevision } },
    );
    problems.push(...judged.problems);
    if (judged.unrecorded) notes.push(`configuration revision unknown on ${signalingNode.name}: the node records none in ${REVISION_FILE}`);
  }
  if (sorted.some((s) => s.role === 'bridge')) notes.push(BRIDGES_NO_CHANNEL_NOTE);
  if (signalingNode?.jicofoBridges) problems.push(...bridgePoolProblems(sorted, signalingNode.jicofoBridges));

  const hostNotAfter = signalingNode?.certificateNotAfter;
  const soonest = [hostNotAfter, publicCertificate.notAfter].filter((d): d is string => d !== undefined).sort()[0];
  const certificate: CertificateStatus = {
    domain: spec.domain,
    ...(hostNotAfter ? { hostNotAfter } : {}),
    ...(publicCertificate.notAfter ? { publicNotAfter: publicCertificate.notAfter } : {}),
    ...(soonest ? { daysLeft: daysUntil(soonest, now) } : {}),
    ...(publicCertificate.trusted !== undefined ? { publicTrusted: publicCertificate.trusted } : {}),
    ...(publicCertificate.error ? { publicError: publicCertificate.error } : {}),
  };
  problems.push(...certificateProblems(certificate, spec.tls));
  const sandbox = spec.expiresAt ? { expiresAt: spec.expiresAt, timeLeftMs: Date.parse(spec.expiresAt) - now.getTime() } : undefined;
  if (sandbox && sandbox.timeLeftMs <= 0) problems.push({ message: `the sandbox expired ${formatDuration(-sandbox.timeLeftMs)} ago and still runs`, hint: 'npm run sandbox -- reap removes expired sandboxes' });

  return {
    stack: spec.stack,
    cloud: spec.cloud,
    region,
    domain: spec.domain,
    topology: spec.topology,
    checkedAt: now.toISOString(),
    versions,
    servers: sorted,
    ...(signalingNode ? { signalingNode } : {}),
    conferences: conferencesFrom(signalingNode ? [signalingNode] : []),
    certificate,
    ...(sandbox ? { sandbox } : {}),
    cost: cloudCost(spec, region, sorted, addresses, now),
    notes,
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

function signalingNodeText(node: SignalingNodeStatus): string[] {
  const who = `Signaling node ${node.name} (${node.id}), through the channel`;
  if (node.answer !== 'answered') return [`${who}: not read: ${node.answerDetail ?? node.answer}`];
  const revision = node.revision ? `${node.revision}${node.revision === node.expectedRevision ? ', as the stack renders' : `; the stack renders ${node.expectedRevision}`}` : 'unknown (none recorded)';
  return [
    `${who}: answered`,
    `  packages: ${node.packages.map((p) => `${p.name} ${p.version}`).join(', ') || 'none read'}`,
    `  configuration revision: ${revision}`,
  ];
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
        ['server', 'role', 'state', 'jicofo', 'public IPv4', 'private', 'type', 'location', 'created', 'expires', 'provider reports'],
        report.servers.map((s) => [
          `${s.name} (${s.id})`,
          s.role,
          s.state,
          jicofoWord(s, report.signalingNode?.jicofoBridges),
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
  if (report.signalingNode) lines.push(...signalingNodeText(report.signalingNode));
  const c = report.conferences;
  lines.push(c.source === 'none' ? 'Conferences now: unknown (no statistics answered)' : `Conferences now: ${c.conferences}, participants: ${c.participants} (from ${c.source === 'jicofo' ? 'jicofo' : 'the videobridge'})`);
  const cert = report.certificate;
  const certParts = [
    cert.hostNotAfter ? `on the signaling node until ${cert.hostNotAfter.slice(0, 10)}` : 'on the signaling node: unknown',
    cert.publicNotAfter ? `served until ${cert.publicNotAfter.slice(0, 10)}${cert.publicTrusted === false ? ' (not trusted)' : ''}` : 'served: unknown',
  ];
  lines.push(`Certificate of ${cert.domain}: ${certParts.join(', ')}${cert.daysLeft !== undefined ? `; ${cert.daysLeft} days left` : ''}`);
  if (report.sandbox) {
    const left = report.sandbox.timeLeftMs;
    lines.push(`Sandbox: expires ${minute(report.sandbox.expiresAt)} (${left > 0 ? `${formatDuration(left)} left` : `expired ${formatDuration(-left)} ago`})`);
  }
  lines.push(...costText(report.cost));
  for (const note of report.notes) lines.push(`${style.dim('note:')} ${note}`);
  lines.push('');
  if (report.problems.length === 0) lines.push(`${style.ok('✓')} every server of the stack runs, the signaling node runs what the stack says and the certificate is in order`);
  for (const problem of report.problems) {
    lines.push(`${style.fail('✗')} ${problem.message}`);
    if (problem.hint) lines.push(`    ${problem.hint}`);
  }
  return `${lines.join('\n')}\n`;
}

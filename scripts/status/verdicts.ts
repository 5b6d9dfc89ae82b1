// What is wrong with a deployment, judged from the facts status gathered. Pure, so every rule has
// a unit test. A problem makes the command exit 1; a note is said but is not a failure.
import { formatDuration } from '../deploy/duration.ts';
import { REVISION_FILE } from './revision.ts';
import type { CertificateStatus, HostStatus, Problem, StatusReport } from './types.ts';

/** A certificate closer to its expiry than this is a problem (renewal starts at 30 days). */
export const CERTIFICATE_WARNING_DAYS = 14;

const DAY_MS = 86_400_000;

export type Facts = Omit<StatusReport, 'problems' | 'notes'> & { tlsMode: string };

/** The parts of a host's status its verdict reads (the same on AWS and through the channel). */
export type JudgedHost = Pick<HostStatus, 'instanceId' | 'role' | 'state' | 'answer' | 'answerDetail' | 'packages' | 'revision' | 'bridge' | 'focus' | 'certificateNotAfter'>;

export interface HostContext extends Pick<Facts, 'stack' | 'topology' | 'versions' | 'expectedRevisions'> {
  /** The videobridge version of the signaling node, which the bridges should match. */
  pinnedBridge?: string;
  /** Said under a host that did not answer, when the answer's own detail does not say what to do. */
  silentHint?: string;
}

const versionOf = (host: Pick<HostStatus, 'packages'>, name: string) => host.packages.find((p) => p.name === name)?.version;

export function judge(facts: Facts): { problems: Problem[]; notes: string[] } {
  const problems: Problem[] = [];
  const notes: string[] = [];

  if (facts.hosts.length === 0) {
    problems.push({ message: `no instance in ${facts.region} is tagged jitsi-eu:stack=${facts.stack}`, hint: `is the stack deployed? npm run deploy -- --stack ${facts.stack}` });
  }
  if (!facts.hosts.some((h) => h.role === 'signaling') && facts.hosts.length > 0) {
    problems.push({ message: 'no signaling node is running for the stack', hint: `npm run deploy -- --stack ${facts.stack} brings it back` });
  }

  const signaling = facts.hosts.find((h) => h.role === 'signaling' && h.answer === 'answered');
  const context: HostContext = {
    stack: facts.stack,
    topology: facts.topology,
    versions: facts.versions,
    expectedRevisions: facts.expectedRevisions,
    pinnedBridge: signaling ? versionOf(signaling, 'jitsi-videobridge2') : undefined,
    silentHint: 'its other facts are unknown; the instance may be down, or its SSM agent offline',
  };
  const unrecorded: string[] = [];
  for (const host of facts.hosts) {
    const judged = hostProblems(host, context);
    problems.push(...judged.problems);
    if (judged.unrecorded) unrecorded.push(host.instanceId);
  }
  if (unrecorded.length > 0) {
    notes.push(`configuration revision unknown on ${unrecorded.join(', ')}: the host records none in ${REVISION_FILE}`);
  }

  const group = facts.bridgeGroup;
  if (group && group.inService < group.min) {
    problems.push({ message: `bridge group ${group.name} has ${group.inService} bridge${group.inService === 1 ? '' : 's'} in service, below its minimum of ${group.min}`, hint: 'see the group\'s activity history in the EC2 console for failed launches' });
  }
  const operational = facts.hosts.find((h) => h.role === 'signaling')?.focus?.operationalBridges;
  if (group && operational !== undefined && operational < group.inService) {
    problems.push({
      message: `jicofo can use ${operational} of the ${group.inService} bridges in service`,
      hint: 'a bridge that has not joined the brewery takes no conferences: see journalctl -u jitsi-videobridge2 on it',
    });
  }
  if (facts.topology === 'scalable' && !group) problems.push({ message: `no bridge Auto Scaling group is tagged jitsi-eu:stack=${facts.stack}` });

  problems.push(...certificateProblems(facts.certificate, facts.tlsMode));

  if (facts.sandbox && facts.sandbox.timeLeftMs <= 0) {
    problems.push({ message: `the sandbox expired ${formatDuration(-facts.sandbox.timeLeftMs)} ago and still runs`, hint: 'npm run sandbox -- reap removes expired sandboxes' });
  }
  return { problems, notes };
}

/** What a host's answer to the probe says is wrong; `unrecorded` when it records no revision. */
export function hostProblems(host: JudgedHost, context: HostContext): { problems: Problem[]; unrecorded: boolean } {
  const problems: Problem[] = [];
  const name = `${host.role} ${host.instanceId}`;
  if (host.state !== 'running') return { problems: [{ message: `${name} is ${host.state}` }], unrecorded: false };
  if (host.answer !== 'answered') {
    return { problems: [{ message: `${name} did not answer: ${host.answerDetail ?? host.answer}`, ...(context.silentHint ? { hint: context.silentHint } : {}) }], unrecorded: false };
  }
  if (host.role === 'signaling') {
    const meta = versionOf(host, 'jitsi-meet');
    if (meta !== context.versions.expectedPackage) {
      problems.push({
        message: `${name} runs jitsi-meet ${meta ?? '(not installed)'}; the stack pins release ${context.versions.release} (${context.versions.expectedPackage})`,
        hint: 'a new Jitsi release reaches hosts by replacing them: npm run deploy',
      });
    }
    if (!host.focus) problems.push({ message: `${name}: jicofo's statistics (loopback /stats) did not answer`, hint: 'is jicofo running? systemctl status jicofo' });
    if (!host.certificateNotAfter) problems.push({ message: `${name}: no readable certificate at the live certificate path` });
  }
  const runsBridge = host.role === 'bridge' || context.topology === 'single';
  if (runsBridge) {
    const jvb = versionOf(host, 'jitsi-videobridge2');
    if (!jvb) problems.push({ message: `${name}: jitsi-videobridge2 is not installed` });
    else if (host.role === 'bridge' && context.pinnedBridge && jvb !== context.pinnedBridge) {
      problems.push({ message: `${name} runs jitsi-videobridge2 ${jvb}, the signaling node has ${context.pinnedBridge}`, hint: 'bridges of two versions do not share conferences; let the pool replace this one' });
    }
    if (!host.bridge) problems.push({ message: `${name}: the videobridge's statistics (loopback /colibri/stats) did not answer`, hint: 'is it running? systemctl status jitsi-videobridge2' });
  }
  const expected = context.expectedRevisions[host.role];
  if (host.revision !== undefined && expected && host.revision !== expected) {
    problems.push({ message: `${name} runs configuration revision ${host.revision}; the stack renders ${expected}`, hint: `npm run deploy -- --stack ${context.stack} applies the stack's configuration` });
  }
  return { problems, unrecorded: host.revision === undefined };
}

/** The certificate's expiry, and how the host's and the served one agree. */
export function certificateProblems(cert: CertificateStatus, tlsMode: string): Problem[] {
  const problems: Problem[] = [];
  if (cert.daysLeft !== undefined && cert.daysLeft < CERTIFICATE_WARNING_DAYS) {
    problems.push({
      message: cert.daysLeft < 0 ? `the certificate of ${cert.domain} expired ${-cert.daysLeft} days ago` : `the certificate of ${cert.domain} expires in ${cert.daysLeft} days`,
      hint: 'renewal starts 30 days ahead; see journalctl -u jitsi-eu-acme on the signaling node',
    });
  }
  if (cert.publicError) problems.push({ message: cert.publicError });
  if (cert.hostNotAfter && cert.publicNotAfter && cert.hostNotAfter !== cert.publicNotAfter) {
    problems.push({ message: `${cert.domain} serves a certificate valid until ${cert.publicNotAfter}, the host holds one valid until ${cert.hostNotAfter}`, hint: 'nginx has not loaded the current certificate: systemctl reload nginx' });
  }
  if (cert.publicTrusted === false && tlsMode === 'letsencrypt') {
    problems.push({ message: `the certificate ${cert.domain} serves is not trusted by the system's roots`, hint: 'a self-signed stand-in is still in place: the ACME request has not succeeded yet' });
  }

  return problems;
}

/** Whole days from `now` until `notAfter` (negative once expired). */
export function daysUntil(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / DAY_MS);
}

// What `status` reports about a deployed stack: one object, printed as a table or as JSON.
import type { JicofoBridge } from '../lib/jicofo-bridges.ts';
import type { HostRole } from '../../infra/render/types.ts';

/** How a host answered the status probe sent through SSM Run Command. */
export type { AnswerState } from '../lib/host-commands.ts';
import type { AnswerState } from '../lib/host-commands.ts';

export interface PackageVersion {
  name: string;
  version: string;
}

export interface ConferenceCounts {
  conferences: number;
  participants: number;
  largestConference?: number;
  stressLevel?: number;
  /** The bridge takes no new conferences (graceful shutdown or drain). */
  shuttingDown?: boolean;
}

export interface FocusCounts {
  conferences: number;
  participants: number;
  bridges?: number;
  operationalBridges?: number;
}

export interface HostStatus {
  instanceId: string;
  role: HostRole;
  /** EC2 state: running, pending, stopping, stopped. */
  state: string;
  instanceType: string;
  launchTime: string;
  availabilityZone: string;
  publicIp?: string;
  /** Auto Scaling lifecycle state, for bridges: InService, Terminating:Wait (draining), … */
  lifecycleState?: string;
  answer: AnswerState;
  /** Why the host did not answer, or what failed. */
  answerDetail?: string;
  packages: PackageVersion[];
  /** The configuration revision the host recorded; undefined when it recorded none. */
  revision?: string;
  /** Videobridge statistics (bridges, and the single node). */
  bridge?: ConferenceCounts;
  /** Jicofo's statistics (signaling node). */
  focus?: FocusCounts;
  /** notAfter of the live certificate on the host (signaling node). */
  certificateNotAfter?: string;
  /** Jicofo's view of its videobridges, by server id (signaling node). */
  jicofoBridges?: Record<string, JicofoBridge>;
  costSoFarEur: number;
  runningHoursThisMonth: number;
}

export interface BridgeGroupStatus {
  name: string;
  min: number;
  max: number;
  desired: number;
  inService: number;
  /** Instances the group is terminating, waiting for their conferences to end. */
  draining: number;
  /** Instances still starting (Pending, Pending:Wait, …). */
  starting: number;
}

export interface VersionStatus {
  /** The Jitsi stable release the stack pins, e.g. 10710. */
  release: string;
  /** The jitsi-meet package version that release means, e.g. 2.0.10710-1. */
  expectedPackage: string;
}

export interface CertificateStatus {
  domain: string;
  /** From the host (openssl on the live certificate). */
  hostNotAfter?: string;
  /** From the public TLS handshake. */
  publicNotAfter?: string;
  publicTrusted?: boolean;
  publicError?: string;
  daysLeft?: number;
}

export interface SandboxStatus {
  expiresAt: string;
  timeLeftMs: number;
}

export interface CostStatus {
  currency: 'EUR';
  /** The start of the period: the first of this month, 00:00 UTC. */
  since: string;
  until: string;
  totalEur: number;
  /** What the model leaves out. */
  notes: string[];
}

export interface Problem {
  /** What is wrong, naming the host or part. */
  message: string;
  /** What to do about it, when there is something to do. */
  hint?: string;
}

export interface StatusReport {
  stack: string;
  region: string;
  domain: string;
  topology: string;
  checkedAt: string;
  versions: VersionStatus;
  /** Configuration revision per host role, as the stack renders it now. */
  expectedRevisions: Partial<Record<HostRole, string>>;
  hosts: HostStatus[];
  bridgeGroup?: BridgeGroupStatus;
  conferences: { conferences: number; participants: number; source: 'videobridges' | 'jicofo' | 'none' };
  certificate: CertificateStatus;
  sandbox?: SandboxStatus;
  cost: CostStatus;
  /** Facts worth knowing that are not failures (e.g. a host that records no revision yet). */
  notes: string[];
  problems: Problem[];
}

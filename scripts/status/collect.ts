// Gathers every fact status reports: the AWS side first (which instances, which bridge group),
// then one read-only probe per host through SSM, and the public handshake at the same time.
import { jitsiMetapackageVersion } from '../../infra/privacy/upstream.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { hostRoles } from '../../infra/render/roles.ts';
import type { HostRole } from '../../infra/render/types.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import type { StackInstance } from './aws.ts';
import { COST_NOTES, hostCostSoFar, startOfMonthUtc, type HostCost } from './cost.ts';
import type { StackAccess, StatusDeps } from './deps.ts';
import type { HostAnswer } from '../lib/host-commands.ts';
import { conferencesFrom, readProbeAnswer } from './host-facts.ts';
import { STATUS_PROBE_COMMENT, probeScript } from './probe.ts';
import { bundleRevision } from './revision.ts';
import type { HostStatus, StatusReport } from './types.ts';
import { daysUntil, judge } from './verdicts.ts';

const round2 = (value: number): number => Math.round(value * 100) / 100;

function hostStatus(instance: StackInstance, lifecycle: string | undefined, answer: HostAnswer | undefined, cost: HostCost): HostStatus {
  return {
    instanceId: instance.instanceId,
    role: instance.role,
    state: instance.state,
    instanceType: instance.instanceType,
    launchTime: instance.launchTime.toISOString(),
    availabilityZone: instance.availabilityZone,
    ...(instance.publicIp ? { publicIp: instance.publicIp } : {}),
    ...(lifecycle ? { lifecycleState: lifecycle } : {}),
    answer: answer?.state ?? 'no-answer',
    ...(answer?.detail ? { answerDetail: answer.detail } : instance.state !== 'running' ? { answerDetail: `not asked: the instance is ${instance.state}` } : {}),
    ...readProbeAnswer(answer),
    costSoFarEur: round2(cost.eur),
    runningHoursThisMonth: Math.round(cost.hours * 10) / 10,
  };
}

/** Sends one probe per role to the running hosts of that role, all at once. */
async function probeHosts(spec: DeploymentSpec, instances: readonly StackInstance[], deps: StatusDeps, stack: StackAccess, timeoutMs: number) {
  const running = instances.filter((i) => i.state === 'running');
  const answers = new Map<string, HostAnswer>();
  if (running.length === 0) return answers;
  deps.progress(`asking ${running.length} host${running.length === 1 ? '' : 's'} through SSM Run Command (waiting up to ${Math.round(timeoutMs / 1000)} s)`);
  let answered = 0;
  const onAnswer = (id: string, answer: HostAnswer) => {
    answered += 1;
    deps.progress(`${id}: ${answer.state === 'answered' ? 'answered' : answer.detail ?? answer.state} (${answered}/${running.length})`);
  };
  const roles: HostRole[] = ['signaling', 'bridge'];
  await Promise.all(
    roles.map(async (role) => {
      const ids = running.filter((i) => i.role === role).map((i) => i.instanceId);
      if (ids.length === 0) return;
      const script = probeScript({ role, runsBridge: role === 'bridge' || spec.topology === 'single', domain: spec.domain });
      try {
        for (const [id, answer] of await stack.hosts.run(ids, script, { timeoutMs, onAnswer, comment: STATUS_PROBE_COMMENT })) answers.set(id, answer);
      } catch (error) {
        // SSM refused the command itself (permissions, unmanaged instances): say so per host.
        for (const id of ids) answers.set(id, { state: 'failed', stdout: '', detail: `SSM Run Command refused: ${(error as Error).message}` });
      }
    }),
  );
  return answers;
}

export async function collectStatus(spec: DeploymentSpec, deps: StatusDeps, timeoutMs: number, publicIp?: string): Promise<StatusReport> {
  const now = deps.now();
  const stack = deps.openStack(spec.region);
  try {
    deps.progress(`reading stack ${spec.stack} in ${spec.region}: instances and the bridge group`);
    const inventory = await stack.inventory(spec.stack);
    const [answers, publicCertificate] = await Promise.all([
      probeHosts(spec, inventory.instances, deps, stack, timeoutMs),
      deps.publicCertificate(spec.domain, Math.min(timeoutMs, 15_000), publicIp),
    ]);

    const bundle = renderBundle(spec);
    const expectedRevisions: Partial<Record<HostRole, string>> = {};
    for (const role of hostRoles(spec)) expectedRevisions[role] = bundleRevision(bundle, role);

    const costNotes: string[] = [];
    const costs = inventory.instances.map((i) => hostCostSoFar(spec.region, i.role, i.instanceType, i.launchTime, now, costNotes));
    const hosts = inventory.instances.map((i, n) => hostStatus(i, inventory.lifecycle.get(i.instanceId), answers.get(i.instanceId), costs[n]!));

    const conferences = conferencesFrom(hosts);

    const hostNotAfter = hosts.find((h) => h.role === 'signaling' && h.certificateNotAfter)?.certificateNotAfter;
    const soonest = [hostNotAfter, publicCertificate.notAfter].filter((d): d is string => d !== undefined).sort()[0];
    const certificate = {
      domain: spec.domain,
      ...(hostNotAfter ? { hostNotAfter } : {}),
      ...(publicCertificate.notAfter ? { publicNotAfter: publicCertificate.notAfter } : {}),
      ...(publicCertificate.trusted !== undefined ? { publicTrusted: publicCertificate.trusted } : {}),
      ...(publicCertificate.error ? { publicError: publicCertificate.error } : {}),
      ...(soonest ? { daysLeft: daysUntil(soonest, now) } : {}),
    };

    const stopped = hosts.filter((h) => h.state === 'stopped').map((h) => h.instanceId);
    const facts = {
      stack: spec.stack,
      region: spec.region,
      domain: spec.domain,
      topology: spec.topology,
      tlsMode: spec.tls,
      checkedAt: now.toISOString(),
      versions: { release: spec.jitsiVersion, expectedPackage: jitsiMetapackageVersion(spec.jitsiVersion) },
      expectedRevisions,
      hosts,
      ...(inventory.bridgeGroup ? { bridgeGroup: inventory.bridgeGroup } : {}),
      conferences,
      certificate,
      ...(spec.expiresAt ? { sandbox: { expiresAt: spec.expiresAt, timeLeftMs: Date.parse(spec.expiresAt) - now.getTime() } } : {}),
      cost: {
        currency: 'EUR' as const,
        since: startOfMonthUtc(now).toISOString(),
        until: now.toISOString(),
        totalEur: round2(costs.reduce((sum, c) => sum + c.eur, 0)),
        notes: [
          ...COST_NOTES,
          ...new Set(costNotes),
          ...(stopped.length > 0 ? [`${stopped.join(', ')} is stopped: counted as running since launch, an upper bound`] : []),
        ],
      },
    };
    const { problems, notes } = judge(facts);
    const { tlsMode: _tlsMode, ...report } = facts;
    return { ...report, notes, problems };
  } finally {
    stack.close();
  }
}

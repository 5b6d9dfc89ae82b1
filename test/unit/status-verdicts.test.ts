// status's verdicts: each kind of problem on its own, against a deployment that is fine.
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import { bridgeGroupStatus } from '../../scripts/status/aws.ts';
import type { HostStatus } from '../../scripts/status/types.ts';
import { daysUntil, judge, type Facts } from '../../scripts/status/verdicts.ts';

const NOW = '2026-12-06T12:00:00.000Z';

function host(overrides: Partial<HostStatus> & Pick<HostStatus, 'instanceId' | 'role'>): HostStatus {
  const base: HostStatus = {
    instanceId: overrides.instanceId,
    role: overrides.role,
    state: 'running',
    instanceType: 'c6i.xlarge',
    launchTime: '2026-11-20T08:00:00.000Z',
    availabilityZone: 'eu-central-1a',
    answer: 'answered',
    packages:
      overrides.role === 'signaling'
        ? [
            { name: 'jitsi-meet', version: '2.0.10710-1' },
            { name: 'jitsi-videobridge2', version: '2.3-259-1' },
          ]
        : [{ name: 'jitsi-videobridge2', version: '2.3-259-1' }],
    revision: overrides.role === 'signaling' ? 'aaaaaaaaaaaa' : 'bbbbbbbbbbbb',
    ...(overrides.role === 'signaling' ? { focus: { conferences: 1, participants: 3 }, certificateNotAfter: '2027-02-01T00:00:00.000Z' } : { bridge: { conferences: 1, participants: 3 } }),
    costSoFarEur: 1,
    runningHoursThisMonth: 10,
  };
  return { ...base, ...overrides };
}

function facts(overrides: Partial<Facts> = {}): Facts {
  return {
    stack: 'prod',
    region: 'eu-central-1',
    domain: 'meet.example.org',
    topology: 'scalable',
    tlsMode: 'letsencrypt',
    checkedAt: NOW,
    versions: { release: '10710', expectedPackage: '2.0.10710-1' },
    expectedRevisions: { signaling: 'aaaaaaaaaaaa', bridge: 'bbbbbbbbbbbb' },
    hosts: [host({ instanceId: 'i-s', role: 'signaling' }), host({ instanceId: 'i-b1', role: 'bridge' }), host({ instanceId: 'i-b2', role: 'bridge' })],
    bridgeGroup: { name: 'prod-bridges', min: 2, max: 4, desired: 2, inService: 2, draining: 0, starting: 0 },
    conferences: { conferences: 2, participants: 6, source: 'videobridges' },
    certificate: { domain: 'meet.example.org', hostNotAfter: '2027-02-01T00:00:00.000Z', publicNotAfter: '2027-02-01T00:00:00.000Z', publicTrusted: true, daysLeft: 56 },
    cost: { currency: 'EUR', since: '2026-12-01T00:00:00.000Z', until: NOW, totalEur: 3, notes: [] },
    ...overrides,
  };
}

const messages = (f: Facts) => judge(f).problems.map((p) => p.message);
const withHost = (index: number, change: Partial<HostStatus>) => {
  const f = facts();
  f.hosts[index] = { ...f.hosts[index]!, ...change };
  return f;
};

describe('status verdicts', () => {
  it('finds nothing wrong with a deployment that answers and matches', () => {
    expect(judge(facts())).toEqual({ problems: [], notes: [] });
  });

  it('reports a host that did not answer, naming it, and judges the others', () => {
    const f = withHost(1, { answer: 'no-answer', answerDetail: 'no answer through SSM within the bound', packages: [] });
    delete f.hosts[1]!.bridge;
    f.hosts[2] = { ...f.hosts[2]!, revision: 'cccccccccccc' };
    expect(messages(f)).toEqual([
      'bridge i-b1 did not answer: no answer through SSM within the bound',
      'bridge i-b2 runs configuration revision cccccccccccc; the stack renders bbbbbbbbbbbb',
    ]);
  });

  it('reports a stopped host', () => {
    expect(messages(withHost(0, { state: 'stopped', answer: 'no-answer' }))).toEqual(['signaling i-s is stopped']);
  });

  it('reports a signaling node on another Jitsi release than the stack pins', () => {
    const f = withHost(0, { packages: [{ name: 'jitsi-meet', version: '2.0.10655-1' }, { name: 'jitsi-videobridge2', version: '2.3-259-1' }] });
    expect(messages(f)).toEqual(['signaling i-s runs jitsi-meet 2.0.10655-1; the stack pins release 10710 (2.0.10710-1)']);
  });

  it('reports a bridge whose videobridge differs from the one the signaling node pins', () => {
    expect(messages(withHost(2, { packages: [{ name: 'jitsi-videobridge2', version: '2.3-250-1' }] }))).toEqual([
      'bridge i-b2 runs jitsi-videobridge2 2.3-250-1, the signaling node has 2.3-259-1',
    ]);
  });

  it('reports silent statistics endpoints', () => {
    const f = facts();
    delete f.hosts[0]!.focus;
    delete f.hosts[1]!.bridge;
    expect(messages(f)).toEqual([
      "signaling i-s: jicofo's statistics (loopback /stats) did not answer",
      "bridge i-b1: the videobridge's statistics (loopback /colibri/stats) did not answer",
    ]);
  });

  it('says a host that records no revision is unknown, without failing', () => {
    const f = facts();
    delete f.hosts[0]!.revision;
    expect(judge(f)).toEqual({ problems: [], notes: ['configuration revision unknown on i-s: the host records none in /etc/jitsi-eu/revision'] });
  });

  it('reports a certificate that expires within 14 days, but not one with 14 left', () => {
    expect(messages(facts({ certificate: { ...facts().certificate, daysLeft: 13 } }))).toEqual(['the certificate of meet.example.org expires in 13 days']);
    expect(messages(facts({ certificate: { ...facts().certificate, daysLeft: 14 } }))).toEqual([]);
    expect(messages(facts({ certificate: { ...facts().certificate, daysLeft: -2 } }))).toEqual(['the certificate of meet.example.org expired 2 days ago']);
  });

  it('reports nginx serving another certificate than the host holds, and an untrusted one in production', () => {
    const cert = { ...facts().certificate, publicNotAfter: '2026-12-20T00:00:00.000Z', publicTrusted: false };
    expect(messages(facts({ certificate: cert }))).toEqual([
      'meet.example.org serves a certificate valid until 2026-12-20T00:00:00.000Z, the host holds one valid until 2027-02-01T00:00:00.000Z',
      "the certificate meet.example.org serves is not trusted by the system's roots",
    ]);
    // Staging certificates are never trusted: not a problem there.
    expect(messages(facts({ certificate: { ...facts().certificate, publicTrusted: false }, tlsMode: 'letsencrypt-staging' }))).toEqual([]);
  });

  it('reports a bridge group below its minimum', () => {
    const group = { ...facts().bridgeGroup!, inService: 1, starting: 1 };
    expect(messages(facts({ bridgeGroup: group }))).toEqual(['bridge group prod-bridges has 1 bridge in service, below its minimum of 2']);
  });

  it('reports bridges in service that jicofo cannot use', () => {
    const f = withHost(0, { focus: { conferences: 1, participants: 3, bridges: 1, operationalBridges: 1 } });
    expect(messages(f)).toEqual(['jicofo can use 1 of the 2 bridges in service']);
    expect(messages(withHost(0, { focus: { conferences: 1, participants: 3, bridges: 2, operationalBridges: 2 } }))).toEqual([]);
  });

  it('reports an expired sandbox that still runs, and is quiet while time is left', () => {
    expect(messages(facts({ sandbox: { expiresAt: '2026-12-06T09:00:00.000Z', timeLeftMs: -3 * 3_600_000 } }))).toEqual(['the sandbox expired 3h ago and still runs']);
    expect(messages(facts({ sandbox: { expiresAt: '2026-12-08T12:00:00.000Z', timeLeftMs: 2 * 86_400_000 } }))).toEqual([]);
  });

  it('reports a stack with no instances', () => {
    const f = facts({ hosts: [] });
    delete f.bridgeGroup;
    expect(messages(f)).toEqual(['no instance in eu-central-1 is tagged jitsi-eu:stack=prod', 'no bridge Auto Scaling group is tagged jitsi-eu:stack=prod']);
  });

  it('counts whole days to expiry', () => {
    expect(daysUntil('2026-12-20T11:59:59.000Z', new Date(NOW))).toBe(13);
    expect(daysUntil('2026-12-20T12:00:00.000Z', new Date(NOW))).toBe(14);
  });
});

describe('bridge group counts', () => {
  it('counts in service, draining (terminating, held by the drain hook) and starting members', () => {
    const group: AutoScalingGroup = {
      AutoScalingGroupName: 'prod-bridges',
      MinSize: 2,
      MaxSize: 6,
      DesiredCapacity: 3,
      DefaultCooldown: 300,
      AvailabilityZones: ['eu-central-1a'],
      HealthCheckType: 'EC2',
      CreatedTime: new Date(NOW),
      Instances: [
        { InstanceId: 'i-1', LifecycleState: 'InService', AvailabilityZone: 'eu-central-1a', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
        { InstanceId: 'i-2', LifecycleState: 'InService', AvailabilityZone: 'eu-central-1a', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
        { InstanceId: 'i-3', LifecycleState: 'Terminating:Wait', AvailabilityZone: 'eu-central-1a', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
        { InstanceId: 'i-4', LifecycleState: 'Pending:Wait', AvailabilityZone: 'eu-central-1a', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
      ],
    };
    expect(bridgeGroupStatus(group)).toEqual({ name: 'prod-bridges', min: 2, max: 6, desired: 3, inService: 2, draining: 1, starting: 1 });
  });
});

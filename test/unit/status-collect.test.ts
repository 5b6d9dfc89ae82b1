// collectStatus for a single-node sandbox: the videobridge runs on the signaling node, so the
// conferences come from its own statistics; the sandbox's time left and the cost so far come from
// the stack and the clock. The AWS side is an in-memory inventory, the host a recorded one.
import { describe, expect, it } from 'vitest';
import { renderBundle } from '../../infra/render/bundle.ts';
import { collectStatus } from '../../scripts/status/collect.ts';
import type { StatusDeps } from '../../scripts/status/deps.ts';
import type { HostCommands } from '../../scripts/lib/host-commands.ts';
import { bundleRevision } from '../../scripts/status/revision.ts';
import { RECORDED, RecordedHostCommands } from '../helpers/recorded-hosts.ts';
import { makeSpec } from '../helpers/spec.ts';

const NOW = new Date('2026-12-06T12:00:00Z');
const spec = makeSpec({ stack: 'physics-101', topology: 'single', sandbox: true, expiresAt: '2026-12-08T15:30:00.000Z', tls: 'letsencrypt-staging' });

function deps(hosts: HostCommands, instances: { id: string; state: string; launch: string }[]): StatusDeps {
  return {
    loadSpec: () => spec,
    requireCredentials: async () => undefined,
    openStack: () => ({
      inventory: async () => ({
        instances: instances.map((i) => ({ instanceId: i.id, role: 'signaling' as const, state: i.state, instanceType: 'c6i.xlarge', launchTime: new Date(i.launch), availabilityZone: 'eu-central-1a' })),
        lifecycle: new Map(),
      }),
      hosts,
      close: () => undefined,
    }),
    openChannel: async () => {
      throw new Error('no channel is opened for an AWS stack');
    },
    publicCertificate: async () => ({ notAfter: '2027-02-01T00:00:00.000Z', trusted: false }),
    now: () => NOW,
    out: () => undefined,
    progress: () => undefined,
  };
}

describe('status of a single-node sandbox', () => {
  it('counts conferences from the node\'s own videobridge, the time left and the cost so far', async () => {
    const hosts = new RecordedHostCommands(
      new Map([['i-single', { dpkg: RECORDED.signalingDpkg(spec.jitsiVersion), revisionFile: bundleRevision(renderBundle(spec), 'signaling'), colibriStats: RECORDED.colibriStats(4, 11), jicofoStats: RECORDED.jicofoStats(4, 11, 1) }]]),
      spec.domain,
    );
    const report = await collectStatus(spec, deps(hosts, [{ id: 'i-single', state: 'running', launch: '2026-11-20T08:00:00Z' }]), 5000);
    expect(report.conferences).toEqual({ conferences: 4, participants: 11, source: 'videobridges' });
    // The single node is asked for the videobridge's statistics too.
    expect(hosts.scripts.get('i-single')).toContain('http://127.0.0.1:8080/colibri/stats');
    // 2 days 3 h 30 min.
    expect(report.sandbox).toEqual({ expiresAt: '2026-12-08T15:30:00.000Z', timeLeftMs: (2 * 24 + 3.5) * 3_600_000 });
    // 132 h × 0.1738002 €/h (status-cost.test.ts).
    expect(report.cost.totalEur).toBe(22.94);
    expect(report.hosts[0]!.runningHoursThisMonth).toBe(132);
    // No certificate on the host was readable (none recorded): that is a problem; the staging
    // certificate served publicly being untrusted is not.
    expect(report.problems.map((p) => p.message)).toEqual(['signaling i-single: no readable certificate at the live certificate path']);
  });

  it('does not ask a stopped instance, says so, and counts its cost as an upper bound', async () => {
    const hosts = new RecordedHostCommands(new Map(), spec.domain);
    const report = await collectStatus(spec, deps(hosts, [{ id: 'i-single', state: 'stopped', launch: '2026-12-06T02:00:00Z' }]), 5000);
    expect(hosts.scripts.size).toBe(0);
    expect(report.hosts[0]).toMatchObject({ answer: 'no-answer', answerDetail: 'not asked: the instance is stopped', runningHoursThisMonth: 10 });
    expect(report.problems.map((p) => p.message)).toEqual(['signaling i-single is stopped']);
    expect(report.cost.notes).toContain('i-single is stopped: counted as running since launch, an upper bound');
    expect(report.conferences.source).toBe('none');
  });

  it('reports each host when SSM refuses the command itself', async () => {
    const refusing: HostCommands = { run: async () => Promise.reject(new Error('InvalidInstanceId: Instances [[i-single]] not in a valid state for account 123456789012')) };
    const report = await collectStatus(spec, deps(refusing, [{ id: 'i-single', state: 'running', launch: '2026-12-01T00:00:00Z' }]), 5000);
    expect(report.hosts[0]).toMatchObject({ answer: 'failed', answerDetail: 'SSM Run Command refused: InvalidInstanceId: Instances [[i-single]] not in a valid state for account 123456789012' });
    expect(report.problems[0]!.message).toBe('signaling i-single did not answer: SSM Run Command refused: InvalidInstanceId: Instances [[i-single]] not in a valid state for account 123456789012');
  });
});

// How the hosts pick up rotated secrets: the signaling host first, then the bridge pool (the
// agent on each bridge, or an instance refresh when the videobridge password changed), and what
// the report says about each host, from the agent's own JSON.
import { describe, expect, it } from 'vitest';
import { APPLY_SCRIPT, parseAgentReport, pickUpNewValues } from '../../scripts/rotate/hosts.ts';
import { rotationPlan } from '../../scripts/rotate/plan.ts';
import { reportText, rotationReport } from '../../scripts/rotate/report.ts';
import type { RotatableSecret } from '../../scripts/rotate/secrets.ts';
import { BRIDGE_GROUP, FakeStackHosts, agentReport, type FakeHost } from '../helpers/agent-hosts.ts';
import { makeSpec } from '../helpers/spec.ts';

const POOL = makeSpec({ stack: 'pool', topology: 'scalable', auth: 'jwt' });
const SINGLE = makeSpec({ stack: 'solo', topology: 'single' });
const SIGNALING: FakeHost = {
  id: 'i-0signaling000000a',
  role: 'signaling',
  answer: agentReport('signaling', [{ unit: 'prosody.service', action: 'reload' }, { unit: 'jicofo.service', action: 'restart' }], ['/etc/jitsi/jicofo/jicofo.conf']),
};
const bridge = (n: number, extra: Partial<FakeHost> = {}): FakeHost => ({ id: `i-0bridge00000000${n}`, role: 'bridge', answer: agentReport('bridge', []), ...extra });
const options = { timeoutMs: 60_000, progress: () => {} };

async function pickUp(secrets: RotatableSecret[], spec = POOL, fleet: FakeHost[] = [SIGNALING, bridge(1), bridge(2)]) {
  const hosts = new FakeStackHosts(fleet);
  const result = await pickUpNewValues(rotationPlan(secrets, spec), hosts, options);
  return { hosts, result };
}

describe('picking up new values', () => {
  it('runs the agent on the signaling host first, then on the bridges when their secret did not change', async () => {
    const { hosts, result } = await pickUp(['focus-password', 'turn-secret']);
    expect(hosts.events).toEqual([
      { op: 'run', ids: ['i-0signaling000000a'], script: APPLY_SCRIPT, comment: 'jitsi-eu rotate pool: pick up new focus-password, turn-secret' },
      { op: 'run', ids: ['i-0bridge000000001', 'i-0bridge000000002'], script: APPLY_SCRIPT, comment: 'jitsi-eu rotate pool: pick up new focus-password, turn-secret' },
    ]);
    expect(APPLY_SCRIPT).toBe('/usr/local/sbin/jitsi-eu-apply --json');
    expect(result.ok).toBe(true);
    expect(result.hosts.map((h) => [h.instanceId, h.state])).toEqual([
      ['i-0signaling000000a', 'applied'],
      ['i-0bridge000000001', 'applied'],
      ['i-0bridge000000002', 'applied'],
    ]);
  });

  it('a new videobridge password reaches the pool through an instance refresh: no bridge restarts in place', async () => {
    const fleet = [SIGNALING, bridge(1), bridge(2), bridge(3, { lifecycle: 'Terminating:Wait' })];
    const { hosts, result } = await pickUp(['focus-password', 'jvb-password'], POOL, fleet);
    expect(hosts.events).toEqual([
      { op: 'run', ids: ['i-0signaling000000a'], script: APPLY_SCRIPT, comment: expect.any(String) },
      { op: 'refresh', group: BRIDGE_GROUP },
    ]);
    expect(result).toMatchObject({ ok: true, refresh: { group: BRIDGE_GROUP, state: 'started', id: '0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9' } });
    expect(result.hosts.map((h) => [h.instanceId, h.state])).toEqual([
      ['i-0signaling000000a', 'applied'],
      // Already draining: not asked, and not counted as a failure.
      ['i-0bridge000000003', 'draining'],
      ['i-0bridge000000001', 'replaced'],
      ['i-0bridge000000002', 'replaced'],
    ]);
  });

  it('a single node has no pool: the host itself takes every secret', async () => {
    const { hosts, result } = await pickUp(['jvb-password'], SINGLE, [SIGNALING]);
    expect(hosts.events.map((e) => e.op)).toEqual(['run']);
    expect(result.ok).toBe(true);
  });

  it('a signaling host that does not answer stops there: the bridges are not asked and nothing is refreshed', async () => {
    const { hosts, result } = await pickUp(['jvb-password'], POOL, [{ ...SIGNALING, answer: 'silent' }, bridge(1)]);
    expect(hosts.events).toEqual([{ op: 'run', ids: ['i-0signaling000000a'], script: APPLY_SCRIPT, comment: expect.any(String) }]);
    expect(result.ok).toBe(false);
    expect(result.hosts.map((h) => [h.instanceId, h.state])).toEqual([
      ['i-0signaling000000a', 'no-answer'],
      ['i-0bridge000000001', 'not-run'],
    ]);
  });

  it('a bridge that fails, an answer that is not the agent\'s report, a refresh that does not start: each is a failure', async () => {
    const failing = await pickUp(['turn-secret'], POOL, [SIGNALING, bridge(1, { answer: 'fails' }), bridge(2, { answer: 'jitsi-eu-apply: command not found' })]);
    expect(failing.result.ok).toBe(false);
    expect(failing.result.hosts.map((h) => h.state)).toEqual(['applied', 'failed', 'failed']);
    expect(failing.result.hosts[2]!.detail).toMatch(/not with the agent's report: is \/usr\/local\/sbin\/jitsi-eu-apply installed there\?/);

    const hosts = new FakeStackHosts([SIGNALING, bridge(1)]);
    hosts.refreshAnswer = 'fail';
    const refused = await pickUpNewValues(rotationPlan(['jvb-password'], POOL), hosts, options);
    expect(refused.ok).toBe(false);
    expect(refused.refresh).toMatchObject({ state: 'failed', detail: expect.stringContaining('StartInstanceRefresh') });
    expect(refused.hosts.map((h) => h.state)).toEqual(['applied', 'not-run']);
  });

  it('no signaling host at all: nothing is asked', async () => {
    const { hosts, result } = await pickUp(['turn-secret'], POOL, [bridge(1)]);
    expect(hosts.events).toEqual([]);
    expect(result).toMatchObject({ ok: false, problem: expect.stringMatching(/no running signaling host of pool/) });
  });
});

describe("the agent's report", () => {
  it('is read from its one JSON object; anything else is not a report', () => {
    const good = { revision: '3f2a9c81d0e4', role: 'signaling', changed: ['/etc/prosody/conf.d/x.cfg.lua'], services: [{ unit: 'prosody.service', action: 'reload' }], unchanged: false };
    expect(parseAgentReport(`${JSON.stringify(good)}\n`)).toEqual(good);
    expect(parseAgentReport('')).toBeUndefined();
    expect(parseAgentReport('{"revision":"3f2a9c81d0e4"}')).toBeUndefined();
    expect(parseAgentReport(JSON.stringify({ ...good, services: [{ unit: 'prosody.service', action: 'kick' }] }))).toBeUndefined();
    expect(parseAgentReport(JSON.stringify({ ...good, role: 'web' }))).toBeUndefined();
  });
});

describe('the report', () => {
  it('says per host what was reloaded or restarted, names the secrets only, and gives the retry command on failure', async () => {
    const { result } = await pickUp(['focus-password', 'turn-secret'], POOL, [SIGNALING, bridge(1), bridge(2, { answer: 'silent' })]);
    const report = rotationReport({ stack: 'pool', secrets: ['focus-password', 'turn-secret'], renewed: true, renewedAt: '2026-12-06T16:20:00.000Z' }, result, true);
    expect(report.ok).toBe(false);
    expect(report.retry).toBe('npm run rotate -- --stack pool --only focus-password,turn-secret --hosts-only --yes');
    expect(reportText(report)).toBe(
      [
        "Rotated focus-password, turn-secret of pool at 2026-12-06T16:20:00.000Z: the new values are in SSM and in Pulumi's state.",
        'Hosts:',
        '  i-0signaling000000a  signaling  ✓ revision 3f2a9c81d0e4: 1 file updated; prosody.service reloaded, jicofo.service restarted',
        '  i-0bridge000000001  bridge     ✓ revision 7b1e04c2a9f3: nothing to change; no service reloaded or restarted',
        '  i-0bridge000000002  bridge     ✗ did not answer: no answer through SSM within the bound',
        '✗ Not every host has the new values. Once the cause is fixed, make the hosts pick them up (this does not rotate again):',
        '  npm run rotate -- --stack pool --only focus-password,turn-secret --hosts-only --yes',
        '',
      ].join('\n'),
    );
  });

  it('for a pool refresh: how to follow it, and that the bridges drain', async () => {
    const { result } = await pickUp(['jvb-password']);
    const text = reportText(rotationReport({ stack: 'pool', secrets: ['jvb-password'], renewed: true, renewedAt: '2026-12-06T16:20:00.000Z' }, result, false));
    expect(text).toContain('  i-0bridge000000001  bridge     ↻ replaced by the instance refresh: drains, then ends; a new bridge with the new password takes its place');
    expect(text).toContain(`Bridge pool ${BRIDGE_GROUP}: instance refresh 0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9 started.`);
    expect(text).toContain('Follow it with: npm run status -- --stack pool');
    expect(text).toContain('✓ The signaling host has the new values; the bridge pool takes them as the refresh replaces its bridges.');
  });
});

// deploy's report of what each host applied, through a HostCommands stand-in.
import { describe, expect, it } from 'vitest';
import { appliedLines, applyOnHosts } from '../../scripts/deploy/applied.ts';
import type { HostAnswer, HostCommands, RunOptions } from '../../scripts/lib/host-commands.ts';

class AnsweringHosts implements HostCommands {
  readonly calls: { ids: string[]; script: string; comment: string }[] = [];
  constructor(private readonly answers: Record<string, HostAnswer>) {}
  async run(instanceIds: readonly string[], script: string, options: RunOptions): Promise<Map<string, HostAnswer>> {
    this.calls.push({ ids: [...instanceIds], script, comment: options.comment });
    return new Map(instanceIds.flatMap((id) => (this.answers[id] ? [[id, this.answers[id]!] as const] : [])));
  }
}

const agent = (changed: string[], services: { unit: string; action: string }[]) =>
  ({ state: 'answered', stdout: JSON.stringify({ revision: 'abcdef012345', role: 'x', changed, services, unchanged: changed.length === 0 }) }) as HostAnswer;

describe('what the hosts applied', () => {
  it('runs the agent on the signaling node first, then the bridges, and reports each answer', async () => {
    const hosts = new AnsweringHosts({
      'i-sig': agent(['/etc/prosody/conf.d/x.cfg.lua'], [{ unit: 'prosody.service', action: 'reload' }]),
      'i-b1': agent([], []),
      'i-b2': { state: 'no-answer', stdout: '', detail: 'no answer within 300 s' },
    });
    const results = await applyOnHosts(hosts, [
      { instanceId: 'i-b1', role: 'bridge' },
      { instanceId: 'i-sig', role: 'signaling' },
      { instanceId: 'i-b2', role: 'bridge' },
    ], 300_000);
    expect(hosts.calls.map((c) => c.ids)).toEqual([['i-sig'], ['i-b1', 'i-b2']]);
    expect(hosts.calls[0]!.script).toBe('/usr/local/sbin/jitsi-eu-apply --json');
    expect(appliedLines(results)).toEqual([
      'i-sig (signaling): revision abcdef012345, 1 file changed, reload prosody.service',
      'i-b1 (bridge): revision abcdef012345, 0 files changed, nothing reloaded',
      'i-b2 (bridge): not applied: no answer within 300 s',
    ]);
  });

  it('reports a host whose agent printed no JSON as not applied', async () => {
    const results = await applyOnHosts(new AnsweringHosts({ 'i-sig': { state: 'answered', stdout: 'oops' } }), [{ instanceId: 'i-sig', role: 'signaling' }], 1000);
    expect(results).toEqual([{ instanceId: 'i-sig', role: 'signaling', ok: false, detail: 'the agent did not answer with JSON' }]);
  });
});

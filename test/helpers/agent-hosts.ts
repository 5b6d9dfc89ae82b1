// A stack's hosts as rotate sees them, without AWS: an inventory of instances, a command channel
// whose hosts answer as the host agent does (`jitsi-eu-apply --json`), and the bridge group's
// instance refresh. Every command and refresh is recorded in the order it was asked for.
import type { HostRole } from '../../infra/render/types.ts';
import type { HostAnswer, HostCommands, RunOptions } from '../../scripts/lib/host-commands.ts';
import type { AgentReport, StackHosts } from '../../scripts/rotate/hosts.ts';
import type { StackInventory } from '../../scripts/status/aws.ts';

export interface FakeHost {
  id: string;
  role: HostRole;
  /** Auto Scaling lifecycle state (bridges); InService by default. */
  lifecycle?: string;
  /** What the agent prints; 'silent' never answers; 'fails' exits 1; any other string is printed as is. */
  answer: AgentReport | 'silent' | 'fails' | string;
}

export type HostEvent = { op: 'run'; ids: string[]; script: string; comment: string } | { op: 'refresh'; group: string };

export const BRIDGE_GROUP = 'jitsi-eu-pool-bridges-20260101';

export function agentReport(role: HostRole, services: AgentReport['services'], changed: string[] = []): AgentReport {
  return { revision: role === 'signaling' ? '3f2a9c81d0e4' : '7b1e04c2a9f3', role, changed, services, unchanged: services.length === 0 && changed.length === 0 };
}

export class FakeStackHosts implements StackHosts {
  readonly events: HostEvent[] = [];
  closed = false;
  /** What StartInstanceRefresh does: start one, or find one running. */
  refreshAnswer: 'start' | 'already-running' | 'fail' = 'start';

  constructor(private readonly fleet: FakeHost[]) {}

  async inventory(): Promise<StackInventory> {
    return {
      instances: this.fleet.map((h) => ({
        instanceId: h.id,
        role: h.role,
        state: 'running',
        instanceType: 'c6i.large',
        launchTime: new Date('2026-12-01T08:00:00Z'),
        availabilityZone: 'eu-north-1a',
      })),
      lifecycle: new Map(this.fleet.filter((h) => h.role === 'bridge').map((h) => [h.id, h.lifecycle ?? 'InService'])),
      ...(this.fleet.some((h) => h.role === 'bridge') ? { bridgeGroup: { name: BRIDGE_GROUP, min: 2, max: 8, desired: 2, inService: 2, draining: 0, starting: 0 } } : {}),
    };
  }

  readonly hosts: HostCommands = {
    run: async (instanceIds: readonly string[], script: string, options: RunOptions) => {
      this.events.push({ op: 'run', ids: [...instanceIds], script, comment: options.comment });
      const answers = new Map<string, HostAnswer>();
      for (const id of instanceIds) {
        const host = this.fleet.find((h) => h.id === id);
        const answer = host?.answer;
        const reply: HostAnswer =
          answer === undefined || answer === 'silent'
            ? { state: 'no-answer', stdout: '', detail: 'no answer through SSM within the bound' }
            : answer === 'fails'
              ? { state: 'failed', stdout: '', detail: 'SSM Run Command Failed' }
              : { state: 'answered', stdout: typeof answer === 'string' ? answer : `${JSON.stringify(answer)}\n` };
        answers.set(id, reply);
        options.onAnswer?.(id, reply);
      }
      return answers;
    },
  };

  async startInstanceRefresh(group: string): Promise<{ id: string } | { alreadyRunning: true }> {
    this.events.push({ op: 'refresh', group });
    if (this.refreshAnswer === 'fail') throw new Error('AccessDenied: not authorized to perform autoscaling:StartInstanceRefresh');
    return this.refreshAnswer === 'start' ? { id: '0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9' } : { alreadyRunning: true };
  }

  close(): void {
    this.closed = true;
  }
}

// After `pulumi up`: what each host did with the new configuration. State Manager runs the agent by
// itself; deploy runs it once more through SSM Run Command (a run with nothing left to do changes
// nothing), signaling first, then the bridges, and reports each host's answer.
import { AGENT_PATH } from '../../infra/render/delivery.ts';
import type { HostRole } from '../../infra/render/types.ts';
import type { HostAnswer, HostCommands } from '../lib/host-commands.ts';

export interface AppliedHost {
  instanceId: string;
  role: HostRole;
  ok: boolean;
  revision?: string;
  changed?: string[];
  services?: { unit: string; action: string }[];
  /** Why there is no answer, or what failed. */
  detail?: string;
}

interface AgentAnswer {
  revision: string;
  changed: string[];
  services: { unit: string; action: string }[];
}

/** Runs `jitsi-eu-apply --json` on the hosts, the signaling node before the bridges. */
export async function applyOnHosts(hosts: HostCommands, targets: readonly { instanceId: string; role: HostRole }[], timeoutMs: number): Promise<AppliedHost[]> {
  const results: AppliedHost[] = [];
  for (const role of ['signaling', 'bridge'] as const) {
    const ids = targets.filter((t) => t.role === role).map((t) => t.instanceId);
    if (!ids.length) continue;
    const answers = await hosts.run(ids, `${AGENT_PATH} --json`, { timeoutMs, comment: 'jitsi-eu deploy: apply the configuration' });
    for (const instanceId of ids) results.push(agentResult(instanceId, role, answers.get(instanceId)));
  }
  return results;
}

/** What the agent's answer on one host says (`jitsi-eu-apply --json` on stdout). */
export function agentResult(instanceId: string, role: HostRole, answer: HostAnswer | undefined): AppliedHost {
  if (!answer || answer.state !== 'answered') return { instanceId, role, ok: false, detail: answer?.detail ?? 'no answer' };
  try {
    const parsed = JSON.parse(answer.stdout) as AgentAnswer;
    return { instanceId, role, ok: true, revision: parsed.revision, changed: parsed.changed, services: parsed.services };
  } catch {
    return { instanceId, role, ok: false, detail: 'the agent did not answer with JSON' };
  }
}

/** One line per host, for people. */
export function appliedLines(results: readonly AppliedHost[]): string[] {
  return results.map((r) => {
    if (!r.ok) return `${r.instanceId} (${r.role}): not applied: ${r.detail}`;
    const services = r.services?.length ? r.services.map((s) => `${s.action} ${s.unit}`).join(', ') : 'nothing reloaded';
    const files = r.changed?.length ?? 0;
    return `${r.instanceId} (${r.role}): revision ${r.revision}, ${files} file${files === 1 ? '' : 's'} changed, ${services}`;
  });
}

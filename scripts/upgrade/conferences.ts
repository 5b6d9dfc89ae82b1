// How many meetings the signaling host has right now, asked through SSM with status's own
// read-only probe: jicofo's count (it knows every conference, whichever bridge serves it), or the
// videobridge's where jicofo does not answer on a single-node stack.
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import type { HostCommands } from '../lib/host-commands.ts';
import { parseBridgeStats, parseFocusStats } from '../status/host-facts.ts';
import { probeScript, splitProbeOutput } from '../status/probe.ts';

export async function signalingConferences(hosts: HostCommands, instanceId: string, spec: Pick<DeploymentSpec, 'topology' | 'domain'>): Promise<number | undefined> {
  const script = probeScript({ role: 'signaling', runsBridge: spec.topology === 'single', domain: spec.domain });
  const answers = await hosts.run([instanceId], script, { timeoutMs: 60_000, comment: 'jitsi-eu upgrade: meetings in progress on the signaling host' });
  const answer = answers.get(instanceId);
  if (answer?.state !== 'answered') return undefined;
  const sections = splitProbeOutput(answer.stdout);
  return parseFocusStats(sections['jicofo-stats'] ?? '')?.conferences ?? parseBridgeStats(sections['jvb-stats'] ?? '')?.conferences;
}

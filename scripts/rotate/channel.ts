// Rotation on Hetzner Cloud and OpenStack. The signaling node made each service secret itself at
// its first boot and keeps it on its disk (templates/cloud/shared/host-kept.sh.hbs), so renewing
// one is the node's own job: through the stack's channel, rotate removes the chosen secrets'
// files and runs the host agent, which makes a new value for each as it reads it, gives Prosody
// the new service passwords and reloads or restarts only what uses them. Pulumi is not involved:
// nothing in the stack changes. With --hosts-only the files stay and only the agent runs (the
// retry after a failed run).
import { HOST_SECRETS_DIR } from '../../infra/render/cloud-layer.ts';
import type { HostAnswer } from '../lib/host-commands.ts';
import { APPLY_SCRIPT, outcomeOf, type PickupResult } from './hosts.ts';
import type { RotationPlan } from './plan.ts';

/** The script the signaling node runs: the old values go (unless only picking up), then the agent. */
export function channelRotationScript(plan: Pick<RotationPlan, 'secrets'>, renew: boolean): string {
  const files = plan.secrets.map((s) => `${HOST_SECRETS_DIR}/${s}`);
  return [...(renew ? ['set -e', `rm -f -- ${files.join(' ')}`] : []), APPLY_SCRIPT, ''].join('\n');
}

export interface ChannelRotationOptions {
  send: (script: string, timeoutMs: number) => Promise<HostAnswer>;
  /** The signaling server's id, for the report. */
  serverId: string;
  renew: boolean;
  timeoutMs: number;
  progress: (message: string) => void;
}

export async function rotateOnSignalingNode(plan: RotationPlan, options: ChannelRotationOptions): Promise<PickupResult> {
  options.progress(
    options.renew
      ? `signaling node ${options.serverId}: new ${plan.secrets.join(', ')} made on the node, then jitsi-eu-apply (through the stack's channel)`
      : `signaling node ${options.serverId}: running jitsi-eu-apply (through the stack's channel)`,
  );
  const outcome = outcomeOf(options.serverId, 'signaling', await options.send(channelRotationScript(plan, options.renew), options.timeoutMs));
  return { ok: outcome.state === 'applied', hosts: [outcome] };
}

// After `pulumi up` on Hetzner Cloud and OpenStack: when the signaling node was kept (its user
// data counted as unchanged, see JITSI_EU_DEPLOYED_SIGNALING_HOST), it still runs the
// configuration it booted with. Deploy asks it through the channel which revision it runs and,
// when that is not the one just rendered, sends the signaling archive for the host agent to apply.
// A node created by this update booted with the current user data: nothing to send.
import { CHANNEL_APPLY_PATH, DEPLOYED_SIGNALING_HOST_ENV } from '../../infra/channel.ts';
import type { RoleArchive } from '../../infra/render/delivery.ts';
import { SIGNALING_PRIVATE_IP } from '../../infra/private-network.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import type { HostAnswer } from '../lib/host-commands.ts';
import type { StackOutputs } from '../lib/workspace.ts';
import { REVISION_FILE, parseRecordedRevision } from '../status/revision.ts';
import { signalingServerId } from '../lib/channel/stack.ts';
import { type AppliedHost, agentResult } from './applied.ts';

/** One channel request: a script and its bound (the channel client, or a stand-in). */
export type SendScript = (script: string, timeoutMs: number) => Promise<HostAnswer>;

export interface ChannelApplyOptions {
  /** The stack's `signalingHost` output before this update; undefined for a first deploy. */
  previousSignalingHost: string | undefined;
  send: SendScript;
  /** Bound on reaching the node (it may be restarting) and on the apply itself. */
  timeoutMs: number;
  progress: (message: string) => void;
}

/** The signalingHost output, when the stack has one. */
export function signalingHostOf(outputs: StackOutputs): string | undefined {
  const value = outputs.signalingHost?.value;
  return typeof value === 'string' && value ? value : undefined;
}

/** The variables preview and up get: the deployed host's identity, when there is one. */
export function keepSignalingEnv(previousSignalingHost: string | undefined): Record<string, string> {
  return previousSignalingHost ? { [DEPLOYED_SIGNALING_HOST_ENV]: previousSignalingHost } : {};
}

/** The script that installs the archive and applies it: the archive travels in the script itself. */
export function applyScript(archive: Pick<RoleArchive, 'archive' | 'revision' | 'sha256'>): string {
  const lines = archive.archive.toString('base64').match(/.{1,76}/g) ?? [];
  return [`base64 -d <<'EOF' | ${CHANNEL_APPLY_PATH} ${archive.revision} ${archive.sha256}`, ...lines, 'EOF', ''].join('\n');
}

export async function applyThroughChannel(spec: DeploymentSpec, outputs: StackOutputs, options: ChannelApplyOptions): Promise<AppliedHost[]> {
  const current = signalingHostOf(outputs);
  const serverId = signalingServerId(outputs);
  if (!options.previousSignalingHost || options.previousSignalingHost !== current) {
    options.progress('the signaling node was created by this update and boots with this configuration: nothing to send through the channel');
    return [];
  }
  // Rendering loads the template engine: only now that it is needed.
  const [{ renderBundle }, { roleArchive }] = await Promise.all([import('../../infra/render/bundle.ts'), import('../../infra/render/delivery.ts')]);
  const archive = roleArchive(spec, renderBundle(spec), 'signaling', { signalingPrivateIp: SIGNALING_PRIVATE_IP });
  options.progress(`asking the signaling node ${serverId} through the channel which configuration it runs`);
  const asked = await options.send(`cat ${REVISION_FILE} 2>/dev/null || true`, options.timeoutMs);
  if (asked.state !== 'answered') return [{ instanceId: serverId, role: 'signaling', ok: false, detail: asked.detail ?? 'no answer' }];
  const running = parseRecordedRevision(asked.stdout);
  if (running === archive.revision) {
    options.progress(`the signaling node runs revision ${running} already: nothing to apply`);
    return [{ instanceId: serverId, role: 'signaling', ok: true, revision: running, changed: [], services: [] }];
  }
  options.progress(`sending revision ${archive.revision} to the signaling node (it runs ${running ?? 'no recorded revision'}); the host agent applies it`);
  return [agentResult(serverId, 'signaling', await options.send(applyScript(archive), options.timeoutMs))];
}

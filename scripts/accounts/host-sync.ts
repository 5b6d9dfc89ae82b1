// Telling the signaling host that the stack's accounts changed: `accounts.sh sync` through SSM Run
// Command, and what it answered. A host that is stopped or silent picks the change up at its
// next sync or boot, since the accounts live in SSM.
import { ACCOUNTS_SCRIPT_PATH } from '../../infra/render/os.ts';
import type { HostCommands } from '../lib/host-commands.ts';

export type HostSyncState = 'applied' | 'failed' | 'no-answer' | 'no-host';

export interface HostSync {
  state: HostSyncState;
  instanceId?: string;
  /** What accounts.sh said (its summary lines), without timestamps. */
  said: string[];
  /** Why it did not apply, when it did not. */
  detail?: string;
}

export const SYNC_SCRIPT = `${ACCOUNTS_SCRIPT_PATH} sync`;

/** accounts.sh's log lines: `<time> jitsi-eu: <message>`. */
function messages(output: string): string[] {
  return output
    .split('\n')
    .map((line) => /^\S+ jitsi-eu: (.*)$/.exec(line)?.[1] ?? line.trim())
    .filter((line) => line.length > 0);
}

export async function syncSignalingHost(hosts: HostCommands, instanceIds: readonly string[], comment: string, timeoutMs: number): Promise<HostSync> {
  const instanceId = instanceIds[0];
  if (!instanceId) return { state: 'no-host', said: [], detail: 'no signaling host is running: the change applies when it boots' };
  const answer = (await hosts.run([instanceId], SYNC_SCRIPT, { comment: comment.slice(0, 100), timeoutMs })).get(instanceId);
  if (!answer || answer.state === 'no-answer') {
    return { state: 'no-answer', instanceId, said: [], detail: `${answer?.detail ?? 'no answer'}; the change is stored and applies at the host's next accounts sync or boot` };
  }
  if (answer.state === 'failed') return { state: 'failed', instanceId, said: messages(answer.stdout), detail: answer.detail ?? 'the sync failed' };
  return { state: 'applied', instanceId, said: messages(answer.stdout).filter((line) => /^(host accounts|added:)/.test(line)) };
}

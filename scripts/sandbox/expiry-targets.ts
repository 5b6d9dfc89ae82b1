// The Pulumi URNs of a sandbox's expiry schedules: `sandbox extend` updates these and nothing
// else, so moving the expiry never touches a host (no replacement, no meeting dropped).
import { SANDBOX_EXPIRY_NAME, SANDBOX_EXPIRY_TYPE, STOP_BRIDGES_SCHEDULE, STOP_SIGNALING_SCHEDULE } from '../../infra/aws/sandbox-expiry.ts';
import type { Topology } from '../../infra/spec/types.ts';

const SCHEDULE_TYPE = 'aws:scheduler/schedule:Schedule';

export function expirySchedulesTargets(stack: string, topology: Topology, project = 'jitsi-eu'): string[] {
  const names = topology === 'scalable' ? [STOP_SIGNALING_SCHEDULE, STOP_BRIDGES_SCHEDULE] : [STOP_SIGNALING_SCHEDULE];
  return names.map((name) => `urn:pulumi:${stack}::${project}::${SANDBOX_EXPIRY_TYPE}$${SCHEDULE_TYPE}::${SANDBOX_EXPIRY_NAME}-${name}`);
}

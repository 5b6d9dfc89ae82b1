// The Pulumi URNs of a sandbox's expiry resources: `sandbox extend` updates these and nothing
// else (`pulumi up --target`), so moving the expiry never touches a host. The schedule group,
// role and policy are included so that a sandbox deployed before it had them gets them too.
import { SANDBOX_EXPIRY_NAME, SANDBOX_EXPIRY_TYPE, STOP_BRIDGES_SCHEDULE, STOP_SIGNALING_SCHEDULE } from '../../infra/aws/expiry-schedule.ts';
import type { Topology } from '../../infra/spec/types.ts';

export function expiryTargets(stack: string, topology: Topology, project = 'jitsi-eu'): string[] {
  const prefix = `urn:pulumi:${stack}::${project}::`;
  const child = (type: string, name: string) => `${prefix}${SANDBOX_EXPIRY_TYPE}$${type}::${SANDBOX_EXPIRY_NAME}-${name}`;
  const schedules = topology === 'scalable' ? [STOP_SIGNALING_SCHEDULE, STOP_BRIDGES_SCHEDULE] : [STOP_SIGNALING_SCHEDULE];
  return [
    `${prefix}${SANDBOX_EXPIRY_TYPE}::${SANDBOX_EXPIRY_NAME}`,
    child('aws:scheduler/scheduleGroup:ScheduleGroup', 'group'),
    child('aws:iam/role:Role', 'role'),
    child('aws:iam/rolePolicy:RolePolicy', 'stop'),
    ...schedules.map((name) => child('aws:scheduler/schedule:Schedule', name)),
  ];
}

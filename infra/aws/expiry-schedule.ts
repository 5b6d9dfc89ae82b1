// What a sandbox's expiry schedules are called and when they fire, without any Pulumi resource:
// the policy pack and `sandbox extend` read these too, and must stay light to load.

export const SANDBOX_EXPIRY_TYPE = 'jitsi-eu:aws:SandboxExpiry';
export const SANDBOX_EXPIRY_NAME = 'expiry';
/** Names of the schedules inside the stack's schedule group. */
export const STOP_SIGNALING_SCHEDULE = 'stop-signaling';
export const STOP_BRIDGES_SCHEDULE = 'stop-bridges';

/** `at(yyyy-mm-ddThh:mm:ss)`, to be evaluated in UTC: EventBridge Scheduler's one-time expression. */
export function atExpression(instant: string): string {
  const time = Date.parse(instant);
  if (Number.isNaN(time)) throw new Error(`${instant} is not an ISO 8601 instant`);
  return `at(${new Date(time).toISOString().slice(0, 19)})`;
}

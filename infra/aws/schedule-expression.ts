// EventBridge Scheduler's one-time expression, without any Pulumi resource: the policy pack reads
// it too, to check that a sandbox's schedule fires at its expiry.

/** `at(yyyy-mm-ddThh:mm:ss)`, to be evaluated in UTC. */
export function atExpression(instant: string): string {
  const time = Date.parse(instant);
  if (Number.isNaN(time)) throw new Error(`${instant} is not an ISO 8601 instant`);
  return `at(${new Date(time).toISOString().slice(0, 19)})`;
}

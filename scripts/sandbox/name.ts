// A sandbox name is its stack name and the first label of its domain, so it must suit both: the
// stack-name rule every command uses, and then a host name label's.
import { UsageError, checkStackName } from '../lib/cli.ts';

const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
export const MAX_NAME_LENGTH = 32;

export function checkSandboxName(name: string): string {
  checkStackName(name, `sandbox name ${JSON.stringify(name)}`);
  if (name.length > MAX_NAME_LENGTH) {
    throw new UsageError(`sandbox name ${JSON.stringify(name)} is ${name.length} characters long: use at most ${MAX_NAME_LENGTH} (it names AWS resources too)`);
  }
  if (!LABEL.test(name)) {
    throw new UsageError(
      `sandbox name ${JSON.stringify(name)} is not allowed: use lowercase letters, digits and "-" (not at the start or end), e.g. ws25-networks`,
    );
  }
  return name;
}

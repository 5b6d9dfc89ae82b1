// A sandbox name is its stack name and the first label of its domain, so it must suit both: the
// stack-name rule every command uses, and then a host name label's. Names starting with
// "example-" are the example stacks' (Pulumi.example-*.yaml ship with jitsi-eu): a sandbox of that
// name would take the example's stack file, and reap would later destroy the stack and its file.
import { UsageError, checkStackName } from '../lib/cli.ts';

const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
export const MAX_NAME_LENGTH = 32;
/** The example stack files are Pulumi.example-*.yaml. */
export const EXAMPLE_PREFIX = 'example-';

export function checkSandboxName(name: string): string {
  checkStackName(name, `sandbox name ${JSON.stringify(name)}`);
  if (name.length > MAX_NAME_LENGTH) {
    throw new UsageError(`sandbox name ${JSON.stringify(name)} is ${name.length} characters long: use at most ${MAX_NAME_LENGTH} (it names AWS resources too)`);
  }
  if (name.startsWith(EXAMPLE_PREFIX)) {
    throw new UsageError([
      `sandbox name ${JSON.stringify(name)} is not allowed: names starting with ${EXAMPLE_PREFIX} belong to the example stacks (Pulumi.${EXAMPLE_PREFIX}*.yaml ship with jitsi-eu), whose files a sandbox would take over.`,
      'Choose a name of your own, e.g. ws25-networks; to start from an example, pass it as the base: --from Pulumi.example-hetzner.yaml',
    ]);
  }
  if (!LABEL.test(name)) {
    throw new UsageError(
      `sandbox name ${JSON.stringify(name)} is not allowed: use lowercase letters, digits and "-" (not at the start or end), e.g. ws25-networks`,
    );
  }
  return name;
}

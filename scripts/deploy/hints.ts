// Where to look when a host does not come up: its console (the boot script's output as the
// instance printed it, readable without logging in), then the full log on the host itself.
import { CLOUD_INIT_OUTPUT_LOG } from '../../infra/render/paths.ts';
import { TAG_STACK } from '../../infra/tags.ts';
import type { DeployedOutputs } from './outputs.ts';

/** Lines for the operator, with the instance id and region from the stack outputs filled in. */
export function bootTroubleHints(deployed: DeployedOutputs, stack: { stack: string; region: string }): string[] {
  const region = deployed.region ?? stack.region;
  const instance = deployed.instanceId ?? '<instance-id>';
  const shell = deployed.ssmShellCommand ?? `aws ssm start-session --target ${instance} --region ${region}`;
  return [
    `the boot output so far: aws ec2 get-console-output --instance-id ${instance} --latest --region ${region} --output text`,
    `the full boot log is ${CLOUD_INIT_OUTPUT_LOG} on the host; open a shell there with: ${shell}`,
    // An older program does not export the id: the instance is still found by its tag.
    ...(deployed.instanceId ? [] : [`<instance-id>: the signaling instance tagged ${TAG_STACK}=${stack.stack} in ${region} (EC2 console, or aws ec2 describe-instances)`]),
  ];
}

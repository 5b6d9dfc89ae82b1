// Where to look when a host does not come up: its console (the boot script's output as the
// server printed it, readable without logging in), then the full log on the host itself. Each
// cloud has its own way to the console; only AWS has a shell jitsi-eu can open (SSM).
import { CLOUD_INIT_OUTPUT_LOG } from '../../infra/render/paths.ts';
import type { Cloud } from '../../infra/spec/types.ts';
import { TAG_STACK } from '../../infra/tags.ts';
import { LABEL_STACK } from '../../infra/hetzner/labels.ts';
import type { DeployedOutputs } from './outputs.ts';

/** Lines for the operator, with the server id and region from the stack outputs filled in. */
export function bootTroubleHints(deployed: DeployedOutputs, stack: { stack: string; region: string; cloud?: Cloud }): string[] {
  const region = deployed.region ?? stack.region;
  const cloud = deployed.cloud ?? stack.cloud ?? 'aws';
  const log = `the full boot log is ${CLOUD_INIT_OUTPUT_LOG} on the host`;
  if (cloud === 'hetzner') {
    const server = deployed.instanceId ?? '<server-id>';
    return [
      `the boot output so far: the server's console in the Hetzner Console (server ${server} → Console), or hcloud server request-console ${server}`,
      `${log}; jitsi-eu opens no SSH, so read it on that console (hcloud server reset-password ${server} gives root a password for it)`,
      ...(deployed.instanceId ? [] : [`<server-id>: the server labelled ${LABEL_STACK}=${stack.stack},jitsi-eu/role=signaling in ${region} (hcloud server list -l ${LABEL_STACK}=${stack.stack})`]),
    ];
  }
  if (cloud === 'openstack') {
    const server = deployed.instanceId ?? '<server-id>';
    return [
      `the boot output so far: openstack console log show ${server} (or the instance's Log tab in your cloud's dashboard)`,
      `${log}; jitsi-eu opens no SSH, so read it on the instance's console (openstack console url show ${server})`,
      ...(deployed.instanceId ? [] : [`<server-id>: the instance tagged ${TAG_STACK}=${stack.stack} in ${region} (openstack server list --tags ${TAG_STACK}=${stack.stack})`]),
    ];
  }
  const instance = deployed.instanceId ?? '<instance-id>';
  const shell = deployed.ssmShellCommand ?? `aws ssm start-session --target ${instance} --region ${region}`;
  return [
    `the boot output so far: aws ec2 get-console-output --instance-id ${instance} --latest --region ${region} --output text`,
    `${log}; open a shell there with: ${shell}`,
    // An older program does not export the id: the instance is still found by its tag.
    ...(deployed.instanceId ? [] : [`<instance-id>: the signaling instance tagged ${TAG_STACK}=${stack.stack} in ${region} (EC2 console, or aws ec2 describe-instances)`]),
  ];
}

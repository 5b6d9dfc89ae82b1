// The Hetzner Cloud stack: a private network and two firewalls, the signaling node with Primary
// IPs of its own, a fixed pool of bridge servers, and Hetzner DNS records. Credentials come from
// HCLOUD_TOKEN (Hetzner's provider reads it; nothing is in the stack file), and a Hetzner project
// has no regions or partitions: each server names its location.
// What AWS does with services of its own, the hosts do here (see infra/hetzner/user-data.ts):
// there is no parameter store, so the signaling node generates the service secrets at first boot
// and keeps them on its disk, and the bridges fetch theirs from it over the private network; the
// configuration travels in the user data, which holds no secret. Hetzner does not encrypt a
// server's local disk at rest, and its metadata service has no session token: the host limits
// who may read the metadata.
import * as pulumi from '@pulumi/pulumi';
import type { DeploymentSpec } from '../spec/types.ts';
import type { Bundle } from '../render/types.ts';
import type { StackOutputs } from '../outputs.ts';
import { roleArchive } from '../render/delivery.ts';
import { siteOutputs } from '../stack-outputs.ts';
import { hostRoles } from '../render/roles.ts';
import { SIGNALING_PRIVATE_IP } from '../private-network.ts';
import { BridgePool } from './bridge-pool.ts';
import { Dns, lookupZone } from './dns.ts';
import { Network } from './network.ts';
import { SignalingNode } from './signaling-node.ts';
import { hetznerUserData } from './user-data.ts';
import { userDataProblem } from './layout.ts';

export async function hetznerStack(spec: DeploymentSpec, bundle: Bundle): Promise<StackOutputs> {
  const deployValues = { signalingPrivateIp: SIGNALING_PRIVATE_IP };
  const archives = hostRoles(spec).map((role) => roleArchive(spec, bundle, role, deployValues));
  const userData = Object.fromEntries(hostRoles(spec).map((role) => [role, hetznerUserData(spec, bundle, role, deployValues)]));
  // Checked before anything is created: Hetzner would refuse the server halfway through a deploy.
  for (const [role, text] of Object.entries(userData)) {
    const problem = userDataProblem(role, text);
    if (problem) throw new pulumi.RunError(`Pulumi.${spec.stack}.yaml: ${problem}`);
  }
  const zone = spec.dnsZone ? await lookupZone(spec.dnsZone) : undefined;

  const network = new Network('network', { spec });
  const signaling = new SignalingNode('signaling', {
    spec,
    subnetId: network.subnetId,
    firewallId: network.signalingFirewallId,
    userData: userData.signaling!,
  });
  const bridges = spec.topology === 'scalable' && network.bridgeFirewallId
    ? new BridgePool('bridges', {
        spec,
        subnetId: network.subnetId,
        firewallId: network.bridgeFirewallId,
        userData: userData.bridge!,
        signalingServer: signaling.server,
      })
    : undefined;
  const dns = new Dns('dns', {
    spec,
    publicIp: signaling.publicIp,
    ...(signaling.ipv6Address ? { ipv6Address: signaling.ipv6Address } : {}),
    ...(zone ? { zone } : {}),
  });

  return {
    ...siteOutputs(spec, { signaling: { publicIp: signaling.publicIp, id: signaling.serverId }, dns, archives }),
    ...(bridges ? { bridgeServerIds: bridges.serverIds } : {}),
  };
}

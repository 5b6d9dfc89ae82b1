// The Hetzner Cloud stack: a private network and two firewalls, the signaling node with Primary
// IPs of its own, a fixed pool of bridge servers, and Hetzner DNS records. Credentials come from
// HCLOUD_TOKEN (Hetzner's provider reads it; nothing is in the stack file), and a Hetzner project
// has no regions or partitions: each server names its location.
// What AWS does with services of its own, the hosts do here (see infra/hetzner/user-data.ts):
// there is no parameter store, so the signaling node generates the service secrets at first boot
// and keeps them on its disk, and the bridges fetch theirs from it over the private network; the
// configuration travels in the user data, which holds no secret. Hetzner does not encrypt a
// server's local disk at rest, and its metadata service has no session token: the host limits
// who may read the metadata. What AWS does with SSM Run Command, the stack's channel key does
// here: its public half in the signaling node's user data, its private half a secret output, so
// deploy can hand a running node a new configuration instead of replacing it (infra/channel.ts).
import * as pulumi from '@pulumi/pulumi';
import { publicKeyLine } from '../channel.ts';
import { CHANNEL_KEY_ALGORITHM, CHANNEL_KEY_LINE_STAND_IN, ChannelKey } from '../channel-key.ts';
import type { ServerCloudOptions } from '../program.ts';
import { hostDefiningDigest } from '../render/archive-user-data.ts';
import { DEFAULT_IMAGE } from '../spec/keys.ts';
import type { HostRole } from '../render/types.ts';
import type { DeploymentSpec } from '../spec/types.ts';
import type { Bundle } from '../render/types.ts';
import type { StackOutputs } from '../outputs.ts';
import { roleArchive } from '../render/delivery.ts';
import { channelOutputs, siteOutputs } from '../stack-outputs.ts';
import { hostRoles } from '../render/roles.ts';
import { SIGNALING_PRIVATE_IP } from '../private-network.ts';
import { BridgePool } from './bridge-pool.ts';
import { Dns, lookupZone } from './dns.ts';
import { Network } from './network.ts';
import { SignalingNode } from './signaling-node.ts';
import { hetznerUserData } from './user-data.ts';
import { userDataProblem } from './layout.ts';

export async function hetznerStack(spec: DeploymentSpec, bundle: Bundle, options: ServerCloudOptions = {}): Promise<StackOutputs> {
  const deployValues = { signalingPrivateIp: SIGNALING_PRIVATE_IP };
  const archives = hostRoles(spec).map((role) => roleArchive(spec, bundle, role, deployValues));
  // Only the signaling node gets the channel key; bridges take no commands.
  const userDataWith = (role: HostRole, channelKey: string) =>
    hetznerUserData(spec, bundle, role, role === 'signaling' ? { ...deployValues, channelKey } : deployValues);
  // Checked before anything is created (Hetzner would refuse the server halfway through a deploy),
  // with a stand-in key: every Ed25519 key line has the same length as the real one.
  const measured = Object.fromEntries(hostRoles(spec).map((role) => [role, userDataWith(role, CHANNEL_KEY_LINE_STAND_IN)]));
  for (const [role, text] of Object.entries(measured)) {
    const problem = userDataProblem(role, text);
    if (problem) throw new pulumi.RunError(`Pulumi.${spec.stack}.yaml: ${problem}`);
  }
  const image = spec.image ?? DEFAULT_IMAGE.hetzner;
  const signalingHost = hostDefiningDigest(bundle, 'signaling', deployValues, {
    image,
    location: spec.region,
    serverType: spec.instanceType,
    channelKey: CHANNEL_KEY_ALGORITHM,
  });
  const zone = spec.dnsZone ? await lookupZone(spec.dnsZone) : undefined;

  const channelKey = new ChannelKey('channel-key');
  const network = new Network('network', { spec });
  const signaling = new SignalingNode('signaling', {
    spec,
    subnetId: network.subnetId,
    firewallId: network.signalingFirewallId,
    userData: channelKey.publicKeyPem.apply((pem) => userDataWith('signaling', publicKeyLine(pem))),
    keepsUserData: options.deployedSignalingHost === signalingHost,
  });
  const bridges = spec.topology === 'scalable' && network.bridgeFirewallId
    ? new BridgePool('bridges', {
        spec,
        subnetId: network.subnetId,
        firewallId: network.bridgeFirewallId,
        userData: measured.bridge!,
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
    ...channelOutputs(spec, { privateKeyPem: channelKey.privateKeyPem, signalingHost }),
  };
}

// The OpenStack stack: a private network routed to the cloud's external network, security groups,
// the signaling node, a fixed pool of bridges and, in a Designate zone, the site's records.
// No secret leaves the signaling node: it generates the stack's service secrets at first boot
// and the bridges fetch theirs from it over the private network.
import type { DeploymentSpec } from '../spec/types.ts';
import type { Bundle } from '../render/types.ts';
import type { StackOutputs } from '../outputs.ts';
import { roleArchive } from '../render/delivery.ts';
import { siteOutputs } from '../stack-outputs.ts';
import { hostRoles } from '../render/roles.ts';
import { SIGNALING_PRIVATE_IP } from '../private-network.ts';
import { BridgePool } from './bridge-pool.ts';
import { Dns, lookupZoneId } from './dns.ts';
import { Network, lookupExternalNetworkId, lookupIpv6SubnetPoolId } from './network.ts';
import { openstackProvider } from './provider.ts';
import { SignalingNode } from './signaling-node.ts';
import { openstackUserData } from './user-data.ts';

export async function openstackStack(spec: DeploymentSpec, bundle: Bundle): Promise<StackOutputs> {
  const deployValues = { signalingPrivateIp: SIGNALING_PRIVATE_IP };
  const archives = hostRoles(spec).map((role) => roleArchive(spec, bundle, role, deployValues));

  const provider = openstackProvider(spec);
  const inRegion = { providers: [provider] };
  const [externalNetworkId, ipv6SubnetPoolId, zoneId] = await Promise.all([
    lookupExternalNetworkId(spec, provider),
    spec.ipv6 ? lookupIpv6SubnetPoolId(provider) : Promise.resolve(undefined),
    spec.dnsZone ? lookupZoneId(spec.dnsZone, provider) : Promise.resolve(undefined),
  ]);

  const network = new Network('network', { spec, externalNetworkId, ...(ipv6SubnetPoolId ? { ipv6SubnetPoolId } : {}) }, inRegion);
  const onNetwork = { spec, networkId: network.networkId, subnetId: network.subnetId };
  const bridges = spec.topology === 'scalable' && network.bridgeSecurityGroupId
    ? new BridgePool('bridges', {
        ...onNetwork,
        securityGroupId: network.bridgeSecurityGroupId,
        userData: openstackUserData(spec, bundle, 'bridge', deployValues),
      }, inRegion)
    : undefined;
  const signaling = new SignalingNode('signaling', {
    ...onNetwork,
    securityGroupId: network.signalingSecurityGroupId,
    userData: openstackUserData(spec, bundle, 'signaling', deployValues),
  }, inRegion);
  const dns = new Dns('dns', {
    spec,
    publicIp: signaling.publicIp,
    ...(signaling.ipv6Address ? { ipv6Address: signaling.ipv6Address } : {}),
    ...(zoneId ? { zoneId } : {}),
  }, inRegion);

  return {
    ...siteOutputs(spec, { signaling: { publicIp: signaling.publicIp, id: signaling.instanceId }, dns, archives }),
    ...(bridges ? { bridgeServerIds: bridges.serverIds } : {}),
  };
}

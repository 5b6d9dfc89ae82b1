// The OpenStack stack: a private network routed to the cloud's external network, security groups,
// the signaling node, a fixed pool of bridges and, in a Designate zone, the site's records.
// No secret leaves the signaling node: it generates the stack's service secrets at first boot
// and the bridges fetch theirs from it over the private network. The stack's channel key (public
// half in the signaling node's user data, private half a secret output) lets deploy hand the
// running node a new configuration instead of replacing it (infra/channel.ts).
import { publicKeyLine } from '../channel.ts';
import { CHANNEL_KEY_ALGORITHM, CHANNEL_KEY_LINE_STAND_IN, ChannelKey } from '../channel-key.ts';
import type { ServerCloudOptions } from '../program.ts';
import { hostDefiningDigest } from '../render/archive-user-data.ts';
import type { DeploymentSpec } from '../spec/types.ts';
import type { Bundle } from '../render/types.ts';
import type { StackOutputs } from '../outputs.ts';
import { roleArchive } from '../render/delivery.ts';
import { channelOutputs, siteOutputs } from '../stack-outputs.ts';
import { hostRoles } from '../render/roles.ts';
import { SIGNALING_PRIVATE_IP } from '../private-network.ts';
import { BridgePool } from './bridge-pool.ts';
import { Dns, lookupZoneId } from './dns.ts';
import { Network, lookupExternalNetworkId, lookupIpv6SubnetPoolId } from './network.ts';
import { openstackProvider } from './provider.ts';
import { SignalingNode } from './signaling-node.ts';
import { openstackUserData } from './user-data.ts';

export async function openstackStack(spec: DeploymentSpec, bundle: Bundle, options: ServerCloudOptions = {}): Promise<StackOutputs> {
  const deployValues = { signalingPrivateIp: SIGNALING_PRIVATE_IP };
  const archives = hostRoles(spec).map((role) => roleArchive(spec, bundle, role, deployValues));
  // Made (and their size checked) before anything is created. The signaling node's is measured
  // with a stand-in key of the real one's length; bridges get no key (they take no commands).
  const signalingUserData = (channelKey: string) => openstackUserData(spec, bundle, 'signaling', { ...deployValues, channelKey });
  signalingUserData(CHANNEL_KEY_LINE_STAND_IN); // throws when it would not fit
  const bridgeUserData = spec.topology === 'scalable' ? openstackUserData(spec, bundle, 'bridge', deployValues) : undefined;
  const signalingHost = hostDefiningDigest(bundle, 'signaling', deployValues, {
    image: spec.image!,
    region: spec.region,
    flavor: spec.instanceType,
    channelKey: CHANNEL_KEY_ALGORITHM,
  });

  const provider = openstackProvider(spec);
  const inRegion = { providers: [provider] };
  const [externalNetworkId, ipv6SubnetPoolId, zoneId] = await Promise.all([
    lookupExternalNetworkId(spec, provider),
    spec.ipv6 ? lookupIpv6SubnetPoolId(provider) : Promise.resolve(undefined),
    spec.dnsZone ? lookupZoneId(spec.dnsZone, provider) : Promise.resolve(undefined),
  ]);

  const channelKey = new ChannelKey('channel-key');
  const network = new Network('network', { spec, externalNetworkId, ...(ipv6SubnetPoolId ? { ipv6SubnetPoolId } : {}) }, inRegion);
  const onNetwork = { spec, networkId: network.networkId, subnetId: network.subnetId };
  const bridges = bridgeUserData !== undefined && network.bridgeSecurityGroupId
    ? new BridgePool('bridges', {
        ...onNetwork,
        securityGroupId: network.bridgeSecurityGroupId,
        userData: bridgeUserData,
      }, inRegion)
    : undefined;
  const signaling = new SignalingNode('signaling', {
    ...onNetwork,
    securityGroupId: network.signalingSecurityGroupId,
    userData: channelKey.publicKeyPem.apply((pem) => signalingUserData(publicKeyLine(pem))),
    keepsUserData: options.deployedSignalingHost === signalingHost,
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
    ...channelOutputs(spec, { privateKeyPem: channelKey.privateKeyPem, signalingHost }),
  };
}

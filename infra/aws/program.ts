// The AWS stack: VPC and security groups, SSM secrets, the bundle bucket and its delivery, the
// signaling node, the bridges' Auto Scaling group, a sandbox's expiry schedule and Route53 records.
import * as pulumi from '@pulumi/pulumi';
import type { DeploymentSpec } from '../spec/types.ts';
import type { Bundle } from '../render/types.ts';
import type { StackOutputs } from '../outputs.ts';
import { ssmParameterName } from '../secrets.ts';
import { roleArchive } from '../render/delivery.ts';
import { siteOutputs } from '../stack-outputs.ts';
import { hostRoles } from '../render/roles.ts';
import { SIGNALING_PRIVATE_IP } from '../private-network.ts';
import { lookupAccount } from './account.ts';
import { findMachineImage, imagePinFor } from './ami.ts';
import { BridgePool } from './bridge-pool.ts';
import { Dns, lookupZoneId } from './dns.ts';
import { Network, pickAvailabilityZones } from './network.ts';
import { SANDBOX_EXPIRY_NAME } from './expiry-schedule.ts';
import { SandboxExpiry, needsExpirySchedule } from './sandbox-expiry.ts';
import { euProvider } from './provider.ts';
import { SECRETS_COMPONENT_NAME } from './secret-urns.ts';
import { Secrets } from './secrets.ts';
import { SignalingNode } from './signaling-node.ts';
import { userDataFor } from './user-data.ts';
import { BundleDelivery } from './bundle-delivery.ts';

export async function awsStack(spec: DeploymentSpec, bundle: Bundle): Promise<StackOutputs> {
  const deployValues = { signalingPrivateIp: SIGNALING_PRIVATE_IP };
  const signalingUserData = userDataFor(bundle, 'signaling', deployValues);
  const bridgeUserData = spec.topology === 'scalable' ? userDataFor(bundle, 'bridge', deployValues) : undefined;
  const archives = hostRoles(spec).map((role) => roleArchive(spec, bundle, role, deployValues));

  const provider = euProvider(spec);
  const inRegion = { providers: [provider] };
  const [account, zones, zoneId] = await Promise.all([
    lookupAccount(spec.region, provider),
    pickAvailabilityZones(provider),
    spec.dnsZone ? lookupZoneId(spec.dnsZone, provider) : Promise.resolve(undefined),
  ]);
  // The stack's recorded image(s): a newer upstream image changes nothing until `npm run upgrade`.
  const signalingImage = await findMachineImage(spec, 'signaling', provider);
  const bridgeImage = imagePinFor(spec, 'bridge').key === imagePinFor(spec, 'signaling').key ? signalingImage : await findMachineImage(spec, 'bridge', provider);

  const network = new Network('network', { spec, availabilityZones: zones }, inRegion);
  const secrets = new Secrets(SECRETS_COMPONENT_NAME, { spec, account }, inRegion);
  const delivery = new BundleDelivery('configuration', { spec, archives }, inRegion);
  const withBundles = { readBundlesPolicyArn: delivery.readPolicyArn, bootAfter: delivery.ready };
  const bridges = bridgeUserData && secrets.bridgeReadPolicyArn
    ? new BridgePool('bridges', {
        spec,
        account,
        vpcId: network.vpcId,
        subnetIds: network.subnetIds,
        image: bridgeImage,
        userDataBase64: bridgeUserData.base64,
        readSecretsPolicyArn: secrets.bridgeReadPolicyArn,
        ...withBundles,
      }, inRegion)
    : undefined;
  const signaling = new SignalingNode('signaling', {
    spec,
    account,
    vpcId: network.vpcId,
    subnetId: network.subnetIds[0]!,
    image: signalingImage,
    userDataBase64: signalingUserData.base64,
    readSecretsPolicyArn: secrets.readPolicyArn,
    ...withBundles,
    ...(bridges ? { bridgeSecurityGroupId: bridges.securityGroupId } : {}),
  }, inRegion);
  if (needsExpirySchedule(spec)) {
    new SandboxExpiry(SANDBOX_EXPIRY_NAME, {
      spec,
      account,
      signalingInstanceId: signaling.instanceId,
      ...(bridges ? { bridgeGroupName: bridges.groupName } : {}),
    }, inRegion);
  }
  const dns = new Dns('dns', {
    spec,
    publicIp: signaling.publicIp,
    ...(signaling.ipv6Address ? { ipv6Address: signaling.ipv6Address } : {}),
    ...(zoneId ? { zoneId } : {}),
  }, inRegion);

  return {
    ...siteOutputs(spec, { signaling: { publicIp: signaling.publicIp, id: signaling.instanceId }, dns, archives }),
    ...(bridges ? { bridgeAsgName: bridges.groupName } : {}),
    ssmShellCommand: pulumi.interpolate`aws ssm start-session --target ${signaling.instanceId} --region ${spec.region}`,
    ...(spec.auth === 'secure' ? { hostAccountParameter: ssmParameterName(spec.stack, 'host-password') } : {}),
  };
}

// The signaling node: web app, Prosody, jicofo, coturn, and the videobridge too in the single
// topology. Its network interface and Elastic IP exist before the instance, so the host has its
// public address from the first boot (ACME and the videobridge's address mapping need it) and
// keeps both across a replacement.
import * as pulumi from '@pulumi/pulumi';
import { Eip } from '@pulumi/aws/ec2/eip.js';
import { Instance } from '@pulumi/aws/ec2/instance.js';
import { NetworkInterface } from '@pulumi/aws/ec2/networkInterface.js';
import { SecurityGroup } from '@pulumi/aws/ec2/securityGroup.js';
import type { DeploymentSpec } from '../spec/types.ts';
import { defaultTags } from '../tags.ts';
import type { AwsAccount } from './account.ts';
import type { MachineImage } from './ami.ts';
import { allEgress, signalingIngress } from './firewall.ts';
import { instanceMetadataOptions, instanceRootVolume } from './hardening.ts';
import { createInstanceRole } from './instance-role.ts';
import { SIGNALING_PRIVATE_IP, nameTag } from './layout.ts';
import { storeCertificatePolicyDocument } from './secrets.ts';

export interface SignalingNodeArgs {
  spec: DeploymentSpec;
  account: AwsAccount;
  vpcId: pulumi.Input<string>;
  subnetId: pulumi.Input<string>;
  image: MachineImage;
  userDataBase64: string;
  /** Reads the stack's configuration bundles, which the agent fetches at first boot. */
  readBundlesPolicyArn?: pulumi.Input<string>;
  /** What must exist before a host boots: its bundle and the pointer to it. */
  bootAfter?: pulumi.Resource[];
  readSecretsPolicyArn: pulumi.Input<string>;
  /** Scalable topology: the bridges may log in over XMPP. */
  bridgeSecurityGroupId?: pulumi.Input<string>;
}

export class SignalingNode extends pulumi.ComponentResource {
  readonly instanceId: pulumi.Output<string>;
  readonly publicIp: pulumi.Output<string>;
  /** Dual stack only: the node's IPv6 address (public as it is, no NAT). */
  readonly ipv6Address?: pulumi.Output<string>;
  readonly privateIp: string = SIGNALING_PRIVATE_IP;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: SignalingNodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:aws:SignalingNode', name, {}, opts);
    const { spec } = args;
    const child = { parent: this };

    const securityGroup = new SecurityGroup(`${name}-sg`, {
      description: `jitsi-eu ${spec.stack} signaling node`,
      vpcId: args.vpcId,
      ingress: signalingIngress(spec, args.bridgeSecurityGroupId),
      egress: allEgress(spec),
      tags: { Name: nameTag(spec, 'signaling') },
    }, child);
    const networkInterface = new NetworkInterface(`${name}-eni`, {
      subnetId: args.subnetId,
      privateIps: [SIGNALING_PRIVATE_IP],
      // Dual stack: one address from the subnet's /64, kept across host replacements like the Elastic IP.
      ...(spec.ipv6 ? { ipv6AddressCount: 1 } : {}),
      securityGroups: [securityGroup.id],
      description: `jitsi-eu ${spec.stack} signaling node`,
      tags: { Name: nameTag(spec, 'signaling') },
    }, child);
    const address = new Eip(`${name}-eip`, {
      domain: 'vpc',
      networkInterface: networkInterface.id,
      associateWithPrivateIp: SIGNALING_PRIVATE_IP,
      tags: { Name: nameTag(spec, 'signaling') },
    }, child);
    const { profile } = createInstanceRole(`${name}`, {
      account: args.account,
      description: `jitsi-eu ${spec.stack} signaling node`,
      readSecretsPolicyArn: args.readSecretsPolicyArn,
      ...(args.readBundlesPolicyArn ? { readBundlesPolicyArn: args.readBundlesPolicyArn } : {}),
      // A replacement host restores the certificate instead of asking Let's Encrypt again.
      inlinePolicy: storeCertificatePolicyDocument(spec, args.account),
    }, this);

    const instance = new Instance(`${name}-instance`, {
      ami: args.image.id,
      instanceType: spec.instanceType,
      iamInstanceProfile: profile.name,
      primaryNetworkInterface: { networkInterfaceId: networkInterface.id },
      metadataOptions: instanceMetadataOptions({ tagsInMetadata: false }),
      rootBlockDevice: instanceRootVolume('signaling', { ...defaultTags(spec), Name: nameTag(spec, 'signaling') }),
      userDataBase64: args.userDataBase64,
      // cloud-init only runs on the first boot: new user data means a new host.
      userDataReplaceOnChange: true,
      tags: { Name: nameTag(spec, 'signaling') },
    }, {
      parent: this,
      // The network interface can only be attached to one instance at a time.
      deleteBeforeReplace: true,
      dependsOn: [address, ...(args.bootAfter ?? [])],
    });

    this.instanceId = instance.id;
    this.publicIp = address.publicIp;
    if (spec.ipv6) this.ipv6Address = networkInterface.ipv6Addresses.apply((list) => list[0]!);
    this.securityGroupId = securityGroup.id;
    this.registerOutputs({ instanceId: this.instanceId, publicIp: this.publicIp, securityGroupId: this.securityGroupId });
  }
}

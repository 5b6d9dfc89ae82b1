// The signaling node: web app, Prosody, jicofo, coturn, and the videobridge too in the single
// topology. It sits at the fixed private address the bridges' configuration names.
import * as pulumi from '@pulumi/pulumi';
import type { DeploymentSpec } from '../spec/types.ts';
import { SIGNALING_PRIVATE_IP } from '../private-network.ts';
import { createPublicServer } from './server.ts';

export interface SignalingNodeArgs {
  spec: DeploymentSpec;
  networkId: pulumi.Input<string>;
  subnetId: pulumi.Input<string>;
  securityGroupId: pulumi.Input<string>;
  userData: pulumi.Input<string>;
  /** The running node keeps the user data it booted with: only its configuration changed (applied in place). */
  keepsUserData: boolean;
}

export class SignalingNode extends pulumi.ComponentResource {
  readonly instanceId: pulumi.Output<string>;
  readonly publicIp: pulumi.Output<string>;
  /** Dual stack only: the node's IPv6 address (SLAAC from the stack's IPv6 subnet; public as it is). */
  readonly ipv6Address?: pulumi.Output<string>;
  readonly privateIp: string = SIGNALING_PRIVATE_IP;

  constructor(name: string, args: SignalingNodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:openstack:SignalingNode', name, {}, opts);
    const { spec } = args;
    const server = createPublicServer(name, {
      spec,
      role: 'signaling',
      label: 'signaling',
      flavorName: spec.instanceType,
      networkId: args.networkId,
      subnetId: args.subnetId,
      securityGroupId: args.securityGroupId,
      fixedIp: SIGNALING_PRIVATE_IP,
      userData: args.userData,
      keepsUserData: args.keepsUserData,
    }, this);
    this.instanceId = server.instance.id;
    this.publicIp = server.address.address;
    if (spec.ipv6) {
      this.ipv6Address = server.port.allFixedIps.apply((ips) => {
        const found = ips.find((ip) => ip.includes(':'));
        if (!found) throw new Error('the signaling node\'s port has no IPv6 address: does the IPv6 subnet hand out addresses by SLAAC?');
        return found;
      });
    }
    this.registerOutputs({ instanceId: this.instanceId, publicIp: this.publicIp });
  }
}

// The videobridges of a scalable deployment: a fixed pool of servers, each with its own floating
// address (media must reach the very bridge that serves it), which its videobridge announces.
//
// Not automatic on OpenStack: there is no scaling on load. The pool is jitsi-eu:bridges.min
// servers (the spec requires min = max); change the number and deploy to scale. Scaling in
// removes the last servers: each is stopped before it is deleted, and the host's drain runs at
// shutdown. Nova waits only so long for a clean shutdown before it powers a server off (60 s
// unless the cloud or the image's os_shutdown_timeout property says otherwise), so meetings
// longer than that are cut, unlike on AWS where the lifecycle hook waits for the last one: scale
// in when the bridges are idle. A bridge that dies is not replaced until the next deploy.
import * as pulumi from '@pulumi/pulumi';
import type { DeploymentSpec } from '../spec/types.ts';
import { createPublicServer } from './server.ts';

export interface BridgePoolArgs {
  spec: DeploymentSpec;
  networkId: pulumi.Input<string>;
  subnetId: pulumi.Input<string>;
  securityGroupId: pulumi.Input<string>;
  userData: string;
}

export class BridgePool extends pulumi.ComponentResource {
  readonly serverIds: pulumi.Output<string>[];
  readonly publicIps: pulumi.Output<string>[];

  constructor(name: string, args: BridgePoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:openstack:BridgePool', name, {}, opts);
    const { spec } = args;
    const pool = spec.bridges;
    if (!pool) throw new Error('BridgePool needs a scalable spec with bridges');
    const servers = Array.from({ length: pool.min }, (_, i) =>
      createPublicServer(`${name}-${i + 1}`, {
        spec,
        role: 'bridge',
        label: `bridge-${i + 1}`,
        flavorName: pool.instanceType,
        networkId: args.networkId,
        subnetId: args.subnetId,
        securityGroupId: args.securityGroupId,
        userData: args.userData,
      }, this));
    this.serverIds = servers.map((s) => s.instance.id);
    this.publicIps = servers.map((s) => s.address.address);
    this.registerOutputs({ serverIds: this.serverIds, publicIps: this.publicIps });
  }
}

// The bridges of the scalable topology: a fixed pool of spec.bridges.min servers (Hetzner Cloud
// has no autoscaling group; the spec holds min equal to max there). What is not automatic: the
// pool does not grow or shrink with load. To scale, change jitsi-eu:bridges min and max and
// deploy: new bridges join jicofo's brewery as they boot; a removed bridge is shut down before it
// is deleted, and the host's drain (run at shutdown) lets its conferences end first. A bridge is
// also replaced when its user data changes, and whenever the signaling node is replaced (the new
// node generates new service secrets, which the old bridges would not know). A replacement bridge
// is created before the old one is drained and deleted, so each generation gets its own name.
// Each bridge's public addresses are the ones Hetzner creates with the server and deletes with it.
import * as pulumi from '@pulumi/pulumi';
import { Server } from '@pulumi/hcloud/server.js';
import type { DeploymentSpec } from '../spec/types.ts';
import { DEFAULT_IMAGE } from '../spec/keys.ts';
import { hetznerLabels } from './labels.ts';
import { hetznerName, shortHash } from './layout.ts';

export interface BridgePoolArgs {
  spec: DeploymentSpec;
  subnetId: pulumi.Input<string>;
  firewallId: pulumi.Input<number>;
  userData: string;
  /** Bridges boot once it exists (they fetch their password from it) and are replaced with it. */
  signalingServer: pulumi.Resource;
}

export class BridgePool extends pulumi.ComponentResource {
  readonly serverIds: pulumi.Output<string>[];

  constructor(name: string, args: BridgePoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:hetzner:BridgePool', name, {}, opts);
    const { spec } = args;
    if (!spec.bridges) throw new Error('the bridge pool needs jitsi-eu:bridges (scalable topology)');
    const image = spec.image ?? DEFAULT_IMAGE.hetzner;
    // What makes a new server: a new name along with it, so old and new can coexist during the swap.
    const generation = shortHash(args.userData, image, spec.region);

    this.serverIds = Array.from({ length: spec.bridges.min }, (_, index) => {
      const server = new Server(`${name}-${index + 1}`, {
        name: hetznerName(spec, `bridge-${index + 1}-${generation}`),
        serverType: spec.bridges!.instanceType,
        image,
        location: spec.region,
        userData: args.userData,
        labels: hetznerLabels(spec, 'bridge'),
        firewallIds: [args.firewallId],
        publicNets: [{ ipv4Enabled: true, ipv6Enabled: spec.ipv6 }],
        // A private address from the subnet, chosen by Hetzner; aliasIps as on the signaling node.
        networks: [{ subnetId: args.subnetId, aliasIps: [] }],
        backups: false,
        // The drain runs when the host shuts down: conferences end before the server is deleted.
        shutdownBeforeDeletion: true,
      }, {
        parent: this,
        dependsOn: [args.signalingServer],
        replaceWith: [args.signalingServer],
      });
      return server.id;
    });
    this.registerOutputs({ serverIds: this.serverIds });
  }
}

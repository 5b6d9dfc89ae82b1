// The signaling node: web app, Prosody, jicofo, coturn, and the videobridge too in the single
// topology. Its public addresses are Primary IPs of their own, created before the server and kept
// when the server is replaced, so the DNS record and the address the bridges and clients know
// stay put; its private address is fixed (SIGNALING_PRIVATE_IP), because the bridges' bundle
// names it. No SSH key: Hetzner then gives root a generated password, and no firewall rule lets
// port 22 in to use it. Provider backups are off: the node keeps nothing a new one does not
// rebuild from the bundle.
import * as pulumi from '@pulumi/pulumi';
import { PrimaryIp } from '@pulumi/hcloud/primaryIp.js';
import { Server } from '@pulumi/hcloud/server.js';
import type { DeploymentSpec } from '../spec/types.ts';
import { DEFAULT_IMAGE } from '../spec/keys.ts';
import { SIGNALING_PRIVATE_IP } from '../private-network.ts';
import { hetznerLabels } from './labels.ts';
import { hetznerName } from './layout.ts';
import { numericId } from './network.ts';

export interface SignalingNodeArgs {
  spec: DeploymentSpec;
  subnetId: pulumi.Input<string>;
  firewallId: pulumi.Input<number>;
  /** cloud-config as the server receives it. */
  userData: pulumi.Input<string>;
  /**
   * The running node keeps the user data it booted with: what defines it is unchanged and only its
   * configuration differs, which deploy applies in place through the operator channel.
   */
  keepsUserData: boolean;
}

export class SignalingNode extends pulumi.ComponentResource {
  readonly serverId: pulumi.Output<string>;
  /** The server itself, for resources that must follow its replacement. */
  readonly server: Server;
  readonly publicIp: pulumi.Output<string>;
  /** Dual stack only: the node's IPv6 address (the first of its Primary IPv6 /64). */
  readonly ipv6Address?: pulumi.Output<string>;
  readonly privateIp: string = SIGNALING_PRIVATE_IP;

  constructor(name: string, args: SignalingNodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:hetzner:SignalingNode', name, {}, opts);
    const { spec } = args;
    const child = { parent: this };

    const address = (type: 'ipv4' | 'ipv6') =>
      new PrimaryIp(`${name}-${type}`, {
        name: hetznerName(spec, `signaling-${type}`),
        type,
        location: spec.region,
        assigneeType: 'server',
        // Kept when the server goes: only the stack's own teardown releases it.
        autoDelete: false,
        labels: hetznerLabels(spec, 'address'),
      }, child);
    const ipv4 = address('ipv4');
    const ipv6 = spec.ipv6 ? address('ipv6') : undefined;

    this.server = new Server(`${name}-server`, {
      name: hetznerName(spec, 'signaling'),
      serverType: spec.instanceType,
      image: spec.image ?? DEFAULT_IMAGE.hetzner,
      location: spec.region,
      userData: args.userData,
      labels: hetznerLabels(spec, 'signaling'),
      firewallIds: [args.firewallId],
      publicNets: [{
        ipv4Enabled: true,
        ipv4: numericId(ipv4.id),
        ipv6Enabled: spec.ipv6,
        ...(ipv6 ? { ipv6: numericId(ipv6.id) } : {}),
      }],
      // aliasIps stays an empty list: left out, the provider detaches and re-attaches the network on every update.
      networks: [{ subnetId: args.subnetId, ip: SIGNALING_PRIVATE_IP, aliasIps: [] }],
      backups: false,
      // Services stop in order (and a sandbox's logs are flushed) before the server is deleted.
      shutdownBeforeDeletion: true,
    }, {
      parent: this,
      // Its Primary IPs and its private address belong to one server at a time: the old server
      // goes before its replacement is created.
      deleteBeforeReplace: true,
      // New user data would replace the server (meetings end). Pulumi would also give an ignored
      // property's old value to a replacement, so this is set only when nothing that could replace
      // the server changed (the program's signalingHost digest covers image, place and type).
      ...(args.keepsUserData ? { ignoreChanges: ['userData'] } : {}),
    });

    this.serverId = this.server.id;
    this.publicIp = ipv4.ipAddress;
    if (ipv6) this.ipv6Address = this.server.ipv6Address;
    this.registerOutputs({ serverId: this.serverId, publicIp: this.publicIp });
  }
}

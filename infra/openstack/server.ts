// One server with its own public address, as both host roles need it: a floating address taken
// first, a port on the private subnet, the server on that port, and the address bound to the port.
// The address is in the server's metadata from the first boot (the host cannot learn it
// otherwise: the floating address is NAT at the router, invisible on the interface), and the
// address and port outlive a server replacement, so DNS and the videobridge's view stay put.
import * as pulumi from '@pulumi/pulumi';
import { Instance } from '@pulumi/openstack/compute/instance.js';
import { FloatingIp } from '@pulumi/openstack/networking/floatingIp.js';
import { FloatingIpAssociate } from '@pulumi/openstack/networking/floatingIpAssociate.js';
import { Port } from '@pulumi/openstack/networking/port.js';
import type { DeploymentSpec } from '../spec/types.ts';
import { resourceName } from './layout.ts';
import { METADATA_PUBLIC_IPV4, openstackMetadata, openstackTags } from './tags.ts';

export interface PublicServerArgs {
  spec: DeploymentSpec;
  role: 'signaling' | 'bridge';
  /** Shown in OpenStack: `jitsi-eu-<stack>-<label>`. */
  label: string;
  flavorName: string;
  networkId: pulumi.Input<string>;
  subnetId: pulumi.Input<string>;
  securityGroupId: pulumi.Input<string>;
  /** A fixed private address; otherwise DHCP picks one. */
  fixedIp?: string;
  userData: pulumi.Input<string>;
  /**
   * Signaling node only: the running server keeps the user data it booted with, because deploy
   * applies a configuration-only change in place through the operator channel.
   */
  keepsUserData?: boolean;
}

export interface PublicServer {
  instance: Instance;
  address: FloatingIp;
  port: Port;
}

export function createPublicServer(name: string, args: PublicServerArgs, parent: pulumi.Resource): PublicServer {
  const { spec } = args;
  const tags = openstackTags(spec);
  const child = { parent };

  const address = new FloatingIp(`${name}-fip`, {
    pool: spec.externalNetwork!,
    description: `jitsi-eu ${spec.stack} ${args.label}`,
    tags,
  }, child);
  const port = new Port(`${name}-port`, {
    name: resourceName(spec, args.label),
    networkId: args.networkId,
    fixedIps: [{ subnetId: args.subnetId, ...(args.fixedIp ? { ipAddress: args.fixedIp } : {}) }],
    securityGroupIds: [args.securityGroupId],
    adminStateUp: true,
    tags,
  }, child);
  const instance = new Instance(`${name}-server`, {
    name: resourceName(spec, args.label),
    flavorName: args.flavorName,
    imageName: spec.image!,
    // Root disk: the flavor's own disk. Whether the cloud encrypts it at rest is the cloud's
    // choice (OpenStack has no switch for it on ephemeral disks); jitsi-eu keeps no meeting
    // content on disk (media passes through memory only; there is no recording).
    networks: [{ port: port.id }],
    // No keyPair: no SSH. The console the cloud offers is the way in when a host needs a person.
    userData: args.userData,
    // Read by the host from the config drive, so it needs no metadata service at boot. The
    // metadata service answers only the server itself; it holds nothing secret either way.
    configDrive: true,
    metadata: pulumi.output(address.address).apply((ip) => ({ ...openstackMetadata(spec, args.role), [METADATA_PUBLIC_IPV4]: ip })),
    tags,
    // A clean shutdown first: the host's shutdown runs the videobridge's drain, so meetings end
    // before the server goes (the same drain as on AWS, started by systemd instead of a hook).
    stopBeforeDestroy: true,
  }, {
    parent,
    // The port can be attached to one server at a time.
    deleteBeforeReplace: true,
    // New user data would replace the server (meetings end). Pulumi would also give an ignored
    // property's old value to a replacement, so this is set only when nothing that could replace
    // the server changed (the program's signalingHost digest covers image, region and flavor).
    ...(args.keepsUserData ? { ignoreChanges: ['userData'] } : {}),
  });
  new FloatingIpAssociate(`${name}-fip-port`, { floatingIp: address.address, portId: port.id }, child);
  return { instance, address, port };
}

// The stack's private network with its router to the cloud's external network, and the two
// security groups. Hosts reach the Internet through the router (SNAT) and are reached through
// their floating addresses. With jitsi-eu:ipv6 the network also gets an IPv6 subnet from the
// cloud's default IPv6 subnet pool, routed by the same router; hosts take their address by SLAAC.
import * as pulumi from '@pulumi/pulumi';
import { getNetwork } from '@pulumi/openstack/networking/getNetwork.js';
import { getSubnetPool } from '@pulumi/openstack/networking/getSubnetPool.js';
import { Network as NeutronNetwork } from '@pulumi/openstack/networking/network.js';
import { Router } from '@pulumi/openstack/networking/router.js';
import { RouterInterface } from '@pulumi/openstack/networking/routerInterface.js';
import { SecGroup } from '@pulumi/openstack/networking/secGroup.js';
import { SecGroupRule } from '@pulumi/openstack/networking/secGroupRule.js';
import { Subnet } from '@pulumi/openstack/networking/subnet.js';
import type { DeploymentSpec } from '../spec/types.ts';
import { PRIVATE_SUBNET_CIDR } from '../private-network.ts';
import { type SecurityRule, bridgeRules, ruleName, signalingRules } from './firewall.ts';
import { DHCP_POOL, resourceName } from './layout.ts';
import { openstackTags } from './tags.ts';

/** The external network (by the name the stack gives) that floating addresses and the router use. */
export async function lookupExternalNetworkId(spec: DeploymentSpec, provider: pulumi.ProviderResource): Promise<string> {
  const network = await getNetwork({ name: spec.externalNetwork!, external: true }, { provider });
  return network.id;
}

/**
 * Dual stack: the cloud's default IPv6 subnet pool. Whether its prefixes are routed to the
 * Internet is the cloud's choice (an address scope shared with the external network); clouds
 * without one cannot give jitsi-eu public IPv6, and the lookup fails naming the pool it wanted.
 */
export async function lookupIpv6SubnetPoolId(provider: pulumi.ProviderResource): Promise<string> {
  const pool = await getSubnetPool({ ipVersion: 6, isDefault: true }, { provider });
  return pool.id;
}

export interface NetworkArgs {
  spec: DeploymentSpec;
  externalNetworkId: string;
  /** Dual stack only. */
  ipv6SubnetPoolId?: string;
}

export class Network extends pulumi.ComponentResource {
  readonly networkId: pulumi.Output<string>;
  /** The IPv4 subnet; resolves once the router serves it, so hosts boot with a way out. */
  readonly subnetId: pulumi.Output<string>;
  readonly signalingSecurityGroupId: pulumi.Output<string>;
  /** Scalable topology only. */
  readonly bridgeSecurityGroupId?: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:openstack:Network', name, {}, opts);
    const { spec } = args;
    const child = { parent: this };
    const tags = openstackTags(spec);

    const network = new NeutronNetwork(`${name}-net`, { name: resourceName(spec, 'net'), adminStateUp: true, tags }, child);
    const subnet = new Subnet(`${name}-subnet`, {
      name: resourceName(spec, 'subnet'),
      networkId: network.id,
      cidr: PRIVATE_SUBNET_CIDR,
      ipVersion: 4,
      enableDhcp: true,
      allocationPools: [DHCP_POOL],
      tags,
    }, child);
    const router = new Router(`${name}-router`, {
      name: resourceName(spec, 'router'),
      externalNetworkId: args.externalNetworkId,
      adminStateUp: true,
      tags,
    }, child);
    const routed = new RouterInterface(`${name}-router-subnet`, { routerId: router.id, subnetId: subnet.id }, child);
    const routes: RouterInterface[] = [routed];
    if (spec.ipv6) {
      if (!args.ipv6SubnetPoolId) throw new Error('a dual-stack network needs the cloud\'s IPv6 subnet pool');
      const subnetV6 = new Subnet(`${name}-subnet-v6`, {
        name: resourceName(spec, 'subnet-v6'),
        networkId: network.id,
        ipVersion: 6,
        subnetpoolId: args.ipv6SubnetPoolId,
        ipv6AddressMode: 'slaac',
        ipv6RaMode: 'slaac',
        tags,
      }, child);
      routes.push(new RouterInterface(`${name}-router-subnet-v6`, { routerId: router.id, subnetId: subnetV6.id }, child));
    }

    const group = (role: 'signaling' | 'bridge', rules: SecurityRule[]) => {
      const sg = new SecGroup(`${name}-${role}-sg`, {
        name: resourceName(spec, role),
        description: `jitsi-eu ${spec.stack} ${role === 'signaling' ? 'signaling node' : 'videobridges'}`,
        // A new group allows all outbound traffic by default; the rules below are the whole policy.
        deleteDefaultRules: true,
        tags,
      }, child);
      for (const rule of rules) {
        new SecGroupRule(`${name}-${role}-${ruleName(rule)}`, { ...rule, securityGroupId: sg.id }, child);
      }
      return sg.id;
    };
    this.signalingSecurityGroupId = group('signaling', signalingRules(spec));
    if (spec.topology === 'scalable') this.bridgeSecurityGroupId = group('bridge', bridgeRules(spec));

    this.networkId = network.id;
    // Handing out the subnet through the router interfaces makes every port (and so every host
    // and floating address) wait for the route: a floating address cannot be bound to a port
    // whose subnet has no router to the external network.
    this.subnetId = pulumi.all([subnet.id, ...routes.map((r) => r.id)]).apply(([id]) => id);
    this.registerOutputs({ networkId: this.networkId, subnetId: this.subnetId });
  }
}

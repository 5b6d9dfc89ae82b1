// A VPC with one public subnet in each of two availability zones, an internet gateway and a
// default route. No NAT gateway: every host has its own public address. With jitsi-eu:ipv6 the
// VPC also gets an Amazon-provided /56, each subnet a /64 of it, and IPv6 a default route too.
import * as pulumi from '@pulumi/pulumi';
import { getAvailabilityZones } from '@pulumi/aws/getAvailabilityZones.js';
import { InternetGateway } from '@pulumi/aws/ec2/internetGateway.js';
import { RouteTable } from '@pulumi/aws/ec2/routeTable.js';
import { RouteTableAssociation } from '@pulumi/aws/ec2/routeTableAssociation.js';
import { Subnet } from '@pulumi/aws/ec2/subnet.js';
import { Vpc } from '@pulumi/aws/ec2/vpc.js';
import type { DeploymentSpec } from '../spec/types.ts';
import { SUBNET_CIDRS, VPC_CIDR, nameTag } from './layout.ts';

/** The first availability zones of the region, skipping Local and Wavelength Zones. */
export async function pickAvailabilityZones(provider: pulumi.ProviderResource): Promise<string[]> {
  const zones = await getAvailabilityZones(
    { state: 'available', filters: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }] },
    { provider },
  );
  const names = [...zones.names].sort();
  if (names.length < SUBNET_CIDRS.length) {
    throw new Error(`the region offers ${names.length} availability zone(s); jitsi-eu needs ${SUBNET_CIDRS.length}`);
  }
  return names.slice(0, SUBNET_CIDRS.length);
}

/**
 * The `index`-th /64 of a VPC's /56 (AWS hands out /56 blocks; subnets must be /64). Pure, so
 * the address plan can be checked without a cloud.
 */
export function ipv6SubnetCidr(vpcCidr: string, index: number): string {
  const m = /^([0-9a-f:]+)\/56$/i.exec(vpcCidr);
  if (!m) throw new Error(`expected the VPC's IPv6 block as a /56, got ${JSON.stringify(vpcCidr)}`);
  if (!Number.isInteger(index) || index < 0 || index > 255) throw new Error(`subnet index ${index} is outside a /56 (0-255)`);
  const [head, tail = ''] = m[1]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right].map((g) => parseInt(g, 16));
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g) || g > 0xffff)) throw new Error(`${vpcCidr} is not an IPv6 block`);
  if ((groups[3]! & 0xff) !== 0 || groups.slice(4).some((g) => g !== 0)) throw new Error(`${vpcCidr} has host bits set below /56`);
  groups[3] = groups[3]! | index;
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

export interface NetworkArgs {
  spec: DeploymentSpec;
  availabilityZones: string[];
}

export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  /** In the order of `availabilityZones`; the first holds the signaling node. Resolve once routed. */
  readonly subnetIds: pulumi.Output<string>[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:aws:Network', name, {}, opts);
    const { spec } = args;
    const child = { parent: this };

    const vpc = new Vpc(`${name}-vpc`, {
      cidrBlock: VPC_CIDR,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      ...(spec.ipv6 ? { assignGeneratedIpv6CidrBlock: true } : {}),
      tags: { Name: nameTag(spec, 'vpc') },
    }, child);
    const gateway = new InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: nameTag(spec, 'igw') } }, child);
    const routes = new RouteTable(`${name}-public`, {
      vpcId: vpc.id,
      routes: [
        { cidrBlock: '0.0.0.0/0', gatewayId: gateway.id },
        // Public IPv6 addresses need no NAT: the gateway routes them as they are.
        ...(spec.ipv6 ? [{ ipv6CidrBlock: '::/0', gatewayId: gateway.id }] : []),
      ],
      tags: { Name: nameTag(spec, 'public') },
    }, child);

    this.subnetIds = args.availabilityZones.map((zone, index) => {
      const subnet = new Subnet(`${name}-public-${index + 1}`, {
        vpcId: vpc.id,
        cidrBlock: SUBNET_CIDRS[index]!,
        availabilityZone: zone,
        // Hosts get public addresses deliberately: an Elastic IP, or the bridges' launch template.
        mapPublicIpOnLaunch: false,
        ...(spec.ipv6
          ? {
              ipv6CidrBlock: vpc.ipv6CidrBlock.apply((block) => ipv6SubnetCidr(block, index)),
              // Every host gets one: the bridges through their launch template, the signaling node on its interface.
              assignIpv6AddressOnCreation: true,
            }
          : {}),
        tags: { Name: nameTag(spec, `public-${zone}`) },
      }, child);
      const association = new RouteTableAssociation(`${name}-public-${index + 1}`, { subnetId: subnet.id, routeTableId: routes.id }, child);
      // Handing out the id through the association makes every host wait for its route to the
      // Internet (and so for the gateway): packages and certificates are fetched at first boot,
      // and an Elastic IP cannot be attached in a VPC without a gateway.
      return pulumi.all([subnet.id, association.id]).apply(([subnetId]) => subnetId);
    });
    this.vpcId = vpc.id;
    this.registerOutputs({ vpcId: this.vpcId, subnetIds: this.subnetIds });
  }
}

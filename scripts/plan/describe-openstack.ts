// What a reader needs to see of a planned OpenStack resource: flavor, image, networks, security
// group rules, floating address, metadata keys. Ids the cloud assigns at deploy time are left out.
import { MOCK_IMAGE_ID, MOCK_PUBLIC_IP, mockUuid } from './stand-ins.ts';
import type { RecordedResource } from './record.ts';
import { type InboundRule, type Props, list, pick, rec, ruleLine, userData } from './props.ts';

const ports = (min: unknown, max: unknown): string =>
  min === undefined ? 'all ports' : min === max || max === undefined ? String(min) : `${String(min)}-${String(max)}`;

/** An ingress security group rule, or nothing for egress rules and other resources. */
export function openstackInboundRule(resource: RecordedResource, groupNames: ReadonlyMap<string, string> = new Map()): InboundRule | undefined {
  const p = resource.inputs;
  if (resource.type !== 'openstack:networking/secGroupRule:SecGroupRule' || p.direction !== 'ingress') return undefined;
  const source = p.remoteIpPrefix !== undefined
    ? String(p.remoteIpPrefix)
    : p.remoteGroupId !== undefined ? `security group ${groupNames.get(String(p.remoteGroupId)) ?? String(p.remoteGroupId)}` : `any ${String(p.ethertype ?? 'IPv4')} address`;
  return {
    protocol: String(p.protocol ?? 'any'),
    ports: ports(p.portRangeMin, p.portRangeMax),
    sources: [source],
    ...(p.description ? { description: String(p.description) } : {}),
  };
}

const image = (p: Props) =>
  p.imageId === mockUuid(MOCK_IMAGE_ID) ? `${String(p.imageName ?? 'Debian 12')} image looked up at deploy time` : (p.imageName ?? p.imageId);
const address = (value: unknown) => (value === MOCK_PUBLIC_IP ? "the signaling node's floating IP" : value);

export function describeOpenStack(resource: RecordedResource, groupNames: ReadonlyMap<string, string> = new Map()): Props | undefined {
  const p = resource.inputs;
  switch (resource.type) {
    case 'pulumi:providers:openstack':
      // Credentials come from clouds.yaml or OS_* variables and never appear in a plan.
      return pick(p, ['cloud', 'region']);
    case 'openstack:compute/instance:Instance':
      return {
        flavor: p.flavorName ?? p.flavorId,
        image: image(p),
        keyPair: p.keyPair ?? 'none',
        networks: list(p.networks).length,
        securityGroups: list(p.securityGroups).map(String),
        configDrive: p.configDrive,
        metadata: Object.keys(rec(p.metadata)),
        userData: userData(p.userData, false),
        stopBeforeDestroy: p.stopBeforeDestroy,
        tags: p.tags,
      };
    case 'openstack:networking/secGroup:SecGroup':
      return pick(p, ['description', 'deleteDefaultRules', 'tags']);
    case 'openstack:networking/secGroupRule:SecGroupRule': {
      const inbound = openstackInboundRule(resource, groupNames);
      return inbound ? { ingress: ruleLine(inbound) } : { egress: `${String(p.protocol ?? 'any')} ${ports(p.portRangeMin, p.portRangeMax)} to ${String(p.remoteIpPrefix ?? 'anywhere')}` };
    }
    case 'openstack:networking/network:Network':
      return pick(p, ['adminStateUp', 'tags']);
    case 'openstack:networking/subnet:Subnet':
      return pick(p, ['cidr', 'ipVersion', 'enableDhcp', 'dnsNameservers', 'tags']);
    case 'openstack:networking/router:Router':
      return { externalNetwork: 'the external network (looked up by name)', tags: p.tags };
    case 'openstack:networking/port:Port':
      return { fixedIps: list(p.fixedIps).map((f) => String(rec(f).ipAddress ?? 'an address of the subnet')), securityGroups: list(p.securityGroupIds).length, portSecurityEnabled: p.portSecurityEnabled };
    case 'openstack:networking/floatingIp:FloatingIp':
      return pick(p, ['pool', 'description', 'tags']);
    case 'openstack:dns/recordSet:RecordSet':
      return { ...pick(p, ['name', 'type', 'ttl']), records: list(p.records).map(address) };
    default:
      return resource.type.startsWith('openstack:') ? {} : undefined;
  }
}

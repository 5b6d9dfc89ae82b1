// What the offline plan's mocks answer for OpenStack resources and lookups, shaped like Nova's,
// Neutron's, Glance's and Designate's answers (UUIDs, a floating address from the external
// network), with stand-in values from the documentation ranges.
import type { MockResourceArgs } from '@pulumi/pulumi/runtime/mocks.js';
import { MOCK_IMAGE_ID, mockIpv4, mockUuid } from './stand-ins.ts';

type Props = Record<string, unknown>;

export function openstackMockState(args: MockResourceArgs): { id: string; state: Props } | undefined {
  const inputs = args.inputs as Props;
  const id = mockUuid(args.name);
  switch (args.type) {
    case 'openstack:compute/instance:Instance':
      return { id, state: { ...inputs, accessIpV4: '', accessIpV6: '', powerState: 'active', allMetadata: inputs.metadata ?? {}, allTags: inputs.tags ?? [] } };
    case 'openstack:networking/floatingIp:FloatingIp':
      return { id, state: { ...inputs, address: mockIpv4(args.name), allTags: inputs.tags ?? [] } };
    case 'openstack:networking/port:Port': {
      const fixed = ((inputs.fixedIps as Props[] | undefined) ?? []).map((f) => ({ subnetId: f.subnetId, ipAddress: f.ipAddress ?? '10.0.0.20' }));
      return { id, state: { ...inputs, allFixedIps: fixed.map((f) => f.ipAddress), allSecurityGroupIds: inputs.securityGroupIds ?? [], macAddress: 'fa:16:3e:00:00:01', allTags: inputs.tags ?? [] } };
    }
    case 'openstack:networking/router:Router':
      return { id, state: { ...inputs, externalFixedIps: [{ ipAddress: '203.0.113.2' }], allTags: inputs.tags ?? [] } };
    case 'openstack:networking/subnet:Subnet':
      return { id, state: { ...inputs, gatewayIp: inputs.gatewayIp ?? '10.0.0.1', allTags: inputs.tags ?? [] } };
    case 'openstack:networking/network:Network':
    case 'openstack:networking/secGroup:SecGroup':
    case 'openstack:networking/secGroupRule:SecGroupRule':
    case 'openstack:networking/routerInterface:RouterInterface':
    case 'openstack:networking/floatingIpAssociate:FloatingIpAssociate':
    case 'openstack:networking/portSecGroupAssociate:PortSecGroupAssociate':
    case 'openstack:compute/serverGroup:ServerGroup':
    case 'openstack:compute/interfaceAttach:InterfaceAttach':
    case 'openstack:blockstorage/volume:Volume':
    case 'openstack:compute/volumeAttach:VolumeAttach':
      return { id, state: { ...inputs, allTags: inputs.tags ?? [] } };
    case 'openstack:dns/recordSet:RecordSet':
      return { id: `${String(inputs.zoneId)}/${id}`, state: inputs };
    default:
      return undefined;
  }
}

export function openstackMockCall(token: string, inputs: Props): Props | undefined {
  switch (token) {
    case 'openstack:networking/getNetwork:getNetwork': {
      const name = String(inputs.name ?? inputs.networkId ?? 'Ext-Net');
      return { id: mockUuid(`network-${name}`), networkId: mockUuid(`network-${name}`), name, external: true, shared: true, adminStateUp: 'true', status: 'ACTIVE', mtu: 1500, region: inputs.region ?? '', subnets: [mockUuid(`subnet-${name}`)], allTags: [], segments: [], availabilityZoneHints: [], dnsDomain: '' };
    }
    case 'openstack:images/getImage:getImage': {
      const name = String(inputs.name ?? 'Debian 12');
      return { id: mockUuid(MOCK_IMAGE_ID), name, containerFormat: 'bare', diskFormat: 'qcow2', minDiskGb: 0, minRamMb: 0, protected: false, region: inputs.region ?? '', tags: [], metadata: {}, properties: {}, visibility: 'public' };
    }
    case 'openstack:compute/getFlavor:getFlavor': {
      // The flavor's size is the cloud's; the plan only shows its name.
      const name = String(inputs.name ?? inputs.flavorId);
      return { id: name, flavorId: name, name, region: inputs.region ?? '', extraSpecs: {}, isPublic: true };
    }
    case 'openstack:networking/getSubnetPool:getSubnetPool': {
      // The cloud's default IPv6 pool, for dual-stack stacks (documentation prefix).
      const version = Number(inputs.ipVersion ?? 6);
      return { id: mockUuid(`subnet-pool-v${version}`), name: `default-v${version}`, ipVersion: version, isDefault: true, prefixes: [version === 6 ? '2001:db8::/32' : '198.51.100.0/24'], defaultPrefixlen: version === 6 ? 64 : 24, minPrefixlen: 0, maxPrefixlen: version === 6 ? 128 : 32, region: inputs.region ?? '', allTags: [], tags: [], shared: true };
    }
    case 'openstack:dns/getDnsZone:getDnsZone': {
      const name = String(inputs.name ?? 'example.org.');
      return { id: mockUuid(`zone-${name}`), name, email: `hostmaster@${name.replace(/\.$/, '')}`, ttl: 3600, type: 'PRIMARY', status: 'ACTIVE', region: inputs.region ?? '', attributes: {}, masters: [], poolId: '', projectId: '', serial: 1, version: 1, createdAt: '', updatedAt: '', transferredAt: '' };
    }
    default:
      return undefined;
  }
}

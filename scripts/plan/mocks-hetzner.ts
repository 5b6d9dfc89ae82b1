// What the offline plan's mocks answer for Hetzner Cloud resources and lookups, shaped like the
// Hetzner Cloud API's answers (integer ids, a Primary IPv4 and an IPv6 /64 per server), with
// stand-in values from the documentation ranges.
import type { MockResourceArgs } from '@pulumi/pulumi/runtime/mocks.js';
import { HETZNER_SERVER_TYPES } from '../../infra/cost/hetzner-server-types.ts';
import { HETZNER_EU_LOCATIONS, HETZNER_NETWORK_ZONE } from '../../infra/spec/places.ts';
import { MOCK_IMAGE_ID, mockIpv4, mockNumericId } from './stand-ins.ts';

type Props = Record<string, unknown>;

const IPV6_NETWORK = '2001:db8:1234:5600::/64';
const IPV6_ADDRESS = '2001:db8:1234:5600::1';

export function hetznerMockState(args: MockResourceArgs): { id: string; state: Props } | undefined {
  const inputs = args.inputs as Props;
  const id = mockNumericId(args.name);
  const publicNet = ((inputs.publicNets as Props[] | undefined) ?? [])[0] ?? {};
  switch (args.type) {
    case 'hcloud:index/server:Server':
      return {
        id,
        state: {
          ...inputs,
          status: 'running',
          ipv4Address: publicNet.ipv4Enabled === false ? '' : mockIpv4(args.name),
          ipv6Address: publicNet.ipv6Enabled === false ? '' : IPV6_ADDRESS,
          ipv6Network: publicNet.ipv6Enabled === false ? '' : IPV6_NETWORK,
          primaryDiskSize: 160,
        },
      };
    case 'hcloud:index/primaryIp:PrimaryIp':
      return {
        id,
        state: { ...inputs, ...(inputs.type === 'ipv6' ? { ipAddress: IPV6_ADDRESS, ipNetwork: IPV6_NETWORK } : { ipAddress: mockIpv4(args.name), ipNetwork: '' }) },
      };
    case 'hcloud:index/serverNetwork:ServerNetwork':
      return { id: `${String(inputs.serverId)}-${String(inputs.networkId ?? inputs.subnetId)}`, state: { ...inputs, macAddress: '86:00:00:00:00:01' } };
    case 'hcloud:index/networkSubnet:NetworkSubnet':
      return { id: `${String(inputs.networkId)}-${String(inputs.ipRange)}`, state: { ...inputs, gateway: '10.0.0.1' } };
    case 'hcloud:index/zoneRrset:ZoneRrset':
      return { id: `${String(inputs.zone)}/${String(inputs.name)}/${String(inputs.type)}`, state: inputs };
    case 'hcloud:index/network:Network':
    case 'hcloud:index/firewall:Firewall':
    case 'hcloud:index/firewallAttachment:FirewallAttachment':
    case 'hcloud:index/placementGroup:PlacementGroup':
    case 'hcloud:index/rdns:Rdns':
    case 'hcloud:index/zone:Zone':
    case 'hcloud:index/volume:Volume':
    case 'hcloud:index/volumeAttachment:VolumeAttachment':
      return { id, state: inputs };
    default:
      return undefined;
  }
}

export function hetznerMockCall(token: string, inputs: Props): Props | undefined {
  switch (token) {
    case 'hcloud:index/getZone:getZone': {
      const name = String(inputs.name ?? 'example.org');
      return { id: Number(mockNumericId(name)), name, mode: 'primary', ttl: 3600, labels: {}, deleteProtection: false, registrar: 'other', authoritativeNameservers: { assigneds: ['hydrogen.ns.hetzner.com.', 'oxygen.ns.hetzner.com.', 'helium.ns.hetzner.de.'] }, primaryNameservers: [] };
    }
    case 'hcloud:index/getImage:getImage':
      return { id: Number(mockNumericId(MOCK_IMAGE_ID)), name: inputs.name ?? 'debian-12', type: 'system', osFlavor: 'debian', osVersion: '12', architecture: inputs.withArchitecture ?? 'x86', description: 'Debian 12', rapidDeploy: true, deprecated: '', created: '2026-01-01T00:00:00Z', labels: {} };
    case 'hcloud:index/getLocation:getLocation': {
      const name = String(inputs.name ?? 'fsn1');
      const known = HETZNER_EU_LOCATIONS.find((l) => l.location === name);
      return { id: Number(mockNumericId(name)), name, networkZone: HETZNER_NETWORK_ZONE, country: known?.country ?? '', city: known?.place.split(',')[0] ?? '', description: known?.place ?? name, latitude: 0, longitude: 0 };
    }
    case 'hcloud:index/getServerType:getServerType': {
      const name = String(inputs.name);
      const facts = HETZNER_SERVER_TYPES[name];
      return { id: Number(mockNumericId(name)), name, cores: facts?.vcpus ?? 0, memory: facts?.memoryGib ?? 0, cpuType: facts?.dedicated ? 'dedicated' : 'shared', architecture: facts?.arch ?? 'x86', deprecationAnnounced: '', isDeprecated: false, locations: [], includedTraffic: 0 };
    }
    default:
      return undefined;
  }
}

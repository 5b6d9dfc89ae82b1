// What a reader needs to see of a planned Hetzner Cloud resource: server type, location, image,
// addresses, firewall rules, labels. Ids Hetzner assigns at deploy time are left out.
import { MOCK_IMAGE_ID, MOCK_PUBLIC_IP } from './stand-ins.ts';
import type { RecordedResource } from './record.ts';
import { type InboundRule, type Props, list, pick, rec, ruleLine, userData } from './props.ts';

/** The inbound rules of an hcloud Firewall. */
export function hetznerInboundRules(resource: RecordedResource): InboundRule[] {
  if (resource.type !== 'hcloud:index/firewall:Firewall') return [];
  return list(resource.inputs.rules)
    .map(rec)
    .filter((rule) => rule.direction === 'in')
    .map((rule) => ({
      protocol: String(rule.protocol),
      ports: rule.port === undefined ? '' : String(rule.port).replace(/^any$/, 'all ports'),
      sources: list(rule.sourceIps).map(String),
      ...(rule.description ? { description: String(rule.description) } : {}),
    }));
}

const image = (value: unknown) => (value === MOCK_IMAGE_ID || /^\d+$/.test(String(value)) ? 'Debian 12 image looked up at deploy time' : value);
const address = (value: unknown) => (value === MOCK_PUBLIC_IP ? "the signaling node's Primary IPv4" : value);

export function describeHetzner(resource: RecordedResource): Props | undefined {
  const p = resource.inputs;
  switch (resource.type) {
    case 'pulumi:providers:hcloud':
      // The token never appears in a plan.
      return {};
    case 'hcloud:index/server:Server': {
      const net = rec(list(p.publicNets)[0]);
      return {
        serverType: p.serverType,
        location: p.location,
        image: image(p.image),
        publicNet: `IPv4 ${net.ipv4Enabled === false ? 'off' : 'on'}, IPv6 ${net.ipv6Enabled === false ? 'off' : 'on'}`,
        privateNetwork: list(p.networks).map((n) => String(rec(n).ip ?? 'an address of the private network')).join(', ') || undefined,
        firewalls: list(p.firewallIds).length,
        sshKeys: list(p.sshKeys).length === 0 ? 'none' : list(p.sshKeys).length,
        userData: userData(p.userData, false),
        shutdownBeforeDeletion: p.shutdownBeforeDeletion,
        labels: p.labels,
      };
    }
    case 'hcloud:index/firewall:Firewall': {
      const outbound = list(p.rules).map(rec).filter((r) => r.direction === 'out');
      return {
        inbound: hetznerInboundRules(resource).map(ruleLine),
        // A Hetzner firewall without outbound rules lets every outbound connection through.
        outbound: outbound.length === 0
          ? 'all (no outbound rule)'
          : outbound.map((r) => `${String(r.protocol)}${r.port === undefined ? '' : ` ${String(r.port)}`} to ${list(r.destinationIps).map(String).join(', ')}`),
        labels: p.labels,
      };
    }
    case 'hcloud:index/network:Network':
      return pick(p, ['ipRange', 'labels']);
    case 'hcloud:index/networkSubnet:NetworkSubnet':
      return pick(p, ['ipRange', 'networkZone', 'type']);
    case 'hcloud:index/serverNetwork:ServerNetwork':
      return pick(p, ['ip']);
    case 'hcloud:index/primaryIp:PrimaryIp':
      return pick(p, ['type', 'location', 'assigneeType', 'autoDelete', 'labels']);
    case 'hcloud:index/rdns:Rdns':
      return { dnsPtr: p.dnsPtr, ipAddress: address(p.ipAddress) };
    case 'hcloud:index/zoneRrset:ZoneRrset':
      return { ...pick(p, ['zone', 'name', 'type', 'ttl']), records: list(p.records).map((r) => address(rec(r).value ?? r)) };
    case 'hcloud:index/firewallAttachment:FirewallAttachment':
      return { servers: list(p.serverIds).length, labelSelectors: p.labelSelectors };
    case 'hcloud:index/placementGroup:PlacementGroup':
      return pick(p, ['type', 'labels']);
    default:
      return resource.type.startsWith('hcloud:') ? {} : undefined;
  }
}

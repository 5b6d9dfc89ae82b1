// What each host role accepts, as Neutron security group rules. Exactly Jitsi's ports and nothing
// else: no SSH, no admin or loopback-only port. The bridges' two ports on the signaling node
// (XMPP logins and the bridge share that hands them their password) are open to the stack's
// private subnet only; Neutron filters the private network too, unlike Hetzner's firewalls.
import type { DeploymentSpec } from '../spec/types.ts';
import { PORTS, publicPorts } from '../ports.ts';
import { PRIVATE_SUBNET_CIDR } from '../private-network.ts';

export const ANYWHERE = '0.0.0.0/0';
export const ANYWHERE_IPV6 = '::/0';

export interface SecurityRule {
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  /** Absent: every protocol (egress only). */
  protocol?: 'tcp' | 'udp';
  portRangeMin?: number;
  portRangeMax?: number;
  remoteIpPrefix: string;
  description: string;
}

type Opener = (protocol: 'tcp' | 'udp', port: number, description: string, toPort?: number) => SecurityRule[];

/** A port open to the whole Internet: IPv4, and IPv6 too on a dual-stack deployment. */
const opener = (ipv6: boolean): Opener => (protocol, port, description, toPort = port) =>
  [ANYWHERE, ...(ipv6 ? [ANYWHERE_IPV6] : [])].map((remoteIpPrefix) => ({
    direction: 'ingress' as const,
    ethertype: remoteIpPrefix === ANYWHERE ? 'IPv4' as const : 'IPv6' as const,
    protocol,
    portRangeMin: port,
    portRangeMax: toPort,
    remoteIpPrefix,
    description,
  }));

const fromPrivateSubnet = (port: number, description: string): SecurityRule => ({
  direction: 'ingress',
  ethertype: 'IPv4',
  protocol: 'tcp',
  portRangeMin: port,
  portRangeMax: port,
  remoteIpPrefix: PRIVATE_SUBNET_CIDR,
  description,
});

/** The signaling node, which also runs the bridge in the single topology. */
export function signalingRules(spec: Pick<DeploymentSpec, 'topology' | 'turn' | 'ipv6'>): SecurityRule[] {
  const open = opener(spec.ipv6);
  const rules = publicPorts(spec, 'signaling').flatMap((p) => open(p.protocol, p.from, p.description, p.to));
  if (spec.topology === 'scalable') {
    rules.push(
      fromPrivateSubnet(PORTS.xmppClient, 'XMPP logins from the videobridges (private subnet only)'),
      fromPrivateSubnet(PORTS.bridgeShare, "the videobridges fetch their XMPP password (private subnet only)"),
    );
  }
  return [...rules, ...egressRules(spec)];
}

export function bridgeRules(spec: Pick<DeploymentSpec, 'topology' | 'turn' | 'ipv6'>): SecurityRule[] {
  const open = opener(spec.ipv6);
  return [...publicPorts(spec, 'bridge').flatMap((p) => open(p.protocol, p.from, p.description, p.to)), ...egressRules(spec)];
}

/**
 * The default rules a new group gets are deleted (so the group holds exactly these) and the
 * outbound ones put back: hosts fetch packages and certificates and send media to participants.
 */
function egressRules(spec: Pick<DeploymentSpec, 'ipv6'>): SecurityRule[] {
  return [ANYWHERE, ...(spec.ipv6 ? [ANYWHERE_IPV6] : [])].map((remoteIpPrefix) => ({
    direction: 'egress',
    ethertype: remoteIpPrefix === ANYWHERE ? 'IPv4' : 'IPv6',
    remoteIpPrefix,
    description: 'all outbound traffic',
  }));
}

/** A stable, readable resource name for a rule: `ingress-tcp-443-v4`, `egress-all-v6`. */
export function ruleName(rule: SecurityRule): string {
  const ports = rule.portRangeMin === undefined ? 'all' : rule.portRangeMin === rule.portRangeMax ? `${rule.portRangeMin}` : `${rule.portRangeMin}-${rule.portRangeMax}`;
  const from = rule.remoteIpPrefix === PRIVATE_SUBNET_CIDR ? 'private' : rule.ethertype === 'IPv4' ? 'v4' : 'v6';
  return [rule.direction, rule.protocol, ports, from].filter(Boolean).join('-');
}

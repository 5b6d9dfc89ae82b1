// The stack's private network and its firewalls. The private network carries what must never be
// public: the bridges' XMPP login to Prosody (5222) and the share the bridges fetch their password
// from (8099). Hetzner Cloud firewalls filter only a server's public interfaces, never its private
// network, so those ports need no rule here and are reachable only from servers in this network
// (the stack's own). The firewalls open exactly Jitsi's public ports: no SSH, no admin port.
// They are stateful (replies to the servers' own requests come back without a rule) and allow all
// outbound traffic when, as here, they hold no outbound rule: hosts fetch packages and
// certificates and send media to participants. No ICMP rule: the servers do not answer ping.
import * as pulumi from '@pulumi/pulumi';
import { Firewall } from '@pulumi/hcloud/firewall.js';
import { Network as HcloudNetwork } from '@pulumi/hcloud/network.js';
import { NetworkSubnet } from '@pulumi/hcloud/networkSubnet.js';
import type { DeploymentSpec } from '../spec/types.ts';
import { publicPorts } from '../ports.ts';
import { PRIVATE_NETWORK_CIDR, PRIVATE_SUBNET_CIDR } from '../private-network.ts';
import { HETZNER_NETWORK_ZONE } from '../spec/places.ts';
import { hetznerLabels } from './labels.ts';
import { hetznerName } from './layout.ts';

export const ANYWHERE = '0.0.0.0/0';
export const ANYWHERE_IPV6 = '::/0';

/** One inbound rule as Hetzner's firewall API takes it: a port or a range "from-to". */
export interface FirewallRule {
  direction: 'in';
  protocol: 'tcp' | 'udp';
  port: string;
  sourceIps: string[];
  description: string;
}

type Opener = (protocol: FirewallRule['protocol'], port: number, description: string, toPort?: number) => FirewallRule;

/** A port open to the whole Internet: IPv4, and IPv6 too on a dual-stack deployment. */
const opener = (ipv6: boolean): Opener => (protocol, port, description, toPort = port) => ({
  direction: 'in',
  protocol,
  port: toPort === port ? String(port) : `${port}-${toPort}`,
  sourceIps: ipv6 ? [ANYWHERE, ANYWHERE_IPV6] : [ANYWHERE],
  description,
});

/** The signaling node, which also runs the bridge in the single topology. */
export function signalingFirewallRules(spec: Pick<DeploymentSpec, 'topology' | 'turn' | 'ipv6'>): FirewallRule[] {
  const open = opener(spec.ipv6);
  return publicPorts(spec, 'signaling').map((p) => open(p.protocol, p.from, p.description, p.to));
}

export function bridgeFirewallRules(spec: Pick<DeploymentSpec, 'topology' | 'turn' | 'ipv6'>): FirewallRule[] {
  const open = opener(spec.ipv6);
  return publicPorts(spec, 'bridge').map((p) => open(p.protocol, p.from, p.description, p.to));
}

/** Firewall ids are numbers in server arguments; Pulumi hands ids over as strings. */
export const numericId = (id: pulumi.Input<string>): pulumi.Output<number> => pulumi.output(id).apply((value) => Number(value));

export interface NetworkArgs {
  spec: DeploymentSpec;
}

export class Network extends pulumi.ComponentResource {
  readonly networkId: pulumi.Output<string>;
  /** Servers attach to this subnet, so they have their private address from the first boot. */
  readonly subnetId: pulumi.Output<string>;
  readonly signalingFirewallId: pulumi.Output<number>;
  /** Scalable topology only. */
  readonly bridgeFirewallId?: pulumi.Output<number>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:hetzner:Network', name, {}, opts);
    const { spec } = args;
    const child = { parent: this };

    const network = new HcloudNetwork(`${name}-private`, {
      name: hetznerName(spec, 'private'),
      ipRange: PRIVATE_NETWORK_CIDR,
      labels: hetznerLabels(spec, 'network'),
    }, child);
    // A private network spans one network zone; every EU location jitsi-eu allows is in it.
    const subnet = new NetworkSubnet(`${name}-hosts`, {
      networkId: numericId(network.id),
      type: 'cloud',
      networkZone: HETZNER_NETWORK_ZONE,
      ipRange: PRIVATE_SUBNET_CIDR,
    }, child);
    const signalingFirewall = new Firewall(`${name}-signaling`, {
      name: hetznerName(spec, 'signaling'),
      rules: signalingFirewallRules(spec),
      labels: hetznerLabels(spec, 'firewall'),
    }, child);
    this.networkId = network.id;
    this.subnetId = subnet.id;
    this.signalingFirewallId = numericId(signalingFirewall.id);
    if (spec.topology === 'scalable') {
      const bridgeFirewall = new Firewall(`${name}-bridges`, {
        name: hetznerName(spec, 'bridges'),
        rules: bridgeFirewallRules(spec),
        labels: hetznerLabels(spec, 'firewall'),
      }, child);
      this.bridgeFirewallId = numericId(bridgeFirewall.id);
    }
    this.registerOutputs({ networkId: this.networkId, subnetId: this.subnetId });
  }
}

// What each host role accepts from outside. Exactly what Jitsi needs and nothing else: no SSH
// (administration goes through SSM Session Manager), no admin or loopback-only port. With
// jitsi-eu:ipv6 the same ports are open to the IPv6 Internet, and no other.
import type * as pulumi from '@pulumi/pulumi';
import type { DeploymentSpec } from '../spec/types.ts';
import { PORTS, publicPorts } from '../ports.ts';

export const ANYWHERE = '0.0.0.0/0';
export const ANYWHERE_IPV6 = '::/0';

export interface IngressRule {
  protocol: 'tcp' | 'udp';
  fromPort: number;
  toPort: number;
  cidrBlocks?: string[];
  ipv6CidrBlocks?: string[];
  securityGroups?: pulumi.Input<string>[];
  description: string;
}

type Opener = (protocol: IngressRule['protocol'], port: number, description: string, toPort?: number) => IngressRule;

/** A port open to the whole Internet: IPv4, and IPv6 too on a dual-stack deployment. */
const opener = (ipv6: boolean): Opener => (protocol, port, description, toPort = port) => ({
  protocol,
  fromPort: port,
  toPort,
  cidrBlocks: [ANYWHERE],
  ...(ipv6 ? { ipv6CidrBlocks: [ANYWHERE_IPV6] } : {}),
  description,
});

/** The signaling node, which also runs the bridge in the single topology. */
export function signalingIngress(
  spec: Pick<DeploymentSpec, 'topology' | 'turn' | 'ipv6'>,
  bridgeSecurityGroupId?: pulumi.Input<string>,
): IngressRule[] {
  const open = opener(spec.ipv6);
  const rules: IngressRule[] = publicPorts(spec, 'signaling').map((p) => open(p.protocol, p.from, p.description, p.to));
  if (spec.topology === 'scalable') {
    if (bridgeSecurityGroupId === undefined) throw new Error('the scalable topology needs the bridges\' security group');
    rules.push({
      protocol: 'tcp',
      fromPort: PORTS.xmppClient,
      toPort: PORTS.xmppClient,
      securityGroups: [bridgeSecurityGroupId],
      description: 'XMPP logins from the videobridges only',
    });
  }
  return rules;
}

export function bridgeIngress(spec: Pick<DeploymentSpec, 'ipv6'>): IngressRule[] {
  return [opener(spec.ipv6)('udp', PORTS.jvbMedia, 'conference media')];
}

/** Hosts reach out for packages, certificates, SSM and media to participants. */
export function allEgress(spec: Pick<DeploymentSpec, 'ipv6'>) {
  return [{
    protocol: '-1',
    fromPort: 0,
    toPort: 0,
    cidrBlocks: [ANYWHERE],
    ...(spec.ipv6 ? { ipv6CidrBlocks: [ANYWHERE_IPV6] } : {}),
    description: 'all outbound traffic',
  }];
}

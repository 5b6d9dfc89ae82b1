// jitsi-eu's security promises, and what each maps to on each cloud, said plainly where the
// provider has nothing to offer. The plan prints one line per promise.
import { PORTS } from '../../infra/ports.ts';
import { PRIVATE_SUBNET_CIDR, SIGNALING_PRIVATE_IP } from '../../infra/private-network.ts';
import type { Cloud } from '../../infra/spec/types.ts';

export type SecurityPromise = 'no SSH' | 'firewall' | 'secrets' | 'disks' | 'metadata';

export interface PromiseMapping {
  promise: SecurityPromise;
  how: string;
}

const bridgeShare = `bridges fetch their XMPP password from the signaling node at ${SIGNALING_PRIVATE_IP}:${PORTS.bridgeShare} over the private network`;

export const PROMISES: Readonly<Record<Cloud, readonly PromiseMapping[]>> = {
  aws: [
    { promise: 'no SSH', how: 'no key pair and no port 22: a shell opens through SSM Session Manager' },
    { promise: 'firewall', how: "security groups admit exactly Jitsi's public ports; admin ports only between the stack's own groups" },
    { promise: 'secrets', how: 'SSM Parameter Store SecureStrings, read at boot by the instance role; none in user data' },
    { promise: 'disks', how: 'EBS root volumes encrypted at rest' },
    { promise: 'metadata', how: 'IMDSv2 required with a hop limit of 1' },
  ],
  hetzner: [
    { promise: 'no SSH', how: "no SSH key on the servers and no port 22 in the firewall: commands reach the signaling node over HTTPS, signed with the stack's channel key (a Pulumi secret)" },
    { promise: 'firewall', how: "a Hetzner Cloud Firewall admits exactly Jitsi's public ports; Hetzner firewalls do not filter the private network" },
    { promise: 'secrets', how: `Hetzner has no parameter store: the signaling node generates the secrets at first boot and keeps them on its disk; ${bridgeShare}; none in user data` },
    { promise: 'disks', how: 'Hetzner does not encrypt server disks at rest and offers no option to' },
    { promise: 'metadata', how: "Hetzner's metadata service has no token and no hop limit: user data holds no secret" },
  ],
  openstack: [
    { promise: 'no SSH', how: "no key pair and no port 22 in the security groups: commands reach the signaling node over HTTPS, signed with the stack's channel key (a Pulumi secret)" },
    { promise: 'firewall', how: `security groups admit exactly Jitsi's public ports; port ${PORTS.bridgeShare} only from the private subnet ${PRIVATE_SUBNET_CIDR}` },
    { promise: 'secrets', how: `OpenStack offers no parameter store jitsi-eu relies on: the signaling node generates the secrets at first boot; ${bridgeShare}; none in user data` },
    { promise: 'disks', how: "encryption at rest is the cloud operator's choice (volume types, local disks): ask your provider" },
    { promise: 'metadata', how: 'the metadata service and config drive carry user data and metadata (the floating address among it), never a secret' },
  ],
};

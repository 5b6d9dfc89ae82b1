// The private address plan every cloud uses. The bridges' configuration names the signaling
// node's private address, so it is fixed before anything exists, and the same on AWS, Hetzner and
// OpenStack: the bundle for a stack does not change with the cloud.

export const PRIVATE_NETWORK_CIDR = '10.0.0.0/16';
/** The subnet of the signaling node (and, outside AWS, of every host). */
export const PRIVATE_SUBNET_CIDR = '10.0.0.0/24';
/** Clear of the addresses clouds reserve at the start of a subnet (AWS the first four, OpenStack the gateway). */
export const SIGNALING_PRIVATE_IP = '10.0.0.10';

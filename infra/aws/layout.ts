// Fixed facts about the AWS layout of a deployment: address plan, disk sizes, names. Pure (no
// Pulumi import), so the cost model and the plan can read them without loading the SDK.
import type { DeploymentSpec } from '../spec/types.ts';
import type { HostRole } from '../render/types.ts';

import { PRIVATE_NETWORK_CIDR, PRIVATE_SUBNET_CIDR } from '../private-network.ts';

export { SIGNALING_PRIVATE_IP } from '../private-network.ts';
export const VPC_CIDR = PRIVATE_NETWORK_CIDR;
/** One public subnet per availability zone; the signaling node lives in the first. */
export const SUBNET_CIDRS = [PRIVATE_SUBNET_CIDR, '10.0.1.0/24'] as const;

/** Root volume sizes (GiB, gp3): packages, Java runtimes and a week of logs fit with room to spare. */
export const ROOT_VOLUME_GIB: Record<HostRole, number> = { signaling: 20, bridge: 12 };
export const ROOT_VOLUME_TYPE = 'gp3';

/** TTL of the DNS records jitsi-eu creates or asks for. */
export const DNS_TTL_SECONDS = 300;

/** `Name` tag of a resource: readable in the AWS console, unique per stack. */
export function nameTag(spec: Pick<DeploymentSpec, 'stack'>, what: string): string {
  return `jitsi-eu-${spec.stack}-${what}`;
}

/** The bridge Auto Scaling group's name starts with this; the bridges' role is scoped to it. */
export function bridgeGroupNamePrefix(spec: Pick<DeploymentSpec, 'stack'>): string {
  return `${nameTag(spec, 'bridges')}-`;
}

/** How long the bridge pool lets a new bridge boot before its CPU counts for scaling. */
export const BRIDGE_WARMUP_SECONDS = 300;
/**
 * Average CPU the bridge pool aims at. JVB counts itself overloaded at 90 % CPU and jicofo stops
 * placing conferences on a bridge at 80 % of that, so scaling out at 60 % leaves a new bridge
 * time to boot before the others saturate.
 */
export const BRIDGE_CPU_TARGET_PERCENT = 60;

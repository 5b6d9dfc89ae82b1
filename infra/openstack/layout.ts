// Names and fixed numbers of an OpenStack deployment. OpenStack names need not be unique; they
// are for people reading the dashboard or `openstack server list`. Teardown selects by tags.
import type { DeploymentSpec } from '../spec/types.ts';

export function resourceName(spec: Pick<DeploymentSpec, 'stack'>, part: string): string {
  return `jitsi-eu-${spec.stack}-${part}`;
}

/**
 * Addresses DHCP hands out. The signaling node's fixed address (10.0.0.10) lies below, so a bridge
 * created first can never take it; Neutron still assigns it when a port asks for it by name.
 */
export const DHCP_POOL = { start: '10.0.0.100', end: '10.0.0.250' } as const;

export const DNS_TTL_SECONDS = 300;

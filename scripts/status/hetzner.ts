// The stack's servers and public IPv4 addresses on Hetzner Cloud, as status reports them: selected
// by the project and stack labels, role and expiry from their labels, addresses, attached volumes
// and state from the API.
import { LABEL_EXPIRES_AT, LABEL_ROLE, hetznerStackSelector, instantFromLabel } from '../../infra/hetzner/labels.ts';
import type { HetznerApi, HetznerServer } from '../lib/clouds/hetzner-api.ts';
import type { CloudServer, PublicAddress, StackResources } from './cloud-report.ts';

function cloudServer(server: HetznerServer & { volumes?: number[] }): CloudServer {
  const role = server.labels[LABEL_ROLE];
  const expiresAt = server.labels[LABEL_EXPIRES_AT] ? instantFromLabel(server.labels[LABEL_EXPIRES_AT]) : undefined;
  const firewalls = (server.public_net.firewalls ?? []).map((f) => `${f.id} ${f.status}`);
  return {
    id: String(server.id),
    name: server.name,
    role: role === 'signaling' || role === 'bridge' ? role : 'unknown',
    state: server.status,
    running: server.status === 'running',
    ...(server.public_net.ipv4?.ip ? { publicIpv4: server.public_net.ipv4.ip } : {}),
    privateIps: server.private_net.map((n) => n.ip),
    serverType: server.server_type.name,
    location: server.datacenter.name,
    created: new Date(server.created).toISOString(),
    ...(expiresAt ? { expiresAt } : {}),
    volumes: (server.volumes ?? []).map(String),
    provider: {
      ...(server.public_net.ipv6?.ip ? { ipv6: server.public_net.ipv6.ip } : {}),
      ...(firewalls.length ? { firewalls: firewalls.join(', ') } : {}),
    },
  };
}

/**
 * Every Primary IPv4 the stack pays for: the signaling node's, labelled and kept even while
 * unassigned, and each bridge's, which Hetzner made with the server (unlabelled, so found on it).
 * Primary IPv6 addresses are free and left out.
 */
function publicAddresses(labelled: readonly { ip: string; type: string; created: string; assignee_id: number | null }[], servers: readonly HetznerServer[]): PublicAddress[] {
  const addresses: PublicAddress[] = labelled.filter((p) => p.type === 'ipv4').map((p) => ({ ip: p.ip, created: new Date(p.created).toISOString(), assigned: p.assignee_id !== null }));
  for (const server of servers) {
    const ip = server.public_net.ipv4?.ip;
    if (ip && !addresses.some((a) => a.ip === ip)) addresses.push({ ip, created: new Date(server.created).toISOString(), assigned: true });
  }
  return addresses;
}

export async function hetznerStackResources(api: HetznerApi, stack: string): Promise<StackResources> {
  const selector = hetznerStackSelector(stack);
  const [servers, primaryIps] = await Promise.all([api.list('servers', selector), api.list('primary_ips', selector)]);
  return { servers: servers.map(cloudServer), addresses: publicAddresses(primaryIps, servers) };
}

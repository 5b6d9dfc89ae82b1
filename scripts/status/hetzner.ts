// The stack's servers on Hetzner Cloud, as status reports them: selected by the project and stack
// labels, role and expiry from their labels, addresses and state from the API.
import { LABEL_EXPIRES_AT, LABEL_ROLE, hetznerStackSelector, instantFromLabel } from '../../infra/hetzner/labels.ts';
import type { HetznerApi, HetznerServer } from '../lib/clouds/hetzner-api.ts';
import type { CloudServer } from './cloud-report.ts';

function cloudServer(server: HetznerServer): CloudServer {
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
    provider: {
      ...(server.public_net.ipv6?.ip ? { ipv6: server.public_net.ipv6.ip } : {}),
      ...(firewalls.length ? { firewalls: firewalls.join(', ') } : {}),
    },
  };
}

export async function hetznerStackServers(api: HetznerApi, stack: string): Promise<CloudServer[]> {
  return (await api.list('servers', hetznerStackSelector(stack))).map(cloudServer);
}

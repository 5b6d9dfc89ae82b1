// The stack's servers and floating IPs on OpenStack, as status reports them: selected by the
// project and stack tags, role from their metadata, expiry from their tags, addresses, attached
// volumes and state from Nova and Neutron.
import { METADATA_PUBLIC_IPV4, METADATA_ROLE, openstackStackTags } from '../../infra/openstack/tags.ts';
import { TAG_EXPIRES_AT } from '../../infra/tags.ts';
import { tagMap, type NeutronFloatingIp, type NovaServer, type OpenstackSession } from '../lib/clouds/openstack-api.ts';
import type { CloudServer, PublicAddress, StackResources } from './cloud-report.ts';

type NovaDetail = NovaServer & { 'OS-EXT-STS:task_state'?: string | null; 'os-extended-volumes:volumes_attached'?: { id: string }[] };

function cloudServer(server: NovaDetail): CloudServer {
  const role = server.metadata[METADATA_ROLE];
  const addresses = Object.values(server.addresses ?? {}).flat();
  const floating = addresses.find((a) => a['OS-EXT-IPS:type'] === 'floating' && a.version === 4)?.addr ?? server.metadata[METADATA_PUBLIC_IPV4];
  const expiresAt = tagMap(server.tags ?? [])[TAG_EXPIRES_AT];
  const task = server['OS-EXT-STS:task_state'];
  return {
    id: server.id,
    name: server.name,
    role: role === 'signaling' || role === 'bridge' ? role : 'unknown',
    state: server.status,
    running: server.status === 'ACTIVE' && !task,
    ...(floating ? { publicIpv4: floating } : {}),
    privateIps: addresses.filter((a) => a['OS-EXT-IPS:type'] !== 'floating').map((a) => a.addr),
    serverType: server.flavor?.original_name ?? server.flavor?.id ?? 'unknown',
    location: server['OS-EXT-AZ:availability_zone'] ?? '-',
    created: new Date(server.created).toISOString(),
    ...(expiresAt ? { expiresAt } : {}),
    volumes: (server['os-extended-volumes:volumes_attached'] ?? []).map((v) => v.id),
    provider: { ...(task ? { 'task state': task } : {}) },
  };
}

/** The stack's floating IPs (tagged, associated or not), and any other a server of the stack carries. */
function publicAddresses(floating: readonly NeutronFloatingIp[], servers: readonly CloudServer[]): PublicAddress[] {
  const addresses: PublicAddress[] = floating.map((f) => ({ ip: f.floating_ip_address, ...(f.created_at ? { created: new Date(f.created_at).toISOString() } : {}), assigned: f.port_id !== null }));
  for (const server of servers) {
    if (server.publicIpv4 && !addresses.some((a) => a.ip === server.publicIpv4)) addresses.push({ ip: server.publicIpv4, created: server.created, assigned: true });
  }
  return addresses;
}

export async function openstackStackResources(session: OpenstackSession, stack: string): Promise<StackResources> {
  const tags = openstackStackTags(stack);
  const [servers, floating] = await Promise.all([session.servers(tags), session.list<NeutronFloatingIp>('floatingips', { tags: tags.join(',') })]);
  const cloudServers = servers.map(cloudServer);
  return { servers: cloudServers, addresses: publicAddresses(floating, cloudServers) };
}

// The stack's servers on OpenStack, as status reports them: selected by the project and stack
// tags, role from their metadata, expiry from their tags, addresses and state from Nova.
import { METADATA_PUBLIC_IPV4, METADATA_ROLE, openstackStackTags } from '../../infra/openstack/tags.ts';
import { TAG_EXPIRES_AT } from '../../infra/tags.ts';
import { tagMap, type NovaServer, type OpenstackSession } from '../lib/clouds/openstack-api.ts';
import type { CloudServer } from './cloud-report.ts';

function cloudServer(server: NovaServer): CloudServer {
  const role = server.metadata[METADATA_ROLE];
  const addresses = Object.values(server.addresses ?? {}).flat();
  const floating = addresses.find((a) => a['OS-EXT-IPS:type'] === 'floating' && a.version === 4)?.addr ?? server.metadata[METADATA_PUBLIC_IPV4];
  const expiresAt = tagMap(server.tags ?? [])[TAG_EXPIRES_AT];
  const task = (server as NovaServer & { 'OS-EXT-STS:task_state'?: string | null })['OS-EXT-STS:task_state'];
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
    provider: { ...(task ? { 'task state': task } : {}) },
  };
}

export async function openstackStackServers(session: OpenstackSession, stack: string): Promise<CloudServer[]> {
  return (await session.servers(openstackStackTags(stack))).map(cloudServer);
}

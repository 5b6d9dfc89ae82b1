// The orphan check and --purge on OpenStack: every server (Nova) and network resource (Neutron)
// tagged jitsi-eu:stack=<stack> in the stack's region, judged by the project tag as well, and
// the Designate record sets at the stack's host name, judged by their ownership record as on AWS.
import { TAG_PROJECT, TAG_STACK } from '../../infra/tags.ts';
import { isNotFound, tagMap, type DesignateApi, type NeutronCollection, type NeutronPort, type OpenstackSession } from '../lib/clouds/openstack-api.ts';
import { inOrder, judgeLabels, judgeRecords, removeEach, removeRecordsInOrder, waitUntil, type Waiting } from './cloud-orphans.ts';
import type { Orphan, OrphanScope } from './orphans.ts';
import type { PurgeOutcome } from './purge.ts';

/** Removal order: what holds a thing goes before it (a floating IP before the router interface it uses). */
export const OPENSTACK_PURGE_ORDER = [
  'openstack:server',
  'openstack:floating-ip',
  'openstack:router',
  'openstack:port',
  'openstack:subnet',
  'openstack:network',
  'openstack:security-group',
  'designate:recordset',
] as const;
type OpenstackKind = (typeof OPENSTACK_PURGE_ORDER)[number];

const NEUTRON_KIND: [Exclude<OpenstackKind, 'openstack:server' | 'designate:recordset'>, NeutronCollection][] = [
  ['openstack:floating-ip', 'floatingips'],
  ['openstack:router', 'routers'],
  ['openstack:port', 'ports'],
  ['openstack:subnet', 'subnets'],
  ['openstack:network', 'networks'],
  ['openstack:security-group', 'security_groups'],
];
const COLLECTION = Object.fromEntries(NEUTRON_KIND) as Record<string, NeutronCollection>;

/** Ports a router's interfaces use: they go with remove_router_interface, never with DELETE. */
const ROUTER_INTERFACE_OWNERS = ['network:router_interface', 'network:router_interface_distributed', 'network:ha_router_replicated_interface'];

/** `openstack:port/<uuid>` → the uuid. */
const uuid = (orphan: Orphan): string => orphan.id.slice(orphan.id.indexOf('/') + 1);

function orphan(kind: OpenstackKind, item: { id: string; name?: string; tags: string[] }, scope: OrphanScope, region: string): Orphan {
  const tags = tagMap(item.tags ?? []);
  return {
    id: `${kind}/${item.id}`,
    kind,
    resourceId: item.name ? `${item.name} (${item.id})` : item.id,
    region,
    tags,
    foundBy: ['openstack-tags'],
    ...judgeLabels(tags, scope.stack, { project: TAG_PROJECT, stack: TAG_STACK }, '='),
  };
}

const fqdn = (name: string): string => name.replace(/\.$/, '').toLowerCase();

/** Record sets at the host name or below it, judged by the `_jitsi-eu.<name>` ownership record. */
async function findRecordsets(dns: DesignateApi, scope: OrphanScope & { domain: string }, region: string): Promise<Orphan[]> {
  const host = fqdn(scope.domain);
  const zone = (await dns.zones())
    .filter((z) => host === fqdn(z.name) || host.endsWith(`.${fqdn(z.name)}`))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (!zone) return [];
  const sets = (await dns.recordsets(zone.id)).filter((r) => (fqdn(r.name) === host || fqdn(r.name).endsWith(`.${host}`)) && r.type !== 'NS' && r.type !== 'SOA');
  const records = sets.map((r) => ({ name: fqdn(r.name), type: r.type, values: r.records }));
  const judged = judgeRecords(records, scope.stack);
  return sets.map((r, i) => ({
    id: `designate:recordset/${zone.id}/${r.id}`,
    kind: 'designate:recordset',
    resourceId: `${records[i]!.name} ${r.type}`,
    region,
    tags: {},
    foundBy: ['designate-name'],
    ...judged[i]!,
    record: { zoneId: zone.id, zoneName: fqdn(zone.name), ...records[i]!, ...(r.ttl ? { ttl: r.ttl } : {}) },
  }));
}

/** Everything tagged with the stack's tag, whatever its other tags say (judged, not filtered). */
export async function findOpenstackOrphans(session: OpenstackSession, scope: OrphanScope): Promise<Orphan[]> {
  const stackTag = `${TAG_STACK}=${scope.stack}`;
  const found = (await session.servers([stackTag])).map((s) => orphan('openstack:server', s, scope, session.region));
  for (const [kind, collection] of NEUTRON_KIND) {
    for (const item of await session.list(collection, { tags: stackTag })) found.push(orphan(kind, item, scope, session.region));
  }
  if (scope.domain && session.dns) found.push(...(await findRecordsets(session.dns, { ...scope, domain: scope.domain }, session.region)));
  return found;
}

export async function purgeOpenstackOrphans(session: OpenstackSession, orphans: readonly Orphan[], waiting: Waiting): Promise<PurgeOutcome[]> {
  const outcomes: PurgeOutcome[] = [];
  for (const [kind, batch] of inOrder(orphans, OPENSTACK_PURGE_ORDER)) {
    waiting.progress(`removing ${batch.length} ${kind} (${batch.map((o) => o.resourceId).join(', ')})`);
    switch (kind) {
      case 'openstack:server': {
        const results = await removeEach(batch, (o) => session.deleteServer(uuid(o)), isNotFound);
        // Nova deletes in the background; the server's ports and groups stay in use until it is gone.
        const deleting = batch.filter((o) => results.some((r) => r.id === o.id && r.removed && !r.alreadyGone));
        try {
          if (deleting.length > 0) {
            await waitUntil(`server(s) ${deleting.map((o) => o.resourceId).join(', ')} to be deleted`, async () => {
              for (const o of deleting) {
                const server = await session.server(uuid(o));
                if (server && server.status !== 'DELETED') return false;
              }
              return true;
            }, waiting);
          }
          outcomes.push(...results);
        } catch (error) {
          outcomes.push(...results.map((r) => (deleting.some((o) => o.id === r.id) ? { ...r, removed: false, error: (error as Error).message } : r)));
        }
        break;
      }
      case 'openstack:router':
        outcomes.push(
          ...(await removeEach(batch, async (o) => {
            const ports = await session.list<NeutronPort>('ports', { device_id: uuid(o) });
            for (const port of ports.filter((p) => ROUTER_INTERFACE_OWNERS.includes(p.device_owner))) await session.removeRouterInterface(uuid(o), port.id);
            await session.delete('routers', uuid(o));
          }, isNotFound)),
        );
        break;
      case 'designate:recordset':
        outcomes.push(...(await removeRecordsets(session, batch)));
        break;
      default:
        outcomes.push(...(await removeEach(batch, (o) => session.delete(COLLECTION[kind]!, uuid(o)), isNotFound)));
    }
  }
  return outcomes;
}

async function removeRecordsets(session: OpenstackSession, batch: readonly Orphan[]): Promise<PurgeOutcome[]> {
  const dns = session.dns;
  if (!dns) return batch.map((o) => ({ id: o.id, kind: o.kind, resourceId: o.resourceId, removed: false, error: 'the cloud has no DNS service in its catalog any more' }));
  return removeRecordsInOrder(batch, (o) => dns.deleteRecordset(o.record!.zoneId, o.id.slice(o.id.lastIndexOf('/') + 1)), isNotFound);
}

// The orphan check and --purge on Hetzner Cloud: everything labelled jitsi-eu/stack=<stack>
// (servers, firewalls, primary IPs, networks), judged by the project label as well, and the DNS
// record sets at the stack's host name, judged by their ownership record as on AWS. Hetzner lists
// a whole project at once, so there is no region to search.
import { LABEL_PROJECT, LABEL_STACK } from '../../infra/hetzner/labels.ts';
import { HetznerApi, isNotFound, type HetznerCollection, type Labels } from '../lib/clouds/hetzner-api.ts';
import { inOrder, judgeLabels, judgeRecords, removeEach, removeRecordsInOrder, waitUntil, type Waiting } from './cloud-orphans.ts';
import type { Orphan, OrphanScope } from './orphans.ts';
import type { PurgeOutcome } from './purge.ts';

/** Removal order: servers free their firewalls, primary IPs and network attachments. */
export const HETZNER_PURGE_ORDER = ['hcloud:server', 'hcloud:firewall', 'hcloud:primary-ip', 'hcloud:network', 'hcloud:rrset'] as const;
type HetznerKind = Exclude<(typeof HETZNER_PURGE_ORDER)[number], 'hcloud:rrset'>;
const LABELLED_KINDS = HETZNER_PURGE_ORDER.filter((k): k is HetznerKind => k !== 'hcloud:rrset');

const COLLECTION: Record<HetznerKind, HetznerCollection> = {
  'hcloud:server': 'servers',
  'hcloud:firewall': 'firewalls',
  'hcloud:primary-ip': 'primary_ips',
  'hcloud:network': 'networks',
};

/** `hcloud:server/42` → 42. */
const numericId = (orphan: Orphan): number => Number(orphan.id.slice(orphan.id.lastIndexOf('/') + 1));

function orphan(kind: HetznerKind, item: { id: number; name: string; labels: Labels }, stack: string): Orphan {
  return {
    id: `${kind}/${item.id}`,
    kind,
    resourceId: item.name,
    region: 'project',
    tags: item.labels,
    foundBy: ['hcloud-labels'],
    ...judgeLabels(item.labels, stack, { project: LABEL_PROJECT, stack: LABEL_STACK }, '='),
  };
}

const fqdn = (name: string): string => name.replace(/\.$/, '').toLowerCase();
/** `www` in `example.org` → `www.example.org`; `@` is the zone's apex. */
const absolute = (name: string, zone: string): string => (name === '@' ? fqdn(zone) : `${fqdn(name)}.${fqdn(zone)}`);

/** Record sets at the host name or below it, judged by the `_jitsi-eu.<name>` ownership record. */
async function findRrsets(api: HetznerApi, stack: string, domain: string): Promise<Orphan[]> {
  const host = fqdn(domain);
  const zone = (await api.zones()).filter((z) => host === fqdn(z.name) || host.endsWith(`.${fqdn(z.name)}`)).sort((a, b) => b.name.length - a.name.length)[0];
  if (!zone) return [];
  const sets = (await api.rrsets(zone.id))
    .map((r) => ({ r, name: absolute(r.name, zone.name) }))
    .filter(({ r, name }) => (name === host || name.endsWith(`.${host}`)) && r.type !== 'NS' && r.type !== 'SOA');
  const records = sets.map(({ r, name }) => ({ name, type: r.type, values: r.records.map((v) => v.value) }));
  const judged = judgeRecords(records, stack);
  return sets.map(({ r }, i) => ({
    id: `hcloud:rrset/${zone.id}/${r.name}/${r.type}`,
    kind: 'hcloud:rrset',
    resourceId: `${records[i]!.name} ${r.type}`,
    region: 'project',
    tags: r.labels ?? {},
    foundBy: ['dns-name'],
    ...judged[i]!,
    record: { zoneId: String(zone.id), zoneName: fqdn(zone.name), ...records[i]!, ...(r.ttl ? { ttl: r.ttl } : {}) },
  }));
}

/** Everything with the stack's label, whatever its other labels say (judged, not filtered), and DNS records at its name. */
export async function findHetznerOrphans(api: HetznerApi, scope: OrphanScope): Promise<Orphan[]> {
  const selector = `${LABEL_STACK}=${scope.stack}`;
  const found: Orphan[] = [];
  for (const kind of LABELLED_KINDS) {
    for (const item of await api.list(COLLECTION[kind], selector)) found.push(orphan(kind, item, scope.stack));
  }
  if (scope.domain) found.push(...(await findRrsets(api, scope.stack, scope.domain)));
  return found;
}

/** The record's name relative to its zone, as the rrsets endpoint takes it. */
function relativeName(orphan: Orphan): string {
  const { name, zoneName } = orphan.record!;
  return name === zoneName ? '@' : name.slice(0, -(zoneName.length + 1));
}

export async function purgeHetznerOrphans(api: HetznerApi, orphans: readonly Orphan[], waiting: Waiting): Promise<PurgeOutcome[]> {
  const outcomes: PurgeOutcome[] = [];
  for (const [kind, batch] of inOrder(orphans, HETZNER_PURGE_ORDER)) {
    waiting.progress(`removing ${batch.length} ${kind} (${batch.map((o) => o.resourceId).join(', ')})`);
    if (kind === 'hcloud:server') {
      const results = await removeEach(batch, (o) => api.delete('servers', numericId(o)), isNotFound);
      // Deletion is an action that takes a while; firewalls and networks stay in use until it ends.
      const deleting = batch.filter((o) => results.some((r) => r.id === o.id && r.removed && !r.alreadyGone));
      try {
        if (deleting.length > 0) {
          await waitUntil(`server(s) ${deleting.map((o) => o.resourceId).join(', ')} to be deleted`, async () => {
            for (const o of deleting) if (await api.get('servers', numericId(o))) return false;
            return true;
          }, waiting);
        }
        outcomes.push(...results);
      } catch (error) {
        outcomes.push(...results.map((r) => (deleting.some((o) => o.id === r.id) ? { ...r, removed: false, error: (error as Error).message } : r)));
      }
    } else if (kind === 'hcloud:firewall') {
      // A firewall still applied (to a server, or through a label selector) cannot be deleted.
      outcomes.push(
        ...(await removeEach(batch, async (o) => {
          const current = await api.get('firewalls', numericId(o));
          if (current && current.applied_to.length > 0) {
            await api.removeFirewallFrom(current.id, current.applied_to);
            // Taking it off is an action too: it counts once applied_to is empty.
            await waitUntil(`firewall ${o.resourceId} to be taken off its servers`, async () => ((await api.get('firewalls', current.id))?.applied_to.length ?? 0) === 0, waiting);
          }
          await api.delete('firewalls', numericId(o));
        }, isNotFound)),
      );
    } else if (kind === 'hcloud:rrset') {
      outcomes.push(...(await removeRecordsInOrder(batch, (o) => api.deleteRrset(Number(o.record!.zoneId), relativeName(o), o.record!.type), isNotFound)));
    } else {
      outcomes.push(...(await removeEach(batch, (o) => api.delete(COLLECTION[kind], numericId(o)), isNotFound)));
    }
  }
  return outcomes;
}

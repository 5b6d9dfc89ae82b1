// The orphan check and --purge on Hetzner Cloud: everything labelled jitsi-eu/stack=<stack>
// (servers, firewalls, primary IPs, networks), judged by the project label as well. Hetzner
// lists a whole project at once, so there is no region to search.
import { LABEL_PROJECT, LABEL_STACK } from '../../infra/hetzner/labels.ts';
import { HetznerApi, isNotFound, type HetznerCollection, type Labels } from '../lib/clouds/hetzner-api.ts';
import { inOrder, judgeLabels, removeEach, waitUntil, type Waiting } from './cloud-orphans.ts';
import type { Orphan } from './orphans.ts';
import type { PurgeOutcome } from './purge.ts';

/** Removal order: servers free their firewalls, primary IPs and network attachments. */
export const HETZNER_PURGE_ORDER = ['hcloud:server', 'hcloud:firewall', 'hcloud:primary-ip', 'hcloud:network'] as const;
type HetznerKind = (typeof HETZNER_PURGE_ORDER)[number];

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

/** Everything with the stack's label, whatever its other labels say (judged, not filtered). */
export async function findHetznerOrphans(api: HetznerApi, stack: string): Promise<Orphan[]> {
  const selector = `${LABEL_STACK}=${stack}`;
  const found: Orphan[] = [];
  for (const kind of HETZNER_PURGE_ORDER) {
    for (const item of await api.list(COLLECTION[kind], selector)) found.push(orphan(kind, item, stack));
  }
  return found;
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
    } else {
      outcomes.push(...(await removeEach(batch, (o) => api.delete(COLLECTION[kind], numericId(o)), isNotFound)));
    }
  }
  return outcomes;
}

// What a `pulumi preview` says it would do, resource by resource, read from the engine events the
// Automation API hands over: one entry per resource that is created, changed, replaced or
// deleted, with the properties that change and those that force a replacement.
import type { EngineEvent, PolicyEvent, PreviewRun } from '../lib/workspace.ts';

export type ChangeKind = 'create' | 'update' | 'replace' | 'delete';

export interface ResourceChange {
  kind: ChangeKind;
  urn: string;
  /** Pulumi type token, e.g. aws:ec2/instance:Instance. */
  type: string;
  /** The logical name in the program, e.g. signaling-instance. */
  name: string;
  /** Types of the component resources it sits in, outermost first (e.g. jitsi-eu:aws:SignalingNode). */
  parents: string[];
  /** Top-level properties that change (updates and replacements). */
  changed: string[];
  /** Top-level properties whose change forces the replacement. */
  replacedBy: string[];
  /** A DNS record's TTL before the change: how long resolvers may keep the old answer. */
  previousTtl?: number;
  /** The host role a Hetzner label or OpenStack metadata entry gives the resource. */
  role?: string;
  /** The provider's id of the resource as it exists now (changed, replaced or deleted ones). */
  id?: string;
}

export interface PolicyFinding {
  policy: string;
  level: PolicyEvent['enforcementLevel'];
  message: string;
  resource?: string;
}

export interface DeployPreview {
  changes: ResourceChange[];
  /** Resources left as they are. */
  unchanged: number;
  policy: PolicyFinding[];
}

const KIND_OF_OP: Record<string, ChangeKind | undefined> = {
  create: 'create',
  import: 'create',
  update: 'update',
  delete: 'delete',
  discard: 'delete',
  replace: 'replace',
  'create-replacement': 'replace',
  'delete-replaced': 'replace',
  'discard-replaced': 'replace',
  'read-replacement': 'replace',
  'import-replacement': 'replace',
};

/** `urn:pulumi:STACK::PROJECT::Parent$Child$Type::NAME` → the type chain and the name. */
export function urnParts(urn: string): { types: string[]; name: string } {
  const [, , qualified = '', ...rest] = urn.split('::');
  return { types: qualified.split('$'), name: rest.join('::') };
}

/** `ingress[0].cidrBlocks` → `ingress`; `tags.Name` → `tags`. */
function topLevel(path: string): string {
  return path.split(/[.[]/)[0] ?? path;
}

function ttlOf(...candidates: unknown[]): { previousTtl?: number } {
  const ttl = candidates.filter((c) => typeof c === 'number' || (typeof c === 'string' && c !== '')).map(Number).find((n) => Number.isFinite(n) && n >= 0);
  return ttl === undefined ? {} : { previousTtl: ttl };
}

/** `jitsi-eu/role` (Hetzner labels) or `jitsi-eu:role` (OpenStack metadata) among a resource's inputs. */
function roleOf(inputs: Record<string, unknown> | undefined): { role?: string } {
  const labels = inputs?.labels as Record<string, unknown> | undefined;
  const metadata = inputs?.metadata as Record<string, unknown> | undefined;
  const role = labels?.['jitsi-eu/role'] ?? metadata?.['jitsi-eu:role'];
  return typeof role === 'string' ? { role } : {};
}

const unique = (values: Iterable<string>) => [...new Set(values)].sort();

export function policyFinding(p: PolicyEvent): PolicyFinding {
  const finding: PolicyFinding = { policy: p.policyName, level: p.enforcementLevel, message: p.message.trim() };
  return p.resourceUrn ? { ...finding, resource: urnParts(p.resourceUrn).name } : finding;
}

export function summarisePreview(run: PreviewRun): DeployPreview {
  const byUrn = new Map<string, ResourceChange>();
  for (const event of run.events) {
    const meta = event.resourcePreEvent?.metadata;
    if (!meta) continue;
    const kind = KIND_OF_OP[meta.op];
    const state = meta.new ?? meta.old;
    // Component resources only group others: their own steps say nothing about the cloud.
    if (!kind || state?.custom === false || meta.type === 'pulumi:pulumi:Stack') continue;
    const detailed = Object.entries(meta.detailedDiff ?? {});
    const changed = [...(meta.diffs ?? []), ...detailed.map(([path]) => path)].map(topLevel);
    const forcing = [...(meta.keys ?? []), ...detailed.filter(([, d]) => d.diffKind.endsWith('-replace')).map(([path]) => path)].map(topLevel);
    const previous = byUrn.get(meta.urn);
    const { types, name } = urnParts(meta.urn);
    byUrn.set(meta.urn, {
      // A replacement shows up as several steps (create-replacement, replace, delete-replaced).
      kind: previous?.kind === 'replace' ? 'replace' : kind,
      urn: meta.urn,
      type: meta.type,
      name,
      parents: types.slice(0, -1),
      changed: unique([...(previous?.changed ?? []), ...changed]),
      replacedBy: kind === 'replace' || previous?.kind === 'replace' ? unique([...(previous?.replacedBy ?? []), ...forcing]) : [],
      ...ttlOf(meta.old?.inputs?.ttl, previous?.previousTtl),
      ...(previous?.role ? { role: previous.role } : roleOf(state?.inputs)),
      ...(previous?.id ? { id: previous.id } : meta.old?.id ? { id: meta.old.id } : {}),
    });
  }
  const policy = run.events.flatMap((e: EngineEvent) => (e.policyEvent ? [policyFinding(e.policyEvent)] : []));
  const order: ChangeKind[] = ['replace', 'delete', 'update', 'create'];
  const changes = [...byUrn.values()].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.urn.localeCompare(b.urn));
  return { changes, unchanged: run.changeSummary.same ?? 0, policy };
}

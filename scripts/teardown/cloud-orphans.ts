// What the Hetzner and OpenStack orphan checks share: judging a resource by its labels or tags,
// and removing a batch one by one, where "already gone" counts as done.
import { DNS_OWNER_LABEL, PROJECT, dnsOwnerName, dnsOwnerValue } from '../../infra/tags.ts';
import type { Orphan } from './orphans.ts';
import type { PurgeOutcome } from './purge.ts';

/** Purgeable only with both the stack's and the project's label (or tag); else why not. */
export function judgeLabels(labels: Record<string, string>, stack: string, keys: { project: string; stack: string }, separator: string): Pick<Orphan, 'purgeable' | 'note'> {
  if (labels[keys.stack] !== stack) return { purgeable: false, note: `lacks ${keys.stack}${separator}${stack}: never removed by --purge` };
  if (labels[keys.project] !== PROJECT) return { purgeable: false, note: `lacks ${keys.project}${separator}${PROJECT}: never removed by --purge` };
  return { purgeable: true };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Waiting {
  progress: (message: string) => void;
  /** How long to wait for a server to go away (default 10 minutes). */
  waitMs?: number;
}

/** Polls `done`, soon at first and then every 5 s at most, until it holds or the time is up. */
export async function waitUntil(what: string, done: () => Promise<boolean>, waiting: Waiting): Promise<void> {
  const waitMs = waiting.waitMs ?? 10 * 60_000;
  const deadline = Date.now() + waitMs;
  let pause = 250;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${Math.round(waitMs / 1000)} s`);
    waiting.progress(`waiting for ${what}`);
    await sleep(pause);
    pause = Math.min(pause * 2, 5_000);
  }
}

/** Removes each orphan in turn; an error that means "not there" is success, others are reported. */
export async function removeEach(batch: readonly Orphan[], remove: (orphan: Orphan) => Promise<unknown>, isGone: (error: unknown) => boolean): Promise<PurgeOutcome[]> {
  const outcomes: PurgeOutcome[] = [];
  for (const orphan of batch) {
    const base = { id: orphan.id, kind: orphan.kind, resourceId: orphan.resourceId };
    try {
      await remove(orphan);
      outcomes.push({ ...base, removed: true });
    } catch (error) {
      outcomes.push(isGone(error) ? { ...base, removed: true, alreadyGone: true } : { ...base, removed: false, error: (error as Error).message });
    }
  }
  return outcomes;
}

/** Only what the check judged purgeable, grouped in the order given (dependents first). */
export function inOrder<K extends string>(orphans: readonly Orphan[], order: readonly K[]): [K, Orphan[]][] {
  const eligible = orphans.filter((o) => o.purgeable);
  return order.map((kind) => [kind, eligible.filter((o) => o.kind === kind)] as [K, Orphan[]]).filter(([, batch]) => batch.length > 0);
}

/** A DNS record set as the check sees it: absolute name without the final dot, values as stored. */
export interface FoundRecord {
  name: string;
  type: string;
  values: string[];
}

/** jitsi-eu writes only A and AAAA records at a site's name; the rest there is the operator's. */
const SITE_RECORD_TYPES = ['A', 'AAAA'];
/** TXT values are stored with or without their quotes. */
const unquoted = (value: string): string => value.replace(/^"(.*)"$/, '$1');

export const isOwnershipRecord = (r: Pick<FoundRecord, 'name' | 'type'>): boolean => r.type === 'TXT' && r.name.startsWith(`${DNS_OWNER_LABEL}.`);

/**
 * Records carry no labels the purge trusts: a record is the stack's own only when its name has the
 * ownership record (TXT "jitsi-eu:stack=<stack>" at `_jitsi-eu.<name>`) and jitsi-eu writes its type.
 */
export function judgeRecords(records: readonly FoundRecord[], stack: string): Pick<Orphan, 'purgeable' | 'note'>[] {
  const ours = new Set(records.filter((r) => isOwnershipRecord(r) && r.values.length > 0 && r.values.every((v) => unquoted(v) === dnsOwnerValue(stack))).map((r) => r.name));
  return records.map((r) => {
    const proof = isOwnershipRecord(r) ? r.name : dnsOwnerName(r.name);
    if (ours.has(proof) && (isOwnershipRecord(r) || SITE_RECORD_TYPES.includes(r.type))) return { purgeable: true };
    const note = isOwnershipRecord(r)
      ? `an ownership record, but not for stack ${stack} alone (it holds ${r.values.join(' ')}): never removed by --purge`
      : !ours.has(proof)
        ? `DNS records carry no tags and ${proof} does not hold the ownership record TXT "${dnsOwnerValue(stack)}": check it and delete it by hand if it was this deployment's`
        : `jitsi-eu writes only A and AAAA records at a site's name: this ${r.type} record is someone else's, never removed by --purge`;
    return { purgeable: false, note };
  });
}

/** Removes site records first and the ownership records that prove them last (kept while a site record stays). */
export async function removeRecordsInOrder(batch: readonly Orphan[], remove: (orphan: Orphan) => Promise<unknown>, isGone: (error: unknown) => boolean): Promise<PurgeOutcome[]> {
  const isProof = (o: Orphan) => Boolean(o.record && isOwnershipRecord(o.record));
  const sites = batch.filter((o) => !isProof(o));
  const outcomes = await removeEach(sites, remove, isGone);
  const stillNeeded = new Set(sites.filter((o) => outcomes.some((r) => r.id === o.id && !r.removed)).map((o) => dnsOwnerName(o.record?.name ?? '')));
  for (const proof of batch.filter(isProof)) {
    if (stillNeeded.has(proof.record!.name)) outcomes.push({ id: proof.id, kind: proof.kind, resourceId: proof.resourceId, removed: false, error: 'kept: it proves ownership of a record that could not be deleted' });
    else outcomes.push(...(await removeEach([proof], remove, isGone)));
  }
  return outcomes;
}

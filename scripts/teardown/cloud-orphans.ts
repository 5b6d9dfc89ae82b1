// What the Hetzner and OpenStack orphan checks share: judging a resource by its labels or tags,
// and removing a batch one by one, where "already gone" counts as done.
import { PROJECT } from '../../infra/tags.ts';
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

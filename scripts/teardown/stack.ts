// Destroying a stack's resources and then the stack itself, as teardown, sandbox destroy and
// sandbox reap all do it. The stack file goes with the stack unless the state is kept.
import { accountsPrefix } from '../../infra/accounts.ts';
import { StackMissingError, type Workspace } from '../lib/workspace.ts';
import type { Orphan, OrphanScope } from './orphans.ts';
import type { PurgeOutcome } from './purge.ts';

export interface StackTeardown {
  /** False when the backend did not know the stack (nothing to destroy). */
  existed: boolean;
  destroyed: boolean;
  removed: boolean;
}

export interface StackTeardownOptions {
  keepState: boolean;
  onOutput: (text: string) => void;
  progress: (message: string) => void;
}

export async function destroyAndRemove(workspace: Workspace, stack: string, options: StackTeardownOptions): Promise<StackTeardown> {
  options.progress(`pulumi destroy for ${stack}`);
  try {
    await workspace.destroy(stack, options.onOutput);
  } catch (error) {
    if (error instanceof StackMissingError) {
      options.progress(`stack ${stack} is not in ${workspace.backendDescription}: nothing to destroy`);
      return { existed: false, destroyed: false, removed: false };
    }
    throw error;
  }
  if (options.keepState) {
    options.progress(`keeping stack ${stack} (--keep-state): its history and stack file stay`);
    return { existed: true, destroyed: true, removed: false };
  }
  options.progress(`removing stack ${stack}`);
  await workspace.removeStack(stack);
  return { existed: true, destroyed: true, removed: true };
}

/** Lists what still carries the stack's tags (read-only). */
export type OrphanCheck = (scope: OrphanScope) => Promise<Orphan[]>;

/** Removes orphans it may (those with the stack's and the project's tags), and says what became of each. */
export type Purge = (region: string, orphans: readonly Orphan[], progress: (message: string) => void) => Promise<PurgeOutcome[]>;

/** A host account's SSM parameter (`/jitsi-eu/<stack>/accounts/<name>`). */
export function isAccountParameter(orphan: Orphan, stack: string): boolean {
  return orphan.kind === 'ssm:parameter' && orphan.resourceId.startsWith(accountsPrefix(stack));
}

/**
 * After a successful destroy: the stack's host accounts are made by `npm run accounts`, not by
 * Pulumi, so they are still among the orphans; they go with the stack. Returns what was removed
 * and the orphans found again afterwards, or undefined when there was nothing to remove.
 */
export async function removeHostAccounts(
  scope: OrphanScope,
  orphans: readonly Orphan[],
  deps: { purge: Purge; findOrphans: OrphanCheck; progress: (message: string) => void },
): Promise<{ removed: PurgeOutcome[]; orphans: Orphan[] } | undefined> {
  const accounts = orphans.filter((o) => isAccountParameter(o, scope.stack));
  if (!accounts.some((o) => o.purgeable)) return undefined;
  deps.progress(`removing the stack's host accounts under ${accountsPrefix(scope.stack)}`);
  const removed = await deps.purge(scope.region, accounts, deps.progress);
  return { removed, orphans: await deps.findOrphans(scope) };
}

// Destroying a stack's resources and then the stack itself, as teardown, sandbox destroy and
// sandbox reap all do it. The stack file goes with the stack unless the state is kept.
import { StackMissingError, type Workspace } from '../lib/workspace.ts';
import type { Orphan, OrphanScope } from './orphans.ts';

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

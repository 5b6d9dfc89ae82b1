// Hetzner Cloud, OpenStack: the accounts added with `npm run accounts` are files on the signaling
// node. When an update replaces that node, deploy reads them through the channel before
// `pulumi up` and writes them on the new node once it answers as ready, then syncs them into
// Prosody, so they survive the replacement. The passwords stay in deploy's memory only.
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import type { KeptAccount } from '../accounts/channel-store.ts';
import type { ResourceChange } from './preview.ts';
import { isServer, makesNewServer, roleOf } from './servers.ts';

/** Whether the update makes a new signaling node of a stack whose hosts sign in with accounts. */
export function replacesAccountsNode(changes: readonly ResourceChange[], spec: Pick<DeploymentSpec, 'auth'>): boolean {
  if (spec.auth !== 'secure') return false;
  return changes.some((c) => isServer(c) && roleOf(c) === 'signaling' && makesNewServer(c));
}

export interface CarriedAccounts {
  /** The accounts' names (never a password). */
  names: string[];
  /** Whether the new node has them. */
  restored: boolean;
  detail?: string;
}

export interface AccountsCarrier {
  /** Reads the accounts on the node the update replaces; how many. */
  read(): Promise<number>;
  /** Writes them on the new node, once it is ready. */
  restore(): Promise<CarriedAccounts>;
  /** The names read, for a report when they could not be written back. */
  names(): string[];
}

export interface CarrierStore {
  exportAll(): Promise<KeptAccount[]>;
  restoreAll(accounts: readonly KeptAccount[]): Promise<string>;
}

/**
 * `open`: the accounts through the stack's channel, which reaches the old node and then the new
 * one (the key is the stack's), opened when first needed.
 */
export function accountsCarrier(open: () => Promise<CarrierStore>): AccountsCarrier {
  let kept: KeptAccount[] = [];
  let opened: Promise<CarrierStore> | undefined;
  const store = () => (opened ??= open());
  return {
    read: async () => {
      kept = await (await store()).exportAll();
      return kept.length;
    },
    restore: async () => {
      const names = kept.map((a) => a.name);
      if (!kept.length) return { names, restored: true };
      try {
        await (await store()).restoreAll(kept);
        return { names, restored: true };
      } catch (error) {
        return { names, restored: false, detail: (error as Error).message };
      } finally {
        kept = [];
      }
    },
    names: () => kept.map((a) => a.name),
  };
}

// Sandboxes whose teardown left resources behind. By then the stack and its stack file are gone,
// so nothing else remembers where to look: this small file, kept beside the stack files (in the
// project's git-ignored .jitsi-eu/ folder), names each one's stack, region and host name until a
// check finds nothing left. Resource ids and names only, never a secret.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Orphan } from '../teardown/orphans.ts';
import type { SandboxScope } from './orphan-checks.ts';

export interface Leftover extends SandboxScope {
  /** When the teardown that left them ran. */
  since: string;
  /** `kind resourceId` of each resource found the last time. */
  resources: string[];
}

export interface LeftoverStore {
  /** Where the list is kept, for messages. */
  readonly where: string;
  read(): Promise<Leftover[]>;
  write(leftovers: readonly Leftover[]): Promise<void>;
}

export const LEFTOVER_FILE = join('.jitsi-eu', 'sandbox-leftovers.json');

export function leftoverFileStore(projectDir: string): LeftoverStore {
  const path = join(projectDir, LEFTOVER_FILE);
  return {
    where: path,
    async read() {
      if (!existsSync(path)) return [];
      const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
      return Array.isArray((parsed as { leftovers?: unknown }).leftovers) ? (parsed as { leftovers: Leftover[] }).leftovers : [];
    },
    async write(leftovers) {
      if (leftovers.length === 0) {
        rmSync(path, { force: true });
        return;
      }
      mkdirSync(dirname(path), { recursive: true });
      // Written aside and renamed, so that a crash never leaves half a list.
      writeFileSync(`${path}.new`, `${JSON.stringify({ leftovers }, null, 2)}\n`);
      renameSync(`${path}.new`, path);
    },
  };
}

export function leftoverOf(scope: SandboxScope, orphans: readonly Orphan[], since: Date): Leftover {
  return {
    stack: scope.stack,
    ...(scope.cloud ? { cloud: scope.cloud } : {}),
    ...(scope.openstackCloud ? { openstackCloud: scope.openstackCloud } : {}),
    region: scope.region,
    ...(scope.domain ? { domain: scope.domain } : {}),
    since: since.toISOString(),
    resources: orphans.map((o) => `${o.kind} ${o.resourceId}`),
  };
}

/** The list with `stack`'s entry replaced by `entry` (or dropped when there is none). */
export function withLeftover(list: readonly Leftover[], stack: string, entry: Leftover | undefined): Leftover[] {
  const others = list.filter((l) => l.stack !== stack);
  return entry ? [...others, entry].sort((a, b) => a.stack.localeCompare(b.stack)) : others;
}

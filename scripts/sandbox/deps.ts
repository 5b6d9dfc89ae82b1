// Everything the sandbox commands reach outside themselves, so tests can swap each part.
import { hourlyCostEur } from '../../infra/cost/index.ts';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { REAL_COMMAND_DEPS, type CommandDeps } from '../lib/command-deps.ts';
import type { Probes } from '../deploy/flow.ts';
import { loadVerifyRunner, type VerifyRunner } from '../deploy/verify.ts';
import { confirmOnTerminal, type Confirm } from '../teardown/confirm.ts';
import type { OrphanCheck, Purge } from '../teardown/stack.ts';
import { AWS_SANDBOX_HOSTS, type SandboxHosts } from './hosts.ts';
import { leftoverFileStore, type LeftoverStore } from './leftovers.ts';
import { sandboxOrphanCheck, sandboxPurge } from './orphan-checks.ts';

export interface SandboxDeps extends CommandDeps {
  findOrphans: OrphanCheck;
  /** Removes the host accounts a destroyed sandbox leaves in SSM (see removeHostAccounts). */
  purge: Purge;
  loadVerify: () => Promise<{ run: VerifyRunner } | { missing: string }>;
  probes?: Probes;
  intervalMs?: number;
  hourlyCostEur: (spec: DeploymentSpec) => number;
  confirm: Confirm;
  now: () => Date;
  /** Where the default base stack file is. */
  projectDir: string;
  /** What sandbox teardowns left behind, until it is gone. */
  leftoverStore: LeftoverStore;
  /** The hosts in AWS: stopped by the expiry schedule, or started again. */
  hosts: SandboxHosts;
}

export const REAL_SANDBOX_DEPS: SandboxDeps = {
  ...REAL_COMMAND_DEPS,
  findOrphans: sandboxOrphanCheck,
  purge: sandboxPurge,
  loadVerify: loadVerifyRunner,
  hourlyCostEur,
  confirm: confirmOnTerminal,
  now: () => new Date(),
  projectDir: PROJECT_DIR,
  leftoverStore: leftoverFileStore(PROJECT_DIR),
  hosts: AWS_SANDBOX_HOSTS,
};

/** Prefixes every line of Pulumi's output with the stack name when several stacks run at once. */
export function prefixedOutput(stack: string, write: (text: string) => void, enabled: boolean): (text: string) => void {
  if (!enabled) return write;
  let pending = '';
  return (text) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    if (lines.length) write(lines.map((line) => `[${stack}] ${line}\n`).join(''));
  };
}

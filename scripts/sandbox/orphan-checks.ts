// The orphan check and purge sandbox destroy and reap run after a teardown, for the sandbox's
// cloud: AWS's tag search, or the Hetzner Cloud labels and OpenStack tags teardown looks for.
import type { Cloud } from '../../infra/spec/types.ts';
import { checkOrphans, purge } from '../teardown/check.ts';
import { cloudOrphans } from '../teardown/clouds.ts';
import type { Orphan, OrphanScope } from '../teardown/orphans.ts';
import type { OrphanCheck, Purge } from '../teardown/stack.ts';

/** An orphan scope; it names the cloud outside AWS (and the clouds.yaml entry on OpenStack). */
export type SandboxScope = OrphanScope;

/** The other clouds' orphan check: their labels and tags, through the provider's API. */
async function otherCloudCheck(scope: SandboxScope & { cloud: Exclude<Cloud, 'aws'> }): Promise<Orphan[]> {
  return (await cloudOrphans(scope.cloud, scope, process.env)).findOrphans(scope);
}

export const sandboxOrphanCheck: OrphanCheck = (scope: SandboxScope) =>
  scope.cloud && scope.cloud !== 'aws' ? otherCloudCheck({ ...scope, cloud: scope.cloud }) : checkOrphans(scope);

/** Host accounts are the only thing sandboxes purge themselves, and they exist on AWS only. */
export const sandboxPurge: Purge = purge;

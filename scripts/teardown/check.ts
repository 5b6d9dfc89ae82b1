// The orphan check and purge on real AWS (or whatever AWS_ENDPOINT_URL points at).
// The AWS SDK is loaded only when AWS is asked, so that --help and usage errors stay fast.
import type { Orphan, OrphanScope } from './orphans.ts';
import type { PurgeOutcome } from './purge.ts';

export async function checkOrphans(scope: OrphanScope): Promise<Orphan[]> {
  const [{ awsClients, callerIdentity, closeClients }, { findOrphans }] = await Promise.all([import('./aws.ts'), import('./find.ts')]);
  const clients = awsClients(scope.region);
  try {
    return await findOrphans(clients, await callerIdentity(clients), scope);
  } finally {
    closeClients(clients);
  }
}

export async function purge(region: string, orphans: readonly Orphan[], progress: (message: string) => void): Promise<PurgeOutcome[]> {
  const [{ awsClients, closeClients }, { purgeOrphans }] = await Promise.all([import('./aws.ts'), import('./purge.ts')]);
  const clients = awsClients(region);
  try {
    return await purgeOrphans(clients, orphans, { progress });
  } finally {
    closeClients(clients);
  }
}

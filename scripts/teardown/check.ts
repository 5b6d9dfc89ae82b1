// The orphan check and purge on real AWS (or whatever AWS_ENDPOINT_URL points at).
import { awsClients, callerIdentity, closeClients } from './aws.ts';
import { findOrphans } from './find.ts';
import type { Orphan, OrphanScope } from './orphans.ts';
import { purgeOrphans, type PurgeOutcome } from './purge.ts';

export async function checkOrphans(scope: OrphanScope): Promise<Orphan[]> {
  const clients = awsClients(scope.region);
  try {
    return await findOrphans(clients, await callerIdentity(clients), scope);
  } finally {
    closeClients(clients);
  }
}

export async function purge(region: string, orphans: readonly Orphan[], progress: (message: string) => void): Promise<PurgeOutcome[]> {
  const clients = awsClients(region);
  try {
    return await purgeOrphans(clients, orphans, { progress });
  } finally {
    closeClients(clients);
  }
}

// A Hetzner server's user data: cloud-config as the server receives it, carrying the role's
// configuration archive (Hetzner has no object store jitsi-eu can use). No secret: the signaling
// node generates them at first boot, bridges fetch theirs from it over the private network.
import type { DeploymentSpec } from '../spec/types.ts';
import type { Bundle, HostRole } from '../render/types.ts';
import type { DeployValueName } from '../placeholders.ts';
import { type UserDataLimit, archiveUserData } from '../render/archive-user-data.ts';

/** Hetzner Cloud accepts at most 32 KiB of user data. */
export const HETZNER_USER_DATA_LIMIT: UserDataLimit = { provider: 'Hetzner Cloud', maxBytes: 32 * 1024, measure: 'text' };

export function hetznerUserData(spec: DeploymentSpec, bundle: Bundle, role: HostRole, values: Partial<Record<DeployValueName, string>>): string {
  return archiveUserData(spec, bundle, role, values, HETZNER_USER_DATA_LIMIT);
}

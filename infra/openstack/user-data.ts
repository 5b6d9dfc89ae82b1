// An OpenStack server's user data: cloud-config as the server receives it, carrying the role's
// configuration archive (no object store jitsi-eu relies on). No secret: the signaling node
// generates them at first boot, bridges fetch theirs from it over the private network.
import type { DeploymentSpec } from '../spec/types.ts';
import type { Bundle, HostRole } from '../render/types.ts';
import type { DeployValueName } from '../placeholders.ts';
import { type UserDataLimit, archiveUserData } from '../render/archive-user-data.ts';

/** Nova accepts at most 65535 bytes of user data, counted base64-encoded as its API carries it. */
export const OPENSTACK_USER_DATA_LIMIT: UserDataLimit = { provider: 'OpenStack (Nova)', maxBytes: 65_535, measure: 'base64' };

export function openstackUserData(spec: DeploymentSpec, bundle: Bundle, role: HostRole, values: Partial<Record<DeployValueName, string>>): string {
  return archiveUserData(spec, bundle, role, values, OPENSTACK_USER_DATA_LIMIT);
}

// Tags and metadata carried by every OpenStack resource of a deployment. Teardown's orphan check
// and the purge select by the tags (Nova servers and Neutron resources both filter on them) and
// refuse anything without them; servers carry the same facts as metadata, which people see in
// the dashboard.
import type { DeploymentSpec } from '../spec/types.ts';
import { PROJECT, TAG_EXPIRES_AT, TAG_OWNER, TAG_PROJECT, TAG_SANDBOX, TAG_STACK } from '../tags.ts';

export const METADATA_ROLE = 'jitsi-eu:role';
/** Server metadata holding the floating address: the host reads its public address from it. */
export const METADATA_PUBLIC_IPV4 = 'jitsi-eu:public-ipv4';

function facts(spec: DeploymentSpec): Record<string, string> {
  const out: Record<string, string> = { [TAG_PROJECT]: PROJECT, [TAG_STACK]: spec.stack };
  if (spec.sandbox) out[TAG_SANDBOX] = 'true';
  if (spec.expiresAt) out[TAG_EXPIRES_AT] = spec.expiresAt;
  if (spec.owner) out[TAG_OWNER] = spec.owner;
  return out;
}

/** `key=value` string tags. */
export function openstackTags(spec: DeploymentSpec): string[] {
  return Object.entries(facts(spec)).map(([k, v]) => `${k}=${v}`);
}

export function openstackMetadata(spec: DeploymentSpec, role?: 'signaling' | 'bridge'): Record<string, string> {
  return { ...facts(spec), ...(role ? { [METADATA_ROLE]: role } : {}) };
}

/** The tags that select one stack's resources (all of them must be present). */
export function openstackStackTags(stack: string): string[] {
  return [`${TAG_PROJECT}=${PROJECT}`, `${TAG_STACK}=${stack}`];
}

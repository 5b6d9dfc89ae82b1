// Labels carried by every Hetzner Cloud resource of a deployment. Teardown's orphan check and
// the purge select by them and refuse anything without them. Hetzner label values allow only
// letters, digits, "-", "_" and "." (at most 63), so the expiry is written compactly and the
// owner's e-mail address is spelled out.
import type { DeploymentSpec } from '../spec/types.ts';
import { PROJECT } from '../tags.ts';

export const LABEL_PROJECT = 'jitsi-eu/project';
export const LABEL_STACK = 'jitsi-eu/stack';
export const LABEL_ROLE = 'jitsi-eu/role';
export const LABEL_SANDBOX = 'jitsi-eu/sandbox';
export const LABEL_EXPIRES_AT = 'jitsi-eu/expires-at';
export const LABEL_OWNER = 'jitsi-eu/owner';

export type HetznerRole = 'signaling' | 'bridge' | 'network' | 'firewall' | 'address';

/** `2027-03-31T18:00:00.000Z` → `20270331T180000Z`. */
export function compactInstant(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

/** `20270331T180000Z` → `2027-03-31T18:00:00.000Z`, or undefined when it is not one. */
export function instantFromLabel(value: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : undefined;
}

/** An owner as a label value: `lecturer@example.org` → `lecturer-at-example.org`. */
export function ownerLabel(owner: string): string {
  const value = owner.replace('@', '-at-').replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63);
  return value.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

export function hetznerLabels(spec: DeploymentSpec, role?: HetznerRole): Record<string, string> {
  const labels: Record<string, string> = { [LABEL_PROJECT]: PROJECT, [LABEL_STACK]: spec.stack };
  if (role) labels[LABEL_ROLE] = role;
  if (spec.sandbox) labels[LABEL_SANDBOX] = 'true';
  if (spec.expiresAt) labels[LABEL_EXPIRES_AT] = compactInstant(spec.expiresAt);
  if (spec.owner) labels[LABEL_OWNER] = ownerLabel(spec.owner);
  return labels;
}

/** Hetzner's label selector for one stack's resources. */
export function hetznerStackSelector(stack: string): string {
  return `${LABEL_PROJECT}=${PROJECT},${LABEL_STACK}=${stack}`;
}

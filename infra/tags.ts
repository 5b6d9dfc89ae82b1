// Tags carried by every AWS resource of a deployment. Teardown's orphan check and the purge
// refuse to touch anything that lacks them.
import type { DeploymentSpec } from './spec/types.ts';

export const TAG_STACK = 'jitsi-eu:stack';
export const TAG_PROJECT = 'jitsi-eu:project';
export const TAG_OWNER = 'jitsi-eu:owner';
export const TAG_EXPIRES_AT = 'jitsi-eu:expires-at';
/** `true` on a sandbox's resources: the policy pack then requires its expiry schedule. */
export const TAG_SANDBOX = 'jitsi-eu:sandbox';
export const PROJECT = 'jitsi-eu';

export function defaultTags(spec: DeploymentSpec): Record<string, string> {
  const tags: Record<string, string> = { [TAG_STACK]: spec.stack, [TAG_PROJECT]: PROJECT };
  if (spec.owner) tags[TAG_OWNER] = spec.owner;
  if (spec.expiresAt) tags[TAG_EXPIRES_AT] = spec.expiresAt;
  if (spec.sandbox) tags[TAG_SANDBOX] = 'true';
  return tags;
}

// DNS records carry no tags. A TXT record at `_jitsi-eu.<host>` holding `jitsi-eu:stack=<stack>`
// says which stack the records at <host> belong to; teardown --purge removes a DNS record only with
// that proof. Its own name keeps it clear of any TXT record the operator has at <host>.
export const DNS_OWNER_LABEL = '_jitsi-eu';

export function dnsOwnerName(host: string): string {
  return `${DNS_OWNER_LABEL}.${host}`;
}

/** The ownership record's value, as given to Route53 (which stores TXT values in quotes). */
export function dnsOwnerValue(stack: string): string {
  return `${TAG_STACK}=${stack}`;
}

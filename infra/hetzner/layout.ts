// Fixed facts about the Hetzner layout of a deployment: names and the DNS TTL. Pure (no Pulumi
// import), so the plan and teardown can read them without loading the SDK.
import { createHash } from 'node:crypto';
import type { DeploymentSpec } from '../spec/types.ts';

/** TTL of the DNS records jitsi-eu creates or asks for (as on AWS). */
export const DNS_TTL_SECONDS = 300;

/** Longest label of a host name (RFC 1123): a server's name becomes its host name. */
const MAX_NAME = 63;

/**
 * Name of a resource at Hetzner, readable in the console and unique per stack. Server names must
 * be host names, so characters a stack name may have and a host name may not ("_", ".") become "-".
 */
export function hetznerName(spec: Pick<DeploymentSpec, 'stack'>, what: string): string {
  const name = `jitsi-eu-${spec.stack}-${what}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return name.length <= MAX_NAME ? name : `${name.slice(0, MAX_NAME - 9)}-${shortHash(name)}`.replace(/-+/g, '-');
}

/** Eight hex digits that change whenever `parts` change. */
export function shortHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 8);
}

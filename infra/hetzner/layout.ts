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

/** Hetzner refuses a server whose user data is longer (the API's documented limit). */
export const USER_DATA_LIMIT_BYTES = 32 * 1024;

/** Why Hetzner would refuse this user data, or undefined when it fits. */
export function userDataProblem(role: string, userData: string): string | undefined {
  const size = Buffer.byteLength(userData, 'utf8');
  if (size <= USER_DATA_LIMIT_BYTES) return undefined;
  return `the ${role} user data is ${size} bytes and Hetzner accepts at most ${USER_DATA_LIMIT_BYTES}: the configuration travels in it on Hetzner, so this stack's configuration is too large to deploy there`;
}

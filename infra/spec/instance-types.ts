// Which EC2 instance types a stack may use, and when one is too small for the job it is given.
// The known types are those the cost model can price (infra/cost/prices.ts); anything else would
// be a guess at its price and its capacity, so it is refused.
import { closest, distance } from 'fastest-levenshtein';
import { instanceTypeFacts, knownInstanceTypes } from '../cost/instance-types.ts';
import { FAMILY_SHAPES } from '../cost/prices.ts';

export type HostRole = 'node' | 'bridge';

/**
 * Least a host needs before jitsi-eu warns, from the Jitsi handbook's sizing advice. A node
 * (single, or signaling) runs Prosody, which uses one core, next to jicofo and nginx (and the
 * videobridge on a single node): devops-guide/requirements.md gives 4 GB of memory for a small
 * server and suggests 8 GB. For videobridges devops-guide/scalable.md gives 4 or 8 CPUs with 8 GB.
 */
export const SIZING_MINIMUMS: Readonly<Record<HostRole, { vcpus: number; memoryGib: number; source: string }>> = {
  node: { vcpus: 2, memoryGib: 4, source: 'Jitsi handbook, devops-guide/requirements: 4 GB for a small server, 8 GB suggested; Prosody alone uses one core' },
  bridge: { vcpus: 4, memoryGib: 8, source: 'Jitsi handbook, devops-guide/scalable: 4 or 8 CPUs with 8 GB per videobridge' },
};

const sizesOf = (family: string) => FAMILY_SHAPES[family]!.sizes.join(', ');

/** Why a value is not an instance type jitsi-eu knows (with the nearest one), or undefined. */
export function unknownInstanceTypeReason(value: string): string | undefined {
  if (instanceTypeFacts(value)) return undefined;
  const nearest = closest(value, knownInstanceTypes());
  const hint = distance(value, nearest) <= 3 ? `did you mean ${nearest}? ` : '';
  const [family = ''] = value.split('.');
  if (FAMILY_SHAPES[family]) return `${hint}${family} comes in ${sizesOf(family)}`;
  return `${hint}known families: ${Object.keys(FAMILY_SHAPES).join(', ')} (the ones the price table in infra/cost/prices.ts can price)`;
}

/** A warning when a known type is smaller than its role needs, or undefined. */
export function undersizeWarning(key: string, value: string, role: HostRole): string | undefined {
  const facts = instanceTypeFacts(value);
  const least = SIZING_MINIMUMS[role];
  if (!facts || (facts.vcpus >= least.vcpus && facts.memoryGib >= least.memoryGib)) return undefined;
  const job = role === 'bridge' ? 'a videobridge' : 'a Jitsi node';
  return (
    `${key}: ${value} has ${facts.vcpus} vCPU and ${facts.memoryGib} GiB of memory, less than ${job} needs ` +
    `(at least ${least.vcpus} vCPU and ${least.memoryGib} GiB; ${least.source}): expect failures under load`
  );
}

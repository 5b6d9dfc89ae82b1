// Which EC2 instance types a stack may use, and when one is too small for the job it is given.
// The known types are those the cost model can price (infra/cost/prices.ts); anything else would
// be a guess at its price and its capacity, so it is refused.
import { closest, distance } from 'fastest-levenshtein';
import { instanceTypeFacts, knownInstanceTypes } from '../cost/instance-types.ts';
import { FAMILY_SHAPES } from '../cost/prices.ts';
import { HETZNER_SERVER_TYPES } from '../cost/hetzner-server-types.ts';
import type { Cloud } from './types.ts';

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

/** vCPUs and memory of a type on a cloud, when jitsi-eu knows them (OpenStack flavors differ per cloud). */
function sizeOf(value: string, cloud: Cloud): { vcpus: number; memoryGib: number } | undefined {
  if (cloud === 'hetzner') return HETZNER_SERVER_TYPES[value];
  if (cloud === 'openstack') return undefined;
  return instanceTypeFacts(value);
}

/** Why a value is not an instance type jitsi-eu knows on the cloud (with the nearest one), or undefined. */
export function unknownInstanceTypeReason(value: string, cloud: Cloud = 'aws'): string | undefined {
  if (cloud === 'openstack') return /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(value) ? undefined : 'an OpenStack flavor name is letters, digits and . _ : -';
  if (cloud === 'hetzner') {
    if (HETZNER_SERVER_TYPES[value]) return undefined;
    const nearest = closest(value, Object.keys(HETZNER_SERVER_TYPES));
    const hint = distance(value, nearest) <= 2 ? `did you mean ${nearest}? ` : '';
    return `${hint}known Hetzner server types: ${Object.keys(HETZNER_SERVER_TYPES).join(', ')} (the ones infra/cost can price)`;
  }
  if (instanceTypeFacts(value)) return undefined;
  const nearest = closest(value, knownInstanceTypes());
  const hint = distance(value, nearest) <= 3 ? `did you mean ${nearest}? ` : '';
  const [family = ''] = value.split('.');
  if (FAMILY_SHAPES[family]) return `${hint}${family} comes in ${sizesOf(family)}`;
  return `${hint}known families: ${Object.keys(FAMILY_SHAPES).join(', ')} (the ones the price table in infra/cost/prices.ts can price)`;
}

/** A warning when a known type is smaller than its role needs, or undefined. */
export function undersizeWarning(key: string, value: string, role: HostRole, cloud: Cloud = 'aws'): string | undefined {
  const facts = sizeOf(value, cloud);
  const least = SIZING_MINIMUMS[role];
  if (!facts || (facts.vcpus >= least.vcpus && facts.memoryGib >= least.memoryGib)) return undefined;
  const job = role === 'bridge' ? 'a videobridge' : 'a Jitsi node';
  return (
    `${key}: ${value} has ${facts.vcpus} vCPU and ${facts.memoryGib} GiB of memory, less than ${job} needs ` +
    `(at least ${least.vcpus} vCPU and ${least.memoryGib} GiB; ${least.source}): expect failures under load`
  );
}

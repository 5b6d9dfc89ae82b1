// The EC2 instance types jitsi-eu knows: those the price table can price, with their vCPUs and
// memory. Anything else is refused by the spec rather than priced by guesswork.
import { BURSTABLE_SMALL_SIZES, FAMILY_FACTORS, FAMILY_SHAPES } from './prices.ts';

export interface InstanceTypeFacts {
  family: string;
  size: string;
  vcpus: number;
  memoryGib: number;
  /** Burstable (t families): full CPU only while CPU credits last. */
  burstable: boolean;
}

function vcpusOf(size: string): number | undefined {
  if (size === 'medium') return 1;
  if (size === 'large') return 2;
  if (size === 'xlarge') return 4;
  const match = /^(\d+)xlarge$/.exec(size);
  return match ? 4 * Number(match[1]) : undefined;
}

/** vCPUs and memory of a known instance type, or undefined for one jitsi-eu does not know. */
export function instanceTypeFacts(instanceType: string): InstanceTypeFacts | undefined {
  const [family = '', size = '', ...rest] = instanceType.split('.');
  const shape = FAMILY_SHAPES[family];
  if (rest.length > 0 || !shape || !FAMILY_FACTORS[family] || !shape.sizes.includes(size)) return undefined;
  const burstable = family.startsWith('t');
  const small = burstable ? BURSTABLE_SMALL_SIZES[size] : undefined;
  if (small !== undefined) return { family, size, vcpus: 2, memoryGib: small, burstable };
  const vcpus = vcpusOf(size)!;
  return { family, size, vcpus, memoryGib: vcpus * shape.gibPerVcpu, burstable };
}

/** Every known instance type, family by family, smallest size first. */
export function knownInstanceTypes(): string[] {
  return Object.entries(FAMILY_SHAPES).flatMap(([family, shape]) => shape.sizes.map((size) => `${family}.${size}`));
}

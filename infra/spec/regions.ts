// Where a deployment may run. EU residency is enforced: regions in EU member states are
// allowed, two European regions outside the EU need an explicit opt-in, everything else is refused.
import type { Partition, Residency } from './types.ts';

export interface RegionInfo {
  region: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  location: string;
  partition: Partition;
  residency: Residency;
  /** For regions outside the EU: the legal basis for transfers from the EU. */
  adequacyBasis?: string;
}

export const EU_REGIONS: readonly RegionInfo[] = [
  { region: 'eu-central-1', country: 'DE', location: 'Frankfurt, Germany', partition: 'aws', residency: 'eu' },
  { region: 'eu-west-1', country: 'IE', location: 'Ireland', partition: 'aws', residency: 'eu' },
  { region: 'eu-west-3', country: 'FR', location: 'Paris, France', partition: 'aws', residency: 'eu' },
  { region: 'eu-north-1', country: 'SE', location: 'Stockholm, Sweden', partition: 'aws', residency: 'eu' },
  { region: 'eu-south-1', country: 'IT', location: 'Milan, Italy', partition: 'aws', residency: 'eu' },
  { region: 'eu-south-2', country: 'ES', location: 'Aragón, Spain', partition: 'aws', residency: 'eu' },
  {
    region: 'eusc-de-east-1',
    country: 'DE',
    location: 'Brandenburg, Germany (AWS European Sovereign Cloud)',
    partition: 'aws-eusc',
    residency: 'eu',
  },
];

export const OPT_IN_REGIONS: readonly RegionInfo[] = [
  {
    region: 'eu-west-2',
    country: 'GB',
    location: 'London, United Kingdom',
    partition: 'aws',
    residency: 'adequacy',
    adequacyBasis:
      'the European Commission adequacy decision for the United Kingdom under the GDPR (2021, renewed in 2025)',
  },
  {
    region: 'eu-central-2',
    country: 'CH',
    location: 'Zurich, Switzerland',
    partition: 'aws',
    residency: 'adequacy',
    adequacyBasis: 'the European Commission adequacy decision for Switzerland (Decision 2000/518/EC)',
  },
];

export function regionInfo(region: string): RegionInfo | undefined {
  return [...EU_REGIONS, ...OPT_IN_REGIONS].find((r) => r.region === region);
}

export function isEuRegion(region: string): boolean {
  return EU_REGIONS.some((r) => r.region === region);
}

/** Whether a region may be used, given the opt-in. Shared by the spec, the policy pack and verify. */
export function isAllowedRegion(region: string, allowNonEuRegion: boolean): boolean {
  return isEuRegion(region) || (allowNonEuRegion && OPT_IN_REGIONS.some((r) => r.region === region));
}

export function allowedRegionList(): string {
  return EU_REGIONS.map((r) => r.region).join(', ');
}

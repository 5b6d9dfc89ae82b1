// The place of a deployment on each cloud, checked against EU residency: an AWS region, a Hetzner
// location, or an OpenStack region with the country the stack declares for it. Every refusal
// says why and what is allowed.
import { OPT_IN_REGIONS, allowedRegionList, regionInfo } from './regions.ts';
import { ADEQUACY_COUNTRIES, HETZNER_EU_LOCATIONS, HETZNER_REFUSED_LOCATIONS, hetznerLocation, isEuOrEeaCountry } from './places.ts';
import type { Partition, Residency } from './types.ts';

export interface Place {
  region: string;
  country: string;
  label: string;
  partition: Partition;
  residency: Residency;
  adequacyBasis?: string;
}

type Problem = (key: string, value: unknown, message: string) => void;

const show = (value: string) => JSON.stringify(value);

export function awsPlace(region: string | undefined, allowNonEuRegion: boolean, problem: Problem, warnings: string[]): Place | undefined {
  if (!region) return undefined;
  const info = regionInfo(region);
  if (!info) {
    problem(
      'aws:region',
      region,
      `aws:region: ${show(region)} is not allowed: jitsi-eu runs only in EU regions (${allowedRegionList()}); ` +
        `${OPT_IN_REGIONS.map((r) => r.region).join(' and ')} with jitsi-eu:allowNonEuRegion: true`,
    );
    return undefined;
  }
  if (info.residency === 'adequacy') {
    if (!allowNonEuRegion) {
      problem(
        'aws:region',
        region,
        `aws:region: ${show(region)} (${info.location}) is outside the EU: allowed only with jitsi-eu:allowNonEuRegion: true, ` +
          `or choose an EU region (${allowedRegionList()})`,
      );
      return undefined;
    }
    warnings.push(
      `aws:region ${region} (${info.location}) is outside the EU; transfers rely on ${info.adequacyBasis}. ` +
        'Record this in your records of processing and the privacy notice.',
    );
  } else if (allowNonEuRegion) {
    warnings.push(`jitsi-eu:allowNonEuRegion is true but ${region} is an EU region; the opt-in has no effect`);
  }
  return { region, country: info.country, label: info.location, partition: info.partition, residency: info.residency, ...(info.adequacyBasis ? { adequacyBasis: info.adequacyBasis } : {}) };
}

export function hetznerPlace(location: string | undefined, problem: Problem): Place | undefined {
  if (!location) return undefined;
  const known = hetznerLocation(location);
  if (known) return { region: location, country: known.country, label: known.place, partition: 'aws', residency: 'eu' };
  const allowed = HETZNER_EU_LOCATIONS.map((l) => `${l.location} (${l.place})`).join(', ');
  const outside = HETZNER_REFUSED_LOCATIONS[location];
  problem(
    'jitsi-eu:location',
    location,
    outside
      ? `jitsi-eu:location: ${show(location)} is Hetzner's location in ${outside}, outside the EU: jitsi-eu runs on Hetzner only in ${allowed}`
      : `jitsi-eu:location: ${show(location)} is not a Hetzner location jitsi-eu allows: use one of ${allowed}`,
  );
  return undefined;
}

export function openstackPlace(region: string, country: string, allowNonEuRegion: boolean, problem: Problem, warnings: string[]): Place | undefined {
  const code = country.toUpperCase();
  if (!/^[A-Z]{2}$/.test(code)) {
    problem('jitsi-eu:country', country, `jitsi-eu:country: ${show(country)} is not an ISO 3166-1 country code: use two letters such as FR or DE`);
    return undefined;
  }
  if (isEuOrEeaCountry(code)) {
    if (allowNonEuRegion) warnings.push(`jitsi-eu:allowNonEuRegion is true but ${code} is in the EU/EEA; the opt-in has no effect`);
    return { region, country: code, label: `${region} (${code})`, partition: 'aws', residency: 'eu' };
  }
  const basis = ADEQUACY_COUNTRIES[code];
  if (!basis) {
    problem(
      'jitsi-eu:country',
      country,
      `jitsi-eu:country: ${show(code)} is outside the EU/EEA and has no European adequacy decision jitsi-eu accepts: run in an ` +
        `EU/EEA country, or in ${Object.keys(ADEQUACY_COUNTRIES).join(', ')} with jitsi-eu:allowNonEuRegion: true`,
    );
    return undefined;
  }
  if (!allowNonEuRegion) {
    problem(
      'jitsi-eu:country',
      country,
      `jitsi-eu:country: ${show(code)} is outside the EU/EEA: allowed only with jitsi-eu:allowNonEuRegion: true, or choose a region in the EU/EEA`,
    );
    return undefined;
  }
  warnings.push(
    `openstack:region ${region} (${code}) is outside the EU/EEA; transfers rely on ${basis}. Record this in your records of processing and the privacy notice.`,
  );
  return { region, country: code, label: `${region} (${code})`, partition: 'aws', residency: 'adequacy', adequacyBasis: basis };
}

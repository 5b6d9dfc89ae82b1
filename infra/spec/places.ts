// Where a deployment may run on each cloud. EU residency is enforced on every cloud: AWS regions
// (regions.ts), Hetzner's European locations, and for OpenStack the country the stack declares
// for its region, since an OpenStack region's name says nothing about where it is.

export interface HetznerLocation {
  location: string;
  place: string;
  country: string;
}

/** Hetzner's locations in the EU, all in the `eu-central` network zone. */
export const HETZNER_EU_LOCATIONS: readonly HetznerLocation[] = [
  { location: 'fsn1', place: 'Falkenstein, Germany', country: 'DE' },
  { location: 'nbg1', place: 'Nuremberg, Germany', country: 'DE' },
  { location: 'hel1', place: 'Helsinki, Finland', country: 'FI' },
];

/** Hetzner locations outside the EU, refused with the reason. */
export const HETZNER_REFUSED_LOCATIONS: Readonly<Record<string, string>> = {
  ash: 'Ashburn, Virginia, in the United States',
  hil: 'Hillsboro, Oregon, in the United States',
  sin: 'Singapore',
};

/** The Hetzner network zone of the EU locations: a private network spans one zone. */
export const HETZNER_NETWORK_ZONE = 'eu-central';

export function hetznerLocation(location: string): HetznerLocation | undefined {
  return HETZNER_EU_LOCATIONS.find((l) => l.location === location);
}

/** EU member states (ISO 3166-1 alpha-2). */
export const EU_COUNTRIES = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU',
  'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
] as const;

/** The other EEA states: the GDPR applies there through the EEA Agreement. */
export const EEA_COUNTRIES = ['IS', 'LI', 'NO'] as const;

/**
 * European countries outside the EEA with an adequacy decision of the European Commission:
 * allowed only with jitsi-eu:allowNonEuRegion, as London and Zurich are on AWS.
 */
export const ADEQUACY_COUNTRIES: Readonly<Record<string, string>> = {
  CH: 'the European Commission adequacy decision for Switzerland (Decision 2000/518/EC)',
  GB: 'the European Commission adequacy decision for the United Kingdom under the GDPR (2021, renewed in 2025)',
  AD: 'the European Commission adequacy decision for Andorra (Decision 2010/625/EU)',
  FO: 'the European Commission adequacy decision for the Faroe Islands (Decision 2010/146/EU)',
  GG: 'the European Commission adequacy decision for Guernsey (Decision 2003/821/EC)',
  IM: 'the European Commission adequacy decision for the Isle of Man (Decision 2004/411/EC)',
  JE: 'the European Commission adequacy decision for Jersey (Decision 2008/393/EC)',
};

export function isEuOrEeaCountry(country: string): boolean {
  return (EU_COUNTRIES as readonly string[]).includes(country) || (EEA_COUNTRIES as readonly string[]).includes(country);
}

/** The company each cloud's servers are rented from, as the privacy notice names it (processor). */
export const PROVIDER_NAMES = {
  aws: 'Amazon Web Services EMEA SARL (Luxembourg), part of Amazon.com, Inc. (United States)',
  hetzner: 'Hetzner Online GmbH (Gunzenhausen, Germany)',
} as const;

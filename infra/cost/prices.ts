// AWS list prices jitsi-eu estimates with, in one dated table. On-demand, Linux, shared tenancy,
// before tax, savings plans and credits. Prices change: check the sources before budgeting.

export const PRICES_RECORDED_ON = '2026-11-22';

export const PRICE_SOURCES = [
  'https://aws.amazon.com/ec2/pricing/on-demand/ (instances, data transfer out to the Internet)',
  'https://aws.amazon.com/ebs/pricing/ (gp3 storage)',
  'https://aws.amazon.com/vpc/pricing/ (public IPv4 addresses, Elastic IPs included)',
];

/** AWS bills in US dollars; estimates are shown in euros at this rate (ECB euro reference rate, rounded). */
export const USD_PER_EUR = 1.16;
export const FX_SOURCE = 'European Central Bank euro foreign exchange reference rate (USD)';

export const HOURS_PER_MONTH = 730;

/** Every public IPv4 address, Elastic or auto-assigned, in use or idle. */
export const PUBLIC_IPV4_USD_PER_HOUR = 0.005;

/** Data transfer out to the Internet: free allowance per account and month, then tiers. */
export const FREE_EGRESS_GB_PER_MONTH = 100;
export const EGRESS_TIERS_USD_PER_GB: readonly { upToGb: number; usd: number }[] = [
  { upToGb: 10 * 1024, usd: 0.09 },
  { upToGb: 50 * 1024, usd: 0.085 },
  { upToGb: 150 * 1024, usd: 0.07 },
  { upToGb: Number.POSITIVE_INFINITY, usd: 0.05 },
];

/**
 * Per region: hourly price of the `.large` size of the base families (c5/c6i, m5/m6i, r5/r6i,
 * t3) and gp3 storage per GB-month. Sizes scale linearly within a family.
 */
export interface RegionPrices {
  largeUsdPerHour: { c: number; m: number; r: number; t: number };
  gp3UsdPerGbMonth: number;
  /** Set when the region's prices are taken from another region. */
  pricedAs?: string;
}

const FRANKFURT: RegionPrices = { largeUsdPerHour: { c: 0.097, m: 0.115, r: 0.152, t: 0.096 }, gp3UsdPerGbMonth: 0.0952 };

export const REGION_PRICES: Readonly<Record<string, RegionPrices>> = {
  'eu-central-1': FRANKFURT,
  'eu-west-1': { largeUsdPerHour: { c: 0.096, m: 0.107, r: 0.141, t: 0.0912 }, gp3UsdPerGbMonth: 0.088 },
  'eu-west-2': { largeUsdPerHour: { c: 0.101, m: 0.111, r: 0.148, t: 0.0944 }, gp3UsdPerGbMonth: 0.0928 },
  'eu-west-3': { largeUsdPerHour: { c: 0.101, m: 0.112, r: 0.148, t: 0.0944 }, gp3UsdPerGbMonth: 0.0928 },
  'eu-north-1': { largeUsdPerHour: { c: 0.091, m: 0.102, r: 0.134, t: 0.0864 }, gp3UsdPerGbMonth: 0.0836 },
  'eu-south-1': { largeUsdPerHour: { c: 0.101, m: 0.112, r: 0.148, t: 0.0944 }, gp3UsdPerGbMonth: 0.0924 },
  'eu-south-2': { largeUsdPerHour: { c: 0.096, m: 0.107, r: 0.141, t: 0.0912 }, gp3UsdPerGbMonth: 0.088 },
  'eu-central-2': { largeUsdPerHour: { c: 0.1067, m: 0.1265, r: 0.1672, t: 0.1056 }, gp3UsdPerGbMonth: 0.1047 },
  // The AWS European Sovereign Cloud has its own price list; until it is recorded here, Frankfurt's.
  'eusc-de-east-1': { ...FRANKFURT, pricedAs: 'eu-central-1' },
};

/** Families priced relative to their base family (same size, same region). */
export const FAMILY_FACTORS: Readonly<Record<string, { base: keyof RegionPrices['largeUsdPerHour']; factor: number }>> = {
  c5: { base: 'c', factor: 1 },
  c6i: { base: 'c', factor: 1 },
  c7i: { base: 'c', factor: 1.05 },
  c5a: { base: 'c', factor: 0.9 },
  c6a: { base: 'c', factor: 0.9 },
  c6g: { base: 'c', factor: 0.8 },
  c7g: { base: 'c', factor: 0.85 },
  m5: { base: 'm', factor: 1 },
  m6i: { base: 'm', factor: 1 },
  m7i: { base: 'm', factor: 1.05 },
  m6a: { base: 'm', factor: 0.9 },
  m6g: { base: 'm', factor: 0.8 },
  m7g: { base: 'm', factor: 0.85 },
  r5: { base: 'r', factor: 1 },
  r6i: { base: 'r', factor: 1 },
  r7i: { base: 'r', factor: 1.05 },
  t3: { base: 't', factor: 1 },
  t3a: { base: 't', factor: 0.9 },
  t4g: { base: 't', factor: 0.8 },
};

/**
 * The sizes each priced family offers, and its memory per vCPU, as listed on
 * https://aws.amazon.com/ec2/instance-types/ (recorded with the prices above). An instance type
 * is `family.size` from this table or it is not one jitsi-eu sizes and prices.
 * vCPUs per size: medium 1, large 2, xlarge 4, Nxlarge 4×N; the burstable t families differ
 * below large (see BURSTABLE_SMALL_SIZES).
 */
export interface FamilyShape {
  gibPerVcpu: number;
  sizes: readonly string[];
}

const X = (...n: number[]) => n.map((k) => `${k}xlarge`);
const BURSTABLE_SIZES = ['nano', 'micro', 'small', 'medium', 'large', 'xlarge', '2xlarge'];

export const FAMILY_SHAPES: Readonly<Record<string, FamilyShape>> = {
  c5: { gibPerVcpu: 2, sizes: ['large', 'xlarge', ...X(2, 4, 9, 12, 18, 24)] },
  c6i: { gibPerVcpu: 2, sizes: ['large', 'xlarge', ...X(2, 4, 8, 12, 16, 24, 32)] },
  c7i: { gibPerVcpu: 2, sizes: ['large', 'xlarge', ...X(2, 4, 8, 12, 16, 24, 48)] },
  c5a: { gibPerVcpu: 2, sizes: ['large', 'xlarge', ...X(2, 4, 8, 12, 16, 24)] },
  c6a: { gibPerVcpu: 2, sizes: ['large', 'xlarge', ...X(2, 4, 8, 12, 16, 24, 32, 48)] },
  c6g: { gibPerVcpu: 2, sizes: ['medium', 'large', 'xlarge', ...X(2, 4, 8, 12, 16)] },
  c7g: { gibPerVcpu: 2, sizes: ['medium', 'large', 'xlarge', ...X(2, 4, 8, 12, 16)] },
  m5: { gibPerVcpu: 4, sizes: ['large', 'xlarge', ...X(2, 4, 8, 12, 16, 24)] },
  m6i: { gibPerVcpu: 4, sizes: ['large', 'xlarge', ...X(2, 4, 8, 12, 16, 24, 32)] },
  m7i: { gibPerVcpu: 4, sizes: ['large', 'xlarge', ...X(2, 4, 8, 12, 16, 24, 48)] },
  m6a: { gibPerVcpu: 4, sizes: ['large', 'xlarge', ...X(2, 4, 8, 12, 16, 24, 32, 48)] },
  m6g: { gibPerVcpu: 4, sizes: ['medium', 'large', 'xlarge', ...X(2, 4, 8, 12, 16)] },
  m7g: { gibPerVcpu: 4, sizes: ['medium', 'large', 'xlarge', ...X(2, 4, 8, 12, 16)] },
  r5: { gibPerVcpu: 8, sizes: ['large', 'xlarge', ...X(2, 4, 8, 12, 16, 24)] },
  r6i: { gibPerVcpu: 8, sizes: ['large', 'xlarge', ...X(2, 4, 8, 12, 16, 24, 32)] },
  r7i: { gibPerVcpu: 8, sizes: ['large', 'xlarge', ...X(2, 4, 8, 12, 16, 24, 48)] },
  t3: { gibPerVcpu: 4, sizes: BURSTABLE_SIZES },
  t3a: { gibPerVcpu: 4, sizes: BURSTABLE_SIZES },
  t4g: { gibPerVcpu: 4, sizes: BURSTABLE_SIZES },
};

/** The burstable families' sizes below large: 2 vCPUs each, and this much memory. */
export const BURSTABLE_SMALL_SIZES: Readonly<Record<string, number>> = { nano: 0.5, micro: 1, small: 2, medium: 4 };

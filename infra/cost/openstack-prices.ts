// OpenStack prices differ per cloud: a flavor called b3-16 costs what the operator says, and a
// university's own cloud may charge nothing or bill internally. jitsi-eu records the list prices
// of one public OpenStack cloud, OVHcloud Public Cloud, and prices a stack by it only when the
// stack's region is one of OVHcloud's. Anywhere else the estimate names what it cannot price.

import type { StoppedBilling } from './pricing.ts';

export interface OpenStackPriceTable {
  /** Whose list this is, as the plan prints it. */
  cloud: string;
  recordedOn: string;
  sources: string[];
  /** Regions whose name identifies this cloud. */
  regions: readonly string[];
  /** Flavor → EUR per month (730 hours), excluding VAT, billed by the hour. */
  flavorMonthlyEur: Readonly<Record<string, number>>;
  /** Floating IPv4 address per month; undefined when not recorded. */
  floatingIpMonthlyEur?: number;
  /** What a shut-off instance still costs on this cloud. */
  stoppedBilling: StoppedBilling;
  /** Outgoing Internet traffic: included in the instance price, or EUR per GB. */
  egress: { included: true; source: string } | { included: false; eurPerGb: number };
}

/**
 * OVHcloud Public Cloud, European regions. General-purpose b3 flavors: b3-8 2 vCPU/8 GB,
 * b3-16 4 vCPU/16 GB, b3-32 8 vCPU/32 GB. Other flavors (c3, r3, d2…) and the floating IP are
 * not recorded: a stack using them gets "cost unknown" for them rather than a guess.
 */
export const OVHCLOUD: OpenStackPriceTable = {
  cloud: 'OVHcloud Public Cloud',
  recordedOn: '2026-10-28',
  sources: [
    'OVHcloud price API as published in moveinfra/eu-cloud-prices, data of 2026-10-28 (b3 flavors, EUR per month of 730 hours, excluding VAT)',
    'https://www.ovh.it/public-cloud/faq/ (incoming and outgoing traffic of Public Cloud instances is included in the price, European regions)',
  ],
  regions: ['GRA7', 'GRA9', 'GRA11', 'SBG5', 'SBG7', 'DE1', 'WAW1', 'UK1', 'RBX-A', 'EU-WEST-PAR', 'EU-SOUTH-MIL'],
  flavorMonthlyEur: {
    'b3-8': 37.38,
    'b3-16': 74.68,
    'b3-32': 149.36,
  },
  egress: { included: true, source: 'OVHcloud Public Cloud FAQ' },
  // "Toute instance est facturée tant qu'elle n'est pas supprimée" (every instance is billed until
  // it is deleted): OVHcloud Public Cloud FAQ, https://www.ovh.com/ca/fr/cloud-public/faq/, read
  // 2026-12-06. Shelving (OpenStack's shelve) frees the instance's compute and keeps a snapshot,
  // which is billed as storage, as OpenStack providers such as CREODIAS describe it
  // (https://creodias.eu/-/a-9-32, read 2026-12-06); OVHcloud's own page on shelving was not found.
  stoppedBilling: {
    rule: 'full',
    statement: 'OVHcloud bills an instance until it is deleted, shut off or not; shelving it (OpenStack keeps a snapshot, billed as storage) releases its compute',
    source: 'https://www.ovh.com/ca/fr/cloud-public/faq/ (read 2026-12-06)',
  },
};

export const OPENSTACK_PRICE_TABLES: readonly OpenStackPriceTable[] = [OVHCLOUD];

/** The price table of the cloud a region belongs to, or undefined for a cloud jitsi-eu has no prices for. */
export function openstackPriceTable(region: string): OpenStackPriceTable | undefined {
  const name = region.toUpperCase();
  return OPENSTACK_PRICE_TABLES.find((table) => table.regions.includes(name));
}

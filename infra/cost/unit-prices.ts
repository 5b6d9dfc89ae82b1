// The price of one resource of each kind on Hetzner Cloud and OpenStack, from the same dated
// tables the plan's estimate uses: what `status` needs to cost the servers and addresses a stack
// has now, whatever the stack file says. A price that is not recorded is undefined, never guessed.
import type { Cloud } from '../spec/types.ts';
import { HETZNER_PRICES_RECORDED_ON, HETZNER_PRICE_SOURCES, HETZNER_PRIMARY_IPV4_MONTHLY_EUR, HETZNER_SERVER_MONTHLY_EUR } from './hetzner-prices.ts';
import { openstackPriceTable } from './openstack-prices.ts';

export interface UnitPrices {
  /** Whose list: "Hetzner Cloud list prices", "OVHcloud Public Cloud list prices"… */
  priceList: string;
  /** The table's date, or "never" when there is no table for this cloud. */
  recordedOn: string;
  sources: string[];
  /** EUR a month (730 hours), excluding VAT, of a server type or flavor; undefined when not recorded. */
  serverMonthlyEur(type: string): number | undefined;
  /** EUR a month of one public IPv4 address; undefined when not recorded. */
  publicIpv4MonthlyEur: number | undefined;
  /** Why a price is missing, for messages: where jitsi-eu's prices for this cloud are, or that it has none. */
  whyUnpriced: string;
  /** What the cloud calls that address. */
  publicIpv4Name: string;
  /**
   * Hetzner Cloud bills by the hour but never more than the monthly price in a month
   * (https://docs.hetzner.com/cloud/billing/faq/, read 2026-12-06); OpenStack clouds bill each hour.
   */
  capsAtMonthlyPrice: boolean;
}

export function unitPrices(cloud: Exclude<Cloud, 'aws'>, region: string): UnitPrices {
  if (cloud === 'hetzner') {
    return {
      priceList: 'Hetzner Cloud list prices',
      recordedOn: HETZNER_PRICES_RECORDED_ON,
      sources: HETZNER_PRICE_SOURCES,
      serverMonthlyEur: (type) => HETZNER_SERVER_MONTHLY_EUR[type],
      publicIpv4MonthlyEur: HETZNER_PRIMARY_IPV4_MONTHLY_EUR,
      publicIpv4Name: 'Primary IPv4',
      whyUnpriced: 'not in infra/cost/hetzner-prices.ts',
      capsAtMonthlyPrice: true,
    };
  }
  const table = openstackPriceTable(region);
  return {
    priceList: table ? `${table.cloud} list prices` : `no price list for the OpenStack cloud of region ${region}`,
    recordedOn: table?.recordedOn ?? 'never',
    sources: table?.sources ?? [],
    serverMonthlyEur: (type) => table?.flavorMonthlyEur[type],
    publicIpv4MonthlyEur: table?.floatingIpMonthlyEur,
    publicIpv4Name: 'floating IP',
    whyUnpriced: table ? `not in the ${table.cloud} table of infra/cost/openstack-prices.ts` : `jitsi-eu has no price list for region ${region}`,
    capsAtMonthlyPrice: false,
  };
}

// What every cloud's price table gives the estimate: the running cost of the servers and their
// addresses, and the price of Internet egress. What a table cannot price is named, not guessed.
import type { DeploymentSpec } from '../spec/types.ts';

export interface CostLine {
  item: 'compute' | 'public-ipv4' | 'ebs' | 'egress';
  description: string;
  quantity: number;
  unit: string;
  unitPriceEur: number;
  monthlyEur: number;
}

export interface EgressPrice {
  monthlyEur: number;
  /** Marginal price of one more GB once the allowance is used up. */
  eurPerGb: number;
  /** GB a month that cost nothing; null when egress is included without limit. */
  freeGb: number | null;
  /** How the allowance works, in words. */
  allowance: string;
}

/**
 * What a provider bills for a server that is stopped (powered off, shut off) but not deleted.
 * Clouds differ: AWS stops charging for compute, Hetzner Cloud and OVHcloud do not.
 */
export interface StoppedBilling {
  /**
   * disk-and-address: only the server's disk and public address stay billed; full: billed as if it
   * ran; unknown: not recorded for this cloud.
   */
  rule: 'disk-and-address' | 'full' | 'unknown';
  /** The rule in one sentence, for the operator. */
  statement: string;
  /** Where the provider says so, with the date it was read; empty when unknown. */
  source: string;
}

export interface CloudPricing {
  /** Whose list prices: "AWS list prices", "Hetzner Cloud list prices"… */
  priceList: string;
  recordedOn: string;
  sources: string[];
  /** Set when the provider bills in US dollars. */
  usdPerEur?: number;
  /** Lines for the servers, addresses and disks; what cannot be priced goes to `unpriced`. */
  fixedLines(spec: DeploymentSpec, bridges: 'min' | 'max', notes: string[], unpriced: string[]): CostLine[];
  /** What a stopped server still costs on this cloud. */
  stoppedBilling: StoppedBilling;
  /** A month's egress of `gb` from `servers` servers; undefined when its price is unknown. */
  egress(gb: number, servers: number): EgressPrice | undefined;
}

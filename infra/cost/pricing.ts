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

export interface CloudPricing {
  /** Whose list prices: "AWS list prices", "Hetzner Cloud list prices"… */
  priceList: string;
  recordedOn: string;
  sources: string[];
  /** Set when the provider bills in US dollars. */
  usdPerEur?: number;
  /** Lines for the servers, addresses and disks; what cannot be priced goes to `unpriced`. */
  fixedLines(spec: DeploymentSpec, bridges: 'min' | 'max', notes: string[], unpriced: string[]): CostLine[];
  /** A month's egress of `gb` from `servers` servers; undefined when its price is unknown. */
  egress(gb: number, servers: number): EgressPrice | undefined;
}

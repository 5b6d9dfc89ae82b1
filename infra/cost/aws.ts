// AWS's price table applied to a deployment: instances, public IPv4 addresses and gp3 root
// volumes around the clock, egress through AWS's volume tiers. AWS bills in US dollars.
import type { DeploymentSpec } from '../spec/types.ts';
import { ROOT_VOLUME_GIB } from '../aws/layout.ts';
import { instanceTypeFacts } from './instance-types.ts';
import type { CloudPricing, CostLine, StoppedBilling } from './pricing.ts';
import { serverCount, serversOf } from './servers.ts';
import {
  EGRESS_TIERS_USD_PER_GB,
  FAMILY_FACTORS,
  FREE_EGRESS_GB_PER_MONTH,
  FX_SOURCE,
  HOURS_PER_MONTH,
  PRICES_RECORDED_ON,
  PRICE_SOURCES,
  PUBLIC_IPV4_USD_PER_HOUR,
  REGION_PRICES,
  type RegionPrices,
  USD_PER_EUR,
} from './prices.ts';

const eur = (usd: number): number => usd / USD_PER_EUR;

function regionPrices(region: string, notes: string[]): RegionPrices {
  const prices = REGION_PRICES[region];
  if (prices) {
    if (prices.pricedAs) notes.push(`${region} is priced as ${prices.pricedAs}: its own prices are not in the table`);
    return prices;
  }
  notes.push(`${region} is not in the price table: priced as eu-central-1`);
  return REGION_PRICES['eu-central-1']!;
}

/** Multiple of the `.large` price: nano 1/16 … large 1, xlarge 2, 4xlarge 8. */
function sizeFactor(size: string): number {
  const fixed: Record<string, number> = { nano: 1 / 16, micro: 1 / 8, small: 1 / 4, medium: 1 / 2, large: 1, xlarge: 2 };
  return fixed[size] ?? 2 * Number(/^(\d+)xlarge$/.exec(size)![1]);
}

/** Hourly list price; only for the instance types the table knows (the spec refuses the others). */
export function instanceUsdPerHour(region: string, instanceType: string, notes: string[] = []): number {
  const facts = instanceTypeFacts(instanceType);
  if (!facts) throw new Error(`${instanceType} is not in the price table (infra/cost/prices.ts): no price to give`);
  const factor = FAMILY_FACTORS[facts.family]!;
  return regionPrices(region, notes).largeUsdPerHour[factor.base] * factor.factor * sizeFactor(facts.size);
}

/** USD for a month's egress, after the free allowance, through the tiers. */
export function egressUsd(gb: number): number {
  let remaining = Math.max(0, gb - FREE_EGRESS_GB_PER_MONTH);
  let previous = 0;
  let usd = 0;
  for (const tier of EGRESS_TIERS_USD_PER_GB) {
    const inTier = Math.min(remaining, tier.upToGb - previous);
    usd += inTier * tier.usd;
    remaining -= inTier;
    previous = tier.upToGb;
    if (remaining <= 0) break;
  }
  return usd;
}

function fixedLines(spec: DeploymentSpec, bridges: 'min' | 'max', notes: string[]): CostLine[] {
  const prices = regionPrices(spec.region, notes);
  const servers = serversOf(spec, bridges);
  const lines: CostLine[] = servers.map((group) => {
    const hourly = eur(instanceUsdPerHour(spec.region, group.type, notes));
    return {
      item: 'compute',
      description: `${group.count} × ${group.what} ${group.type}`,
      quantity: group.count * HOURS_PER_MONTH,
      unit: 'instance-hours',
      unitPriceEur: hourly,
      monthlyEur: hourly * group.count * HOURS_PER_MONTH,
    };
  });
  const addresses = serverCount(servers);
  lines.push({
    item: 'public-ipv4',
    description: `${addresses} public IPv4 address${addresses === 1 ? '' : 'es'} (Elastic IP of the signaling node${spec.bridges ? ', one per bridge' : ''})`,
    quantity: addresses * HOURS_PER_MONTH,
    unit: 'address-hours',
    unitPriceEur: eur(PUBLIC_IPV4_USD_PER_HOUR),
    monthlyEur: eur(PUBLIC_IPV4_USD_PER_HOUR) * addresses * HOURS_PER_MONTH,
  });
  const gib = servers.reduce((sum, group) => sum + group.count * ROOT_VOLUME_GIB[group.role === 'node' ? 'signaling' : 'bridge'], 0);
  lines.push({
    item: 'ebs',
    description: `${gib} GiB gp3 root volumes`,
    quantity: gib,
    unit: 'GiB-months',
    unitPriceEur: eur(prices.gp3UsdPerGbMonth),
    monthlyEur: eur(prices.gp3UsdPerGbMonth) * gib,
  });
  return lines;
}

/**
 * A stopped EC2 instance is not charged for compute; its EBS volumes and public IPv4 addresses
 * are. Source: Amazon EC2 User Guide, "Stop and start Amazon EC2 instances",
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Stop_Start.html (the model jitsi-eu's
 * sandbox expiry has priced since it was written).
 */
const AWS_STOPPED_BILLING: StoppedBilling = {
  rule: 'disk-and-address',
  statement: 'AWS charges a stopped EC2 instance only for its EBS volume and public IPv4 address',
  source: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Stop_Start.html',
};

export const AWS_PRICING: CloudPricing = {
  priceList: 'AWS list prices',
  recordedOn: PRICES_RECORDED_ON,
  sources: [...PRICE_SOURCES, FX_SOURCE],
  usdPerEur: USD_PER_EUR,
  fixedLines: (spec, bridges, notes) => fixedLines(spec, bridges, notes),
  stoppedBilling: AWS_STOPPED_BILLING,
  egress: (gb) => ({
    monthlyEur: eur(egressUsd(gb)),
    eurPerGb: eur(EGRESS_TIERS_USD_PER_GB[0]!.usd),
    freeGb: FREE_EGRESS_GB_PER_MONTH,
    allowance: `first ${FREE_EGRESS_GB_PER_MONTH} GB of the account free`,
  }),
};

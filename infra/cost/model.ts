// Cost estimate of a deployment: compute, public IPv4 addresses and EBS run around the clock;
// Internet egress grows with use and is given per participant-hour.
import type { DeploymentSpec } from '../spec/types.ts';
import { ROOT_VOLUME_GIB } from '../aws/layout.ts';
import { instanceTypeFacts } from './instance-types.ts';
import { DEFAULT_MEETING_SIZE, egressGbPerParticipantHour, egressMbitPerParticipant } from './bandwidth.ts';
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

export interface CostAssumptions {
  /** Sum over the month of every participant's time in meetings. */
  participantHoursPerMonth: number;
  meetingSize: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = { participantHoursPerMonth: 1000, meetingSize: DEFAULT_MEETING_SIZE };

export interface CostLine {
  item: 'compute' | 'public-ipv4' | 'ebs' | 'egress';
  description: string;
  quantity: number;
  unit: string;
  unitPriceEur: number;
  monthlyEur: number;
}

export interface CostEstimate {
  currency: 'EUR';
  region: string;
  pricesRecordedOn: string;
  sources: string[];
  usdPerEur: number;
  hoursPerMonth: number;
  /** At the pool's minimum size and the assumed use. */
  lines: CostLine[];
  /** Compute, addresses and storage per hour, at the pool's minimum size. */
  hourlyEur: number;
  fixedMonthlyEur: number;
  /** Scalable topology: the same with every bridge of the pool running all month. */
  fixedMonthlyEurAtMaxBridges?: number;
  egress: {
    meetingSize: number;
    mbitPerParticipant: number;
    gbPerParticipantHour: number;
    eurPerParticipantHour: number;
    freeGbPerMonth: number;
  };
  assumedParticipantHoursPerMonth: number;
  monthlyEur: number;
  /** Where the estimate is rougher than the price table. */
  notes: string[];
}

const eur = (usd: number): number => usd / USD_PER_EUR;
const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

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

interface Host {
  what: string;
  instanceType: string;
  count: number;
  volumeGib: number;
}

function hosts(spec: DeploymentSpec, bridges: 'min' | 'max'): Host[] {
  const list: Host[] = [{ what: spec.topology === 'single' ? 'single node' : 'signaling node', instanceType: spec.instanceType, count: 1, volumeGib: ROOT_VOLUME_GIB.signaling }];
  if (spec.bridges) {
    list.push({ what: 'videobridge', instanceType: spec.bridges.instanceType, count: spec.bridges[bridges], volumeGib: ROOT_VOLUME_GIB.bridge });
  }
  return list;
}

function fixedLines(spec: DeploymentSpec, bridges: 'min' | 'max', notes: string[]): CostLine[] {
  const prices = regionPrices(spec.region, []);
  const lines: CostLine[] = [];
  for (const host of hosts(spec, bridges)) {
    if (host.count === 0) continue;
    const hourly = eur(instanceUsdPerHour(spec.region, host.instanceType, notes));
    lines.push({
      item: 'compute',
      description: `${host.count} × ${host.what} ${host.instanceType}`,
      quantity: host.count * HOURS_PER_MONTH,
      unit: 'instance-hours',
      unitPriceEur: hourly,
      monthlyEur: hourly * host.count * HOURS_PER_MONTH,
    });
  }
  const addresses = hosts(spec, bridges).reduce((sum, host) => sum + host.count, 0);
  lines.push({
    item: 'public-ipv4',
    description: `${addresses} public IPv4 address${addresses === 1 ? '' : 'es'} (Elastic IP of the signaling node${spec.bridges ? ', one per bridge' : ''})`,
    quantity: addresses * HOURS_PER_MONTH,
    unit: 'address-hours',
    unitPriceEur: eur(PUBLIC_IPV4_USD_PER_HOUR),
    monthlyEur: eur(PUBLIC_IPV4_USD_PER_HOUR) * addresses * HOURS_PER_MONTH,
  });
  const gib = hosts(spec, bridges).reduce((sum, host) => sum + host.count * host.volumeGib, 0);
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

const total = (lines: readonly CostLine[]): number => lines.reduce((sum, line) => sum + line.monthlyEur, 0);

export function estimateCost(spec: DeploymentSpec, assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS): CostEstimate {
  const notes: string[] = [];
  regionPrices(spec.region, notes);
  const fixed = fixedLines(spec, 'min', notes);
  const gbPerParticipantHour = egressGbPerParticipantHour(assumptions.meetingSize);
  const egressGb = gbPerParticipantHour * assumptions.participantHoursPerMonth;
  const firstTierEur = eur(EGRESS_TIERS_USD_PER_GB[0]!.usd);
  const egressLine: CostLine = {
    item: 'egress',
    description: `Internet egress for ${assumptions.participantHoursPerMonth} participant-hours in meetings of ${assumptions.meetingSize} (first ${FREE_EGRESS_GB_PER_MONTH} GB of the account free)`,
    quantity: round(egressGb, 1),
    unit: 'GB',
    unitPriceEur: firstTierEur,
    monthlyEur: eur(egressUsd(egressGb)),
  };
  const lines = [...fixed, egressLine];
  const fixedMonthly = total(fixed);
  const estimate: CostEstimate = {
    currency: 'EUR',
    region: spec.region,
    pricesRecordedOn: PRICES_RECORDED_ON,
    sources: [...PRICE_SOURCES, FX_SOURCE],
    usdPerEur: USD_PER_EUR,
    hoursPerMonth: HOURS_PER_MONTH,
    lines: lines.map((line) => ({ ...line, unitPriceEur: round(line.unitPriceEur, 4), monthlyEur: round(line.monthlyEur) })),
    hourlyEur: round(fixedMonthly / HOURS_PER_MONTH, 4),
    fixedMonthlyEur: round(fixedMonthly),
    egress: {
      meetingSize: assumptions.meetingSize,
      mbitPerParticipant: round(egressMbitPerParticipant(assumptions.meetingSize), 2),
      gbPerParticipantHour: round(gbPerParticipantHour, 3),
      eurPerParticipantHour: round(gbPerParticipantHour * firstTierEur, 4),
      freeGbPerMonth: FREE_EGRESS_GB_PER_MONTH,
    },
    assumedParticipantHoursPerMonth: assumptions.participantHoursPerMonth,
    monthlyEur: round(fixedMonthly + egressLine.monthlyEur),
    notes: [...new Set(notes)],
  };
  if (spec.bridges && spec.bridges.max !== spec.bridges.min) {
    estimate.fixedMonthlyEurAtMaxBridges = round(total(fixedLines(spec, 'max', [])));
  }
  return estimate;
}

/** What the deployment costs per hour while it exists (pool at its minimum, egress not included). */
export function hourlyCostEur(spec: DeploymentSpec): number {
  return round(total(fixedLines(spec, 'min', [])) / HOURS_PER_MONTH, 4);
}

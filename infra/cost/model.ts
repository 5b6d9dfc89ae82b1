// Cost estimate of a deployment on its cloud: servers and public addresses run around the clock;
// Internet egress grows with use and is given per participant-hour. Each cloud's price table
// (aws.ts, hetzner.ts, openstack.ts) supplies the lines; what it cannot price is listed, never
// guessed, and left out of the totals.
import type { Cloud, DeploymentSpec } from '../spec/types.ts';
import { DEFAULT_MEETING_SIZE, egressGbPerParticipantHour, egressMbitPerParticipant } from './bandwidth.ts';
import { AWS_PRICING } from './aws.ts';
import { HETZNER_PRICING } from './hetzner.ts';
import { openstackPricing } from './openstack.ts';
import type { CloudPricing, CostLine } from './pricing.ts';
import { serverCount, serversOf } from './servers.ts';
import { HOURS_PER_MONTH } from './prices.ts';

export { egressUsd, instanceUsdPerHour } from './aws.ts';
export type { CostLine } from './pricing.ts';

export interface CostAssumptions {
  /** Sum over the month of every participant's time in meetings. */
  participantHoursPerMonth: number;
  meetingSize: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = { participantHoursPerMonth: 1000, meetingSize: DEFAULT_MEETING_SIZE };

export interface CostEstimate {
  currency: 'EUR';
  cloud: Cloud;
  region: string;
  /** Whose prices: "AWS list prices", "Hetzner Cloud list prices", "OVHcloud Public Cloud list prices". */
  priceList: string;
  pricesRecordedOn: string;
  sources: string[];
  /** Set when the provider bills in US dollars. */
  usdPerEur?: number;
  hoursPerMonth: number;
  /** At the pool's minimum size and the assumed use. */
  lines: CostLine[];
  /** Servers, addresses and storage per hour, at the pool's minimum size. */
  hourlyEur: number;
  fixedMonthlyEur: number;
  /** Scalable topology: the same with every bridge of the pool running all month. */
  fixedMonthlyEurAtMaxBridges?: number;
  egress: {
    meetingSize: number;
    mbitPerParticipant: number;
    gbPerParticipantHour: number;
    /** Once the free allowance is used up; null when this cloud's egress price is unknown. */
    eurPerParticipantHour: number | null;
    /** null: included without limit, or unknown. */
    freeGbPerMonth: number | null;
    allowance: string;
  };
  assumedParticipantHoursPerMonth: number;
  monthlyEur: number;
  /** Costs the price tables cannot give; the totals leave them out. */
  unpriced: string[];
  /** Where the estimate is rougher than the price table. */
  notes: string[];
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;
const total = (lines: readonly CostLine[]): number => lines.reduce((sum, line) => sum + line.monthlyEur, 0);

/** The price table for the deployment's cloud (and, on OpenStack, its region). */
export function pricingFor(spec: DeploymentSpec): CloudPricing {
  if (spec.cloud === 'hetzner') return HETZNER_PRICING;
  if (spec.cloud === 'openstack') return openstackPricing(spec.region);
  return AWS_PRICING;
}

export function estimateCost(spec: DeploymentSpec, assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS): CostEstimate {
  const pricing = pricingFor(spec);
  const notes: string[] = [];
  const unpriced: string[] = [];
  const fixed = pricing.fixedLines(spec, 'min', notes, unpriced);
  const gbPerParticipantHour = egressGbPerParticipantHour(assumptions.meetingSize);
  const egressGb = gbPerParticipantHour * assumptions.participantHoursPerMonth;
  const egress = pricing.egress(egressGb, serverCount(serversOf(spec, 'min')));
  const egressDescription = `Internet egress for ${assumptions.participantHoursPerMonth} participant-hours in meetings of ${assumptions.meetingSize}`;
  const lines = [...fixed];
  if (egress) {
    lines.push({ item: 'egress', description: `${egressDescription} (${egress.allowance})`, quantity: round(egressGb, 1), unit: 'GB', unitPriceEur: egress.eurPerGb, monthlyEur: egress.monthlyEur });
  } else {
    unpriced.push(`${egressDescription} (${round(egressGb, 1)} GB): price unknown on this cloud`);
  }
  const fixedMonthly = total(fixed);
  const estimate: CostEstimate = {
    currency: 'EUR',
    cloud: spec.cloud,
    region: spec.region,
    priceList: pricing.priceList,
    pricesRecordedOn: pricing.recordedOn,
    sources: pricing.sources,
    ...(pricing.usdPerEur === undefined ? {} : { usdPerEur: pricing.usdPerEur }),
    hoursPerMonth: HOURS_PER_MONTH,
    lines: lines.map((line) => ({ ...line, unitPriceEur: round(line.unitPriceEur, 4), monthlyEur: round(line.monthlyEur) })),
    hourlyEur: round(fixedMonthly / HOURS_PER_MONTH, 4),
    fixedMonthlyEur: round(fixedMonthly),
    egress: {
      meetingSize: assumptions.meetingSize,
      mbitPerParticipant: round(egressMbitPerParticipant(assumptions.meetingSize), 2),
      gbPerParticipantHour: round(gbPerParticipantHour, 3),
      eurPerParticipantHour: egress ? round(gbPerParticipantHour * egress.eurPerGb, 4) : null,
      freeGbPerMonth: egress ? egress.freeGb : null,
      allowance: egress ? egress.allowance : 'unknown on this cloud',
    },
    assumedParticipantHoursPerMonth: assumptions.participantHoursPerMonth,
    monthlyEur: round(fixedMonthly + (egress?.monthlyEur ?? 0)),
    unpriced,
    notes: [...new Set(notes)],
  };
  if (spec.bridges && spec.bridges.max !== spec.bridges.min) {
    estimate.fixedMonthlyEurAtMaxBridges = round(total(pricing.fixedLines(spec, 'max', [], [])));
  }
  return estimate;
}

/**
 * What the deployment costs per hour while it exists (pool at its minimum, egress not included).
 * Costs the cloud's price table cannot give are left out: on an OpenStack cloud jitsi-eu has no
 * prices for, that can be 0.
 */
export function hourlyCostEur(spec: DeploymentSpec): number {
  return round(total(pricingFor(spec).fixedLines(spec, 'min', [], [])) / HOURS_PER_MONTH, 4);
}

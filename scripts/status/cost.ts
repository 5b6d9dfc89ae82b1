// Cost so far this month: the cost model's hourly prices (instance, public IPv4 address, gp3 root
// volume) times each instance's running hours since the later of its launch and the first of the
// month. Egress is not included: it depends on use the AWS API does not report per stack.
import { ROOT_VOLUME_GIB } from '../../infra/aws/layout.ts';
import { instanceUsdPerHour } from '../../infra/cost/index.ts';
import { HOURS_PER_MONTH, PUBLIC_IPV4_USD_PER_HOUR, REGION_PRICES, USD_PER_EUR } from '../../infra/cost/prices.ts';
import type { HostRole } from '../../infra/render/types.ts';

const HOUR_MS = 3_600_000;

/** 00:00 UTC on the first day of `now`'s month (AWS bills by UTC month). */
export function startOfMonthUtc(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/** Hours an instance launched at `launch` has run this month up to `now` (0 if launched later). */
export function runningHoursThisMonth(launch: Date, now: Date): number {
  const from = Math.max(launch.getTime(), startOfMonthUtc(now).getTime());
  return Math.max(0, now.getTime() - from) / HOUR_MS;
}

/** EUR per hour for one host of a role: its instance type, its public IPv4 address, its root volume. */
export function hostEurPerHour(region: string, role: HostRole, instanceType: string, notes: string[] = []): number {
  const gp3 = (REGION_PRICES[region] ?? REGION_PRICES['eu-central-1']!).gp3UsdPerGbMonth;
  const usd = instanceUsdPerHour(region, instanceType, notes) + PUBLIC_IPV4_USD_PER_HOUR + (gp3 * ROOT_VOLUME_GIB[role]) / HOURS_PER_MONTH;
  return usd / USD_PER_EUR;
}

export interface HostCost {
  hours: number;
  eur: number;
}

/**
 * A host's cost this month. A stopped instance still pays for its volume, but the model cannot know
 * when it stopped, so it is counted as running since launch: an upper bound, said in the notes.
 */
export function hostCostSoFar(region: string, role: HostRole, instanceType: string, launch: Date, now: Date, notes: string[] = []): HostCost {
  const hours = runningHoursThisMonth(launch, now);
  return { hours, eur: hours * hostEurPerHour(region, role, instanceType, notes) };
}

export const COST_NOTES = [
  'compute, public IPv4 and root volumes of the instances that exist now, from their launch (or the 1st of the month, 00:00 UTC); Internet egress, DNS and instances already terminated are not included',
  'prices from the cost model in infra/cost (recorded list prices, converted to EUR); the AWS bill is the authority',
];

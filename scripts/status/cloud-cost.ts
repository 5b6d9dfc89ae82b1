// The cost of a Hetzner Cloud or OpenStack stack as it exists now: each server at its type's or
// flavor's price and each public IPv4 address at its price, from the dated tables in infra/cost,
// for a full month and so far this month (hours since creation or the 1st, 00:00 UTC). What has no
// recorded price (a flavor, a floating IP, an attached volume) is named and left out of the sums.
// Stopped servers are counted: Hetzner Cloud and OVHcloud bill them in full.
import { pricingFor } from '../../infra/cost/model.ts';
import { HOURS_PER_MONTH } from '../../infra/cost/prices.ts';
import { unitPrices } from '../../infra/cost/unit-prices.ts';
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import type { CloudServer, PublicAddress } from './cloud-report.ts';
import { runningHoursThisMonth, startOfMonthUtc } from './cost.ts';

export interface CloudCostLine {
  item: 'server' | 'public-ipv4';
  description: string;
  quantity: number;
  /** EUR a month for one. */
  unitMonthlyEur: number;
  /** EUR for a full month of these. */
  monthlyEur: number;
  /** EUR since the later of creation and the 1st of the month. */
  soFarEur: number;
}

export interface CloudCostStatus {
  currency: 'EUR';
  priceList: string;
  pricesRecordedOn: string;
  sources: string[];
  since: string;
  until: string;
  /** A full month of what exists now, of the priced items. */
  monthlyEur: number;
  /** This month so far, of the priced items. */
  soFarEur: number;
  lines: CloudCostLine[];
  /** What exists and is billed but has no recorded price: named, left out of the sums. */
  unpriced: string[];
  notes: string[];
}

const round2 = (value: number) => Math.round(value * 100) / 100;

interface Priced {
  item: CloudCostLine['item'];
  description: string;
  unitMonthlyEur: number;
  soFarEur: number;
}

export function cloudCost(spec: DeploymentSpec & { cloud: Exclude<Cloud, 'aws'> }, region: string, servers: readonly CloudServer[], addresses: readonly PublicAddress[], now: Date): CloudCostStatus {
  const prices = unitPrices(spec.cloud, region);
  const monthStart = startOfMonthUtc(now);
  // A month's share of the monthly price; Hetzner never bills more than the monthly price.
  const soFar = (monthly: number, created: Date) => {
    const share = runningHoursThisMonth(created, now) / HOURS_PER_MONTH;
    return monthly * (prices.capsAtMonthlyPrice ? Math.min(1, share) : share);
  };
  const priced: Priced[] = [];
  const unpriced: string[] = [];
  const notes: string[] = [];

  for (const server of servers) {
    const monthly = prices.serverMonthlyEur(server.serverType);
    if (monthly === undefined) {
      unpriced.push(`server ${server.name} (${server.serverType}): price ${prices.whyUnpriced}`);
    } else {
      priced.push({ item: 'server', description: `${server.role === 'unknown' ? 'server' : server.role} ${server.serverType}`, unitMonthlyEur: monthly, soFarEur: soFar(monthly, new Date(server.created)) });
    }
    for (const volume of server.volumes) unpriced.push(`volume ${volume} attached to ${server.name}: volumes are not in the price tables (jitsi-eu creates none)`);
  }
  const undated = addresses.filter((a) => !a.created);
  for (const address of addresses) {
    const monthly = prices.publicIpv4MonthlyEur;
    if (monthly === undefined) {
      unpriced.push(`${prices.publicIpv4Name} ${address.ip}: price ${prices.whyUnpriced}`);
      continue;
    }
    const created = address.created ? new Date(address.created) : monthStart;
    priced.push({ item: 'public-ipv4', description: `${prices.publicIpv4Name} address${address.assigned ? '' : ' (not assigned to a server)'}`, unitMonthlyEur: monthly, soFarEur: soFar(monthly, created) });
  }
  if (undated.length > 0 && prices.publicIpv4MonthlyEur !== undefined) notes.push(`${undated.map((a) => a.ip).join(', ')}: no creation time reported, counted from the 1st of the month`);

  // One line per kind of item at one price: "2 × bridge ccx33".
  const byKind = new Map<string, CloudCostLine>();
  for (const p of priced) {
    const kind = `${p.description}|${p.unitMonthlyEur}`;
    const line = byKind.get(kind) ?? { item: p.item, description: p.description, quantity: 0, unitMonthlyEur: p.unitMonthlyEur, monthlyEur: 0, soFarEur: 0 };
    line.quantity += 1;
    line.monthlyEur += p.unitMonthlyEur;
    line.soFarEur += p.soFarEur;
    byKind.set(kind, line);
  }
  const lines = [...byKind.values()];

  const stopped = servers.filter((s) => !s.running);
  if (stopped.length > 0) {
    const billing = pricingFor(spec).stoppedBilling;
    notes.push(`${stopped.map((s) => s.name).join(', ')} ${stopped.length === 1 ? 'is' : 'are'} not running and counted in full: ${billing.statement}${billing.source ? `; source: ${billing.source}` : ''}`);
  }
  notes.push(
    `list prices excluding VAT, as recorded on ${prices.recordedOn}; so far = hours since creation (or the 1st, 00:00 UTC) × the monthly price / ${HOURS_PER_MONTH}${prices.capsAtMonthlyPrice ? ', at most the monthly price' : ''}`,
    'Internet traffic, DNS and resources already deleted are not included; the provider\'s invoice is the authority',
  );

  return {
    currency: 'EUR',
    priceList: prices.priceList,
    pricesRecordedOn: prices.recordedOn,
    sources: prices.sources,
    since: monthStart.toISOString(),
    until: now.toISOString(),
    monthlyEur: round2(lines.reduce((sum, l) => sum + l.monthlyEur, 0)),
    soFarEur: round2(lines.reduce((sum, l) => sum + l.soFarEur, 0)),
    lines: lines.map((l) => ({ ...l, monthlyEur: round2(l.monthlyEur), soFarEur: round2(l.soFarEur) })),
    unpriced,
    notes,
  };
}

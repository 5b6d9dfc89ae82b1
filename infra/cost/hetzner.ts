// Hetzner Cloud's price table applied to a deployment: each server at its monthly price (its
// local disk included), one Primary IPv4 per server (IPv6 free), and traffic beyond what every
// server includes.
import type { DeploymentSpec } from '../spec/types.ts';
import {
  HETZNER_INCLUDED_TRAFFIC_TB_PER_SERVER,
  HETZNER_PRICES_RECORDED_ON,
  HETZNER_PRICE_SOURCES,
  HETZNER_PRIMARY_IPV4_MONTHLY_EUR,
  HETZNER_SERVER_MONTHLY_EUR,
  HETZNER_STOPPED_BILLING,
  HETZNER_TRAFFIC_EUR_PER_TB,
} from './hetzner-prices.ts';
import type { CloudPricing, CostLine } from './pricing.ts';
import { serverCount, serversOf } from './servers.ts';

const GB_PER_TB = 1000;

function fixedLines(spec: DeploymentSpec, bridges: 'min' | 'max', _notes: string[], unpriced: string[]): CostLine[] {
  const servers = serversOf(spec, bridges);
  const lines: CostLine[] = [];
  for (const group of servers) {
    const monthly = HETZNER_SERVER_MONTHLY_EUR[group.type];
    if (monthly === undefined) {
      unpriced.push(`compute cost unknown for server type ${group.type} (${group.count} × ${group.what}): its price is not in infra/cost/hetzner-prices.ts`);
      continue;
    }
    lines.push({
      item: 'compute',
      description: `${group.count} × ${group.what} ${group.type} (local disk included)`,
      quantity: group.count,
      unit: 'server-months',
      unitPriceEur: monthly,
      monthlyEur: monthly * group.count,
    });
  }
  const addresses = serverCount(servers);
  lines.push({
    item: 'public-ipv4',
    description: `${addresses} Primary IPv4 address${addresses === 1 ? '' : 'es'}, one per server (Primary IPv6 free)`,
    quantity: addresses,
    unit: 'address-months',
    unitPriceEur: HETZNER_PRIMARY_IPV4_MONTHLY_EUR,
    monthlyEur: HETZNER_PRIMARY_IPV4_MONTHLY_EUR * addresses,
  });
  return lines;
}

export const HETZNER_PRICING: CloudPricing = {
  priceList: 'Hetzner Cloud list prices',
  recordedOn: HETZNER_PRICES_RECORDED_ON,
  sources: HETZNER_PRICE_SOURCES,
  fixedLines,
  stoppedBilling: HETZNER_STOPPED_BILLING,
  egress: (gb, servers) => {
    // Each server includes its own volume; the estimate assumes the traffic is spread over them.
    const freeGb = HETZNER_INCLUDED_TRAFFIC_TB_PER_SERVER * GB_PER_TB * servers;
    const eurPerGb = HETZNER_TRAFFIC_EUR_PER_TB / GB_PER_TB;
    return {
      monthlyEur: Math.max(0, gb - freeGb) * eurPerGb,
      eurPerGb,
      freeGb,
      allowance: `${HETZNER_INCLUDED_TRAFFIC_TB_PER_SERVER} TB included with each of the ${servers} server${servers === 1 ? '' : 's'}, then €${HETZNER_TRAFFIC_EUR_PER_TB.toFixed(2)} per TB`,
    };
  },
};

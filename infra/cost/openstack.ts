// An OpenStack cloud's price table applied to a deployment, when jitsi-eu has one for the
// stack's region (openstack-prices.ts): flavors, one floating IP per server, egress. On any
// other OpenStack cloud the estimate names each cost it cannot give instead of guessing.
import type { DeploymentSpec } from '../spec/types.ts';
import { type OpenStackPriceTable, openstackPriceTable } from './openstack-prices.ts';
import type { CloudPricing, CostLine } from './pricing.ts';
import { serverCount, serversOf } from './servers.ts';

function fixedLines(table: OpenStackPriceTable | undefined, spec: DeploymentSpec, bridges: 'min' | 'max', notes: string[], unpriced: string[]): CostLine[] {
  const servers = serversOf(spec, bridges);
  const cloud = table ? table.cloud : `the OpenStack cloud of region ${spec.region}`;
  if (!table) notes.push(`jitsi-eu has no price list for region ${spec.region}: ask your cloud's operator for its prices`);
  const lines: CostLine[] = [];
  for (const group of servers) {
    const monthly = table?.flavorMonthlyEur[group.type];
    if (monthly === undefined) {
      unpriced.push(`compute cost unknown for flavor ${group.type} on ${cloud} (${group.count} × ${group.what})`);
      continue;
    }
    lines.push({
      item: 'compute',
      description: `${group.count} × ${group.what} ${group.type}`,
      quantity: group.count,
      unit: 'instance-months',
      unitPriceEur: monthly,
      monthlyEur: monthly * group.count,
    });
  }
  const addresses = serverCount(servers);
  const ip = table?.floatingIpMonthlyEur;
  if (ip === undefined) {
    unpriced.push(`${addresses} floating IP address${addresses === 1 ? '' : 'es'} from ${spec.externalNetwork ?? 'the external network'}: price not recorded for ${cloud}`);
  } else {
    lines.push({
      item: 'public-ipv4',
      description: `${addresses} floating IP address${addresses === 1 ? '' : 'es'}, one per server`,
      quantity: addresses,
      unit: 'address-months',
      unitPriceEur: ip,
      monthlyEur: ip * addresses,
    });
  }
  return lines;
}

export function openstackPricing(region: string): CloudPricing {
  const table = openstackPriceTable(region);
  return {
    priceList: table ? `${table.cloud} list prices` : 'no price list for this OpenStack cloud',
    recordedOn: table?.recordedOn ?? 'never',
    sources: table?.sources ?? [],
    fixedLines: (spec, bridges, notes, unpriced) => fixedLines(table, spec, bridges, notes, unpriced),
    stoppedBilling: table?.stoppedBilling ?? {
      rule: 'unknown',
      statement: `whether the OpenStack cloud of region ${region} bills a shut-off instance is not recorded (many bill it like a running one, since it keeps its place on the host): ask its operator`,
      source: '',
    },
    egress: (gb) => {
      if (!table) return undefined;
      if (table.egress.included) return { monthlyEur: 0, eurPerGb: 0, freeGb: null, allowance: `outgoing traffic included (${table.egress.source})` };
      return { monthlyEur: gb * table.egress.eurPerGb, eurPerGb: table.egress.eurPerGb, freeGb: 0, allowance: 'no free allowance' };
    },
  };
}

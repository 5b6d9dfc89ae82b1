// What status says a Hetzner Cloud or OpenStack stack costs: each server and public IPv4 at the
// dated table's price, a month of it and so far this month; Hetzner never more than the monthly
// price in a month, OpenStack clouds by the hour; what has no recorded price is named.
import { describe, expect, it } from 'vitest';
import { HETZNER_SERVER_MONTHLY_EUR } from '../../infra/cost/hetzner-prices.ts';
import { OVHCLOUD } from '../../infra/cost/openstack-prices.ts';
import { HOURS_PER_MONTH } from '../../infra/cost/prices.ts';
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import { cloudCost } from '../../scripts/status/cloud-cost.ts';
import type { CloudServer } from '../../scripts/status/cloud-report.ts';
import { makeSpec } from '../helpers/spec.ts';

// The last hour of a 31-day month: 743 hours since the 1st.
const NOW = new Date('2026-12-31T23:00:00Z');
const server = (name: string, serverType: string, role: CloudServer['role'] = 'signaling', running = true): CloudServer => ({
  id: name,
  name,
  role,
  state: running ? 'running' : 'off',
  running,
  privateIps: [],
  serverType,
  location: '-',
  created: '2026-11-01T00:00:00.000Z',
  volumes: [],
  provider: {},
});
const onCloud = (cloud: Exclude<Cloud, 'aws'>, region: string) => makeSpec({ cloud, region }) as DeploymentSpec & { cloud: Exclude<Cloud, 'aws'> };

describe('status cost outside AWS', () => {
  it('OVHcloud: flavors at the table\'s price by the hour (a 31-day month costs more than 730 hours), floating IPs and unknown flavors named', () => {
    const cost = cloudCost(onCloud('openstack', 'GRA11'), 'GRA11', [server('sig', 'b3-16'), server('br', 'c3-8', 'bridge')], [{ ip: '198.51.100.7', assigned: true, created: '2026-11-01T00:00:00.000Z' }], NOW);
    const b316 = OVHCLOUD.flavorMonthlyEur['b3-16']!;
    expect(cost).toMatchObject({ priceList: 'OVHcloud Public Cloud list prices', pricesRecordedOn: OVHCLOUD.recordedOn, monthlyEur: b316 });
    expect(cost.lines).toEqual([{ item: 'server', description: 'signaling b3-16', quantity: 1, unitMonthlyEur: b316, monthlyEur: b316, soFarEur: Math.round(((b316 * 743) / HOURS_PER_MONTH) * 100) / 100 }]);
    expect(cost.soFarEur).toBeGreaterThan(b316);
    expect(cost.unpriced).toEqual([
      'server br (c3-8): price not in the OVHcloud Public Cloud table of infra/cost/openstack-prices.ts',
      'floating IP 198.51.100.7: price not in the OVHcloud Public Cloud table of infra/cost/openstack-prices.ts',
    ]);
  });

  it('Hetzner Cloud: never more than the monthly price in a month, and a powered-off server still counts, with the reason', () => {
    const cost = cloudCost(onCloud('hetzner', 'nbg1'), 'nbg1', [server('sig', 'cx33'), server('br', 'cx53', 'bridge', false)], [], NOW);
    expect(cost.lines.map((l) => [l.description, l.soFarEur])).toEqual([
      ['signaling cx33', HETZNER_SERVER_MONTHLY_EUR.cx33],
      ['bridge cx53', HETZNER_SERVER_MONTHLY_EUR.cx53],
    ]);
    expect(cost.soFarEur).toBe(cost.monthlyEur);
    expect(cost.notes[0]).toMatch(/^br is not running and counted in full: Hetzner Cloud bills a powered-off server in full/);
    expect(cost.notes.join(' ')).toMatch(/at most the monthly price/);
  });
});

// The example stacks for Hetzner Cloud and OpenStack: what they cost a month is what the README
// compares, so every server in them must be priced by a dated table.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR, loadStackFile } from '../../infra/spec/index.ts';
import { estimateCost } from '../../infra/cost/model.ts';
import { HETZNER_PRIMARY_IPV4_MONTHLY_EUR, HETZNER_SERVER_MONTHLY_EUR } from '../../infra/cost/hetzner-prices.ts';
import { OVHCLOUD } from '../../infra/cost/openstack-prices.ts';

function specOf(file: string) {
  const result = loadStackFile(join(PROJECT_DIR, file), { now: new Date('2026-11-22T00:00:00Z') });
  if (!result.ok) throw new Error(`${file}: ${JSON.stringify(result.problems)}`);
  return result.spec;
}

describe('example stack costs', () => {
  it('Pulumi.example-hetzner.yaml: an EU location, a fixed pool, every server priced', () => {
    const spec = specOf('Pulumi.example-hetzner.yaml');
    expect(spec.cloud).toBe('hetzner');
    expect(['fsn1', 'nbg1', 'hel1']).toContain(spec.region);
    expect(spec.bridges!.min).toBe(spec.bridges!.max);
    const estimate = estimateCost(spec);
    expect(estimate.unpriced).toEqual([]);
    const servers = HETZNER_SERVER_MONTHLY_EUR[spec.instanceType]! + spec.bridges!.min * HETZNER_SERVER_MONTHLY_EUR[spec.bridges!.instanceType]!;
    expect(estimate.fixedMonthlyEur).toBeCloseTo(servers + (1 + spec.bridges!.min) * HETZNER_PRIMARY_IPV4_MONTHLY_EUR, 2);
  });

  it('Pulumi.example-openstack.yaml: OVHcloud in France, its flavors priced by the OVHcloud table', () => {
    const spec = specOf('Pulumi.example-openstack.yaml');
    expect([spec.cloud, spec.region, spec.country, spec.externalNetwork]).toEqual(['openstack', 'GRA11', 'FR', 'Ext-Net']);
    const estimate = estimateCost(spec);
    expect(estimate.priceList).toBe(`${OVHCLOUD.cloud} list prices`);
    expect(estimate.unpriced.filter((item) => item.startsWith('compute'))).toEqual([]);
    expect(estimate.fixedMonthlyEur).toBeCloseTo(OVHCLOUD.flavorMonthlyEur[spec.instanceType]!, 2);
  });
});

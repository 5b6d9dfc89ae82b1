// The cost model on Hetzner Cloud and OpenStack: each cloud's own dated price table, and on an
// OpenStack cloud jitsi-eu has no prices for, every cost it cannot give named instead of guessed.
import { describe, expect, it } from 'vitest';
import { makeSpec } from '../helpers/spec.ts';
import { estimateCost, hourlyCostEur } from '../../infra/cost/model.ts';
import { HETZNER_SERVER_TYPES } from '../../infra/cost/hetzner-server-types.ts';
import {
  HETZNER_PRICES_RECORDED_ON,
  HETZNER_PRIMARY_IPV4_MONTHLY_EUR,
  HETZNER_SERVER_MONTHLY_EUR,
  HETZNER_TRAFFIC_EUR_PER_TB,
} from '../../infra/cost/hetzner-prices.ts';
import { OVHCLOUD, openstackPriceTable } from '../../infra/cost/openstack-prices.ts';
import { egressGbPerParticipantHour } from '../../infra/cost/bandwidth.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';

const hetzner = (overrides: Partial<DeploymentSpec> = {}) =>
  makeSpec({ cloud: 'hetzner', region: 'fsn1', country: 'DE', regionLabel: 'Falkenstein, Germany', instanceType: 'ccx23', image: 'debian-12', ...overrides });
const openstack = (overrides: Partial<DeploymentSpec> = {}) =>
  makeSpec({ cloud: 'openstack', region: 'GRA11', country: 'FR', regionLabel: 'GRA11 (FR)', instanceType: 'b3-8', image: 'Debian 12', externalNetwork: 'Ext-Net', ...overrides });

describe('Hetzner price table', () => {
  it('is dated and prices only server types the spec accepts', () => {
    expect(HETZNER_PRICES_RECORDED_ON).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const [type, price] of Object.entries(HETZNER_SERVER_MONTHLY_EUR)) {
      expect(HETZNER_SERVER_TYPES[type], type).toBeDefined();
      expect(price, type).toBeGreaterThan(0);
    }
    // Dedicated vCPUs cost more than shared ones of the same size.
    expect(HETZNER_SERVER_MONTHLY_EUR.ccx23!).toBeGreaterThan(HETZNER_SERVER_MONTHLY_EUR.cpx32!);
  });
});

describe('estimate on Hetzner Cloud', () => {
  it('bills a single node at its monthly price plus one Primary IPv4, with no separate disk line', () => {
    const estimate = estimateCost(hetzner(), { participantHoursPerMonth: 0, meetingSize: 10 });
    expect(estimate.cloud).toBe('hetzner');
    expect(estimate.priceList).toContain('Hetzner');
    expect(estimate.pricesRecordedOn).toBe(HETZNER_PRICES_RECORDED_ON);
    expect(estimate.usdPerEur).toBeUndefined();
    expect(estimate.lines.map((l) => [l.item, l.monthlyEur])).toEqual([
      ['compute', 85.99],
      ['public-ipv4', HETZNER_PRIMARY_IPV4_MONTHLY_EUR],
      ['egress', 0],
    ]);
    expect(estimate.fixedMonthlyEur).toBeCloseTo(85.99 + 0.5, 2);
    expect(hourlyCostEur(hetzner())).toBeCloseTo((85.99 + 0.5) / 730, 4);
    expect(estimate.unpriced).toEqual([]);
  });

  it('counts a fixed pool of bridges, one address each, and 20 TB of traffic per server before any charge', () => {
    const spec = hetzner({ topology: 'scalable', bridges: { min: 2, max: 2, instanceType: 'ccx33' } });
    const estimate = estimateCost(spec, { participantHoursPerMonth: 1000, meetingSize: 10 });
    expect(estimate.lines.find((l) => l.item === 'compute' && l.description.includes('videobridge'))!.monthlyEur).toBeCloseTo(2 * 138.49, 2);
    expect(estimate.lines.find((l) => l.item === 'public-ipv4')!.quantity).toBe(3);
    expect(estimate.egress.freeGbPerMonth).toBe(3 * 20_000);
    expect(estimate.fixedMonthlyEurAtMaxBridges).toBeUndefined();
    expect(estimate.monthlyEur).toBeCloseTo(85.99 + 2 * 138.49 + 3 * 0.5, 2);
  });

  it('charges traffic beyond the included volume per TB', () => {
    const gbPerHour = egressGbPerParticipantHour(10);
    const hours = Math.ceil(25_000 / gbPerHour); // 25 TB from one server: 5 TB over
    const estimate = estimateCost(hetzner(), { participantHoursPerMonth: hours, meetingSize: 10 });
    const over = (hours * gbPerHour - 20_000) / 1000;
    expect(estimate.lines.find((l) => l.item === 'egress')!.monthlyEur).toBeCloseTo(over * HETZNER_TRAFFIC_EUR_PER_TB, 1);
    expect(estimate.egress.eurPerParticipantHour).toBeCloseTo((gbPerHour * HETZNER_TRAFFIC_EUR_PER_TB) / 1000, 4);
  });

  it('names a server type without a recorded price instead of guessing, and leaves it out of the total', () => {
    // The Arm (CAX) types have no price recorded since Hetzner's June 2026 list.
    const unpricedType = 'cax21';
    expect(HETZNER_SERVER_TYPES[unpricedType]).toBeDefined();
    expect(HETZNER_SERVER_MONTHLY_EUR[unpricedType]).toBeUndefined();
    const estimate = estimateCost(hetzner({ instanceType: unpricedType }));
    expect(estimate.unpriced).toEqual([expect.stringContaining(`compute cost unknown for server type ${unpricedType}`)]);
    expect(estimate.lines.some((l) => l.item === 'compute')).toBe(false);
    expect(estimate.fixedMonthlyEur).toBeCloseTo(0.5, 2);
  });
});

describe('estimate on OpenStack', () => {
  it('prices an OVHcloud region by the OVHcloud table: flavors, and traffic included', () => {
    const spec = openstack({ topology: 'scalable', bridges: { min: 2, max: 2, instanceType: 'b3-16' } });
    const estimate = estimateCost(spec);
    expect(openstackPriceTable('GRA11')).toBe(OVHCLOUD);
    expect(estimate.priceList).toBe('OVHcloud Public Cloud list prices');
    expect(estimate.pricesRecordedOn).toBe(OVHCLOUD.recordedOn);
    expect(estimate.lines.filter((l) => l.item === 'compute').map((l) => l.monthlyEur)).toEqual([37.38, 2 * 74.68]);
    expect(estimate.lines.find((l) => l.item === 'egress')!.monthlyEur).toBe(0);
    expect(estimate.egress.freeGbPerMonth).toBeNull();
    // The floating IPs have no recorded price: named, not guessed.
    expect(estimate.unpriced).toEqual([expect.stringMatching(/^3 floating IP addresses from Ext-Net: price not recorded for OVHcloud Public Cloud/)]);
    expect(estimate.fixedMonthlyEur).toBeCloseTo(37.38 + 2 * 74.68, 2);
    expect(hourlyCostEur(spec)).toBeCloseTo((37.38 + 2 * 74.68) / 730, 4);
  });

  it('says compute cost is unknown for a flavor the table does not hold', () => {
    const estimate = estimateCost(openstack({ instanceType: 'c3-8' }));
    expect(estimate.unpriced).toContain('compute cost unknown for flavor c3-8 on OVHcloud Public Cloud (1 × single node)');
    expect(estimate.lines.some((l) => l.item === 'compute')).toBe(false);
  });

  it('prices nothing on a cloud jitsi-eu has no table for, and says what is missing', () => {
    const spec = openstack({ region: 'RegionOne', country: 'DE', regionLabel: 'RegionOne (DE)', instanceType: 'm1.large' });
    const estimate = estimateCost(spec);
    expect(estimate.priceList).toBe('no price list for this OpenStack cloud');
    expect(estimate.sources).toEqual([]);
    expect(estimate.lines).toEqual([]);
    expect(estimate.unpriced).toEqual([
      'compute cost unknown for flavor m1.large on the OpenStack cloud of region RegionOne (1 × single node)',
      expect.stringContaining('1 floating IP address from Ext-Net: price not recorded'),
      expect.stringMatching(/^Internet egress .*: price unknown on this cloud$/),
    ]);
    expect(estimate.egress.eurPerParticipantHour).toBeNull();
    expect(estimate.notes.join()).toContain('no price list for region RegionOne');
    expect(hourlyCostEur(spec)).toBe(0);
  });
});

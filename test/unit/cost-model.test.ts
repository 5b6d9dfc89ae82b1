// The cost model: fixed monthly costs from the price table, egress from the bandwidth model.
import { describe, expect, it } from 'vitest';
import { makeSpec } from '../helpers/spec.ts';
import { estimateCost, egressUsd, hourlyCostEur, instanceUsdPerHour } from '../../infra/cost/model.ts';
import { instanceTypeFacts, knownInstanceTypes } from '../../infra/cost/instance-types.ts';
import { egressGbPerParticipantHour, egressMbitPerParticipant } from '../../infra/cost/bandwidth.ts';
import { PRICES_RECORDED_ON, REGION_PRICES, USD_PER_EUR } from '../../infra/cost/prices.ts';
import { EU_REGIONS, OPT_IN_REGIONS } from '../../infra/spec/regions.ts';

describe('price table', () => {
  it('covers every region a stack may use, with a recording date', () => {
    for (const region of [...EU_REGIONS, ...OPT_IN_REGIONS]) expect(REGION_PRICES[region.region], region.region).toBeDefined();
    expect(PRICES_RECORDED_ON).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('scales instance prices linearly with size and prices newer families above older ones', () => {
    const large = instanceUsdPerHour('eu-central-1', 'c6i.large');
    expect(instanceUsdPerHour('eu-central-1', 'c6i.xlarge')).toBeCloseTo(2 * large, 10);
    expect(instanceUsdPerHour('eu-central-1', 'c6i.4xlarge')).toBeCloseTo(8 * large, 10);
    expect(instanceUsdPerHour('eu-central-1', 'c7g.medium')).toBeCloseTo(instanceUsdPerHour('eu-central-1', 'c7g.large') / 2, 10);
    expect(instanceUsdPerHour('eu-central-1', 'c7i.large')).toBeGreaterThan(large);
    expect(instanceUsdPerHour('eu-central-1', 'c7g.large')).toBeLessThan(large);
    expect(instanceUsdPerHour('eu-central-2', 'c6i.large')).toBeGreaterThan(instanceUsdPerHour('eu-north-1', 'c6i.large'));
  });

  it('gives no price for a type the table does not know, rather than guessing one', () => {
    expect(() => instanceUsdPerHour('eu-west-1', 't2.banana')).toThrow(/t2\.banana is not in the price table/);
    expect(() => instanceUsdPerHour('eu-west-1', 'z9q.xlarge')).toThrow(/not in the price table/);
    expect(() => instanceUsdPerHour('eu-west-1', 'c6i.medium')).toThrow(/not in the price table/);
  });
});

describe('instance type facts', () => {
  it('knows the vCPUs and memory of every priced type', () => {
    expect(instanceTypeFacts('c6i.xlarge')).toMatchObject({ vcpus: 4, memoryGib: 8 });
    expect(instanceTypeFacts('c5.9xlarge')).toMatchObject({ vcpus: 36, memoryGib: 72 });
    expect(instanceTypeFacts('m7g.medium')).toMatchObject({ vcpus: 1, memoryGib: 4 });
    expect(instanceTypeFacts('r6i.2xlarge')).toMatchObject({ vcpus: 8, memoryGib: 64 });
    expect(instanceTypeFacts('t3.micro')).toMatchObject({ vcpus: 2, memoryGib: 1, burstable: true });
    expect(instanceTypeFacts('t4g.xlarge')).toMatchObject({ vcpus: 4, memoryGib: 16 });
    expect(instanceTypeFacts('t2.banana')).toBeUndefined();
    for (const type of knownInstanceTypes()) expect(instanceUsdPerHour('eu-central-1', type), type).toBeGreaterThan(0);
  });
});

describe('bandwidth model', () => {
  it('sends each participant the speaker at 720p and everyone else as thumbnails', () => {
    expect(egressMbitPerParticipant(1)).toBe(0);
    expect(egressMbitPerParticipant(2)).toBeCloseTo(2.5, 10);
    expect(egressMbitPerParticipant(10)).toBeCloseTo(2.5 + 8 * 0.2, 10);
    // With lastN the thumbnails stop growing.
    expect(egressMbitPerParticipant(30, 20)).toBeCloseTo(2.5 + 20 * 0.2, 10);
  });

  it('turns Mbit/s into GB per participant-hour', () => {
    // 4.1 Mbit/s for an hour: 4.1e6 / 8 bytes/s × 3600 s = 1.845e9 bytes.
    expect(egressGbPerParticipantHour(10)).toBeCloseTo(1.845, 10);
  });

  it('bills egress after the free 100 GB, through the volume tiers', () => {
    expect(egressUsd(0)).toBe(0);
    expect(egressUsd(100)).toBe(0);
    expect(egressUsd(1100)).toBeCloseTo(1000 * 0.09, 10);
    expect(egressUsd(100 + 10240 + 1000)).toBeCloseTo(10240 * 0.09 + 1000 * 0.085, 6);
  });
});

describe('estimate', () => {
  it('adds compute, one public IPv4 address and the root volume for a single node', () => {
    const spec = makeSpec({ region: 'eu-central-1', instanceType: 'c6i.xlarge' });
    const prices = REGION_PRICES['eu-central-1']!;
    const usdPerHour = 2 * prices.largeUsdPerHour.c + 0.005 + (20 * prices.gp3UsdPerGbMonth) / 730;
    expect(hourlyCostEur(spec)).toBeCloseTo(usdPerHour / USD_PER_EUR, 3);
    const estimate = estimateCost(spec, { participantHoursPerMonth: 0, meetingSize: 10 });
    expect(estimate.lines.map((l) => l.item)).toEqual(['compute', 'public-ipv4', 'ebs', 'egress']);
    expect(estimate.monthlyEur).toBeCloseTo((usdPerHour * 730) / USD_PER_EUR, 1);
    expect(estimate.lines.find((l) => l.item === 'egress')!.monthlyEur).toBe(0);
    expect(estimate.fixedMonthlyEurAtMaxBridges).toBeUndefined();
  });

  it('counts the bridge pool at its minimum, and reports the maximum separately', () => {
    const single = makeSpec({ region: 'eu-north-1' });
    const pool = makeSpec({ region: 'eu-north-1', topology: 'scalable', bridges: { min: 2, max: 6, instanceType: 'c6i.2xlarge' } });
    const bridgeUsd = instanceUsdPerHour('eu-north-1', 'c6i.2xlarge') + 0.005 + (12 * REGION_PRICES['eu-north-1']!.gp3UsdPerGbMonth) / 730;
    expect(hourlyCostEur(pool) - hourlyCostEur(single)).toBeCloseTo((2 * bridgeUsd) / USD_PER_EUR, 3);
    const estimate = estimateCost(pool);
    expect(estimate.fixedMonthlyEurAtMaxBridges! - estimate.fixedMonthlyEur).toBeCloseTo((4 * bridgeUsd * 730) / USD_PER_EUR, 0);
    expect(estimate.lines.find((l) => l.item === 'public-ipv4')!.quantity).toBe(3 * 730);
  });

  it('prices egress per participant-hour and sums every line into the total', () => {
    const spec = makeSpec({ region: 'eu-west-1' });
    const estimate = estimateCost(spec, { participantHoursPerMonth: 2000, meetingSize: 10 });
    expect(estimate.egress.gbPerParticipantHour).toBeCloseTo(1.845, 3);
    expect(estimate.egress.eurPerParticipantHour).toBeCloseTo((1.845 * 0.09) / USD_PER_EUR, 3);
    const egress = estimate.lines.find((l) => l.item === 'egress')!;
    expect(egress.monthlyEur).toBeCloseTo(((2000 * 1.845 - 100) * 0.09) / USD_PER_EUR, 1);
    const sum = estimate.lines.reduce((total, line) => total + line.monthlyEur, 0);
    expect(estimate.monthlyEur).toBeCloseTo(sum, 1);
  });

  it('says when the sovereign cloud is priced as Frankfurt', () => {
    const estimate = estimateCost(makeSpec({ region: 'eusc-de-east-1', partition: 'aws-eusc' }));
    expect(estimate.notes.join()).toContain('eu-central-1');
    expect(hourlyCostEur(makeSpec({ region: 'eusc-de-east-1', partition: 'aws-eusc' }))).toBe(hourlyCostEur(makeSpec({ region: 'eu-central-1' })));
  });
});

// Cost so far this month, against figures worked out by hand from infra/cost/prices.ts:
// eu-central-1, c large $0.097/h, public IPv4 $0.005/h, gp3 $0.0952/GB-month, 730 h a month,
// $1.16 per euro; root volumes 20 GiB (signaling) and 12 GiB (bridge).
import { describe, expect, it } from 'vitest';
import { hostCostSoFar, hostEurPerHour, runningHoursThisMonth, startOfMonthUtc } from '../../scripts/status/cost.ts';

const NOW = new Date('2026-12-06T12:00:00Z');

describe('status cost so far', () => {
  it('counts hours from the first of the month (UTC) for an instance launched before it', () => {
    expect(startOfMonthUtc(NOW).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    // 5 days and 12 hours.
    expect(runningHoursThisMonth(new Date('2026-11-20T08:00:00Z'), NOW)).toBe(132);
  });

  it('counts hours from launch for an instance launched this month, and none for a later launch', () => {
    expect(runningHoursThisMonth(new Date('2026-12-05T06:30:00Z'), NOW)).toBe(29.5);
    expect(runningHoursThisMonth(new Date('2026-12-07T00:00:00Z'), NOW)).toBe(0);
  });

  it('prices a signaling node: instance, address and its 20 GiB volume', () => {
    // (2 × 0.097 + 0.005 + 0.0952 × 20 / 730) / 1.16 = 0.173800 €/h
    expect(hostEurPerHour('eu-central-1', 'signaling', 'c6i.xlarge')).toBeCloseTo(0.1738002, 6);
    // 132 h × 0.1738002 = 22.9416 €
    expect(hostCostSoFar('eu-central-1', 'signaling', 'c6i.xlarge', new Date('2026-11-20T08:00:00Z'), NOW).eur).toBeCloseTo(22.9416, 3);
  });

  it('prices a bridge: a 2xlarge and its 12 GiB volume', () => {
    // (4 × 0.097 + 0.005 + 0.0952 × 12 / 730) / 1.16 = 0.340142 €/h; × 29.5 h = 10.0342 €
    const cost = hostCostSoFar('eu-central-1', 'bridge', 'c6i.2xlarge', new Date('2026-12-05T06:30:00Z'), NOW);
    expect(cost.hours).toBe(29.5);
    expect(cost.eur).toBeCloseTo(10.0342, 3);
  });

  it('prices an unknown region as Frankfurt and says so', () => {
    const notes: string[] = [];
    expect(hostEurPerHour('eu-nowhere-1', 'signaling', 'c6i.xlarge', notes)).toBeCloseTo(0.1738002, 6);
    expect(notes.join(' ')).toMatch(/not in the price table/);
  });
});

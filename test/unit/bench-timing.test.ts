// The benchmarks' shared arithmetic and arguments: the median they are judged on, and --runs.
import { describe, expect, it } from 'vitest';
import { median, parseBenchArgs, summarise } from '../../bench/timing.ts';
import { UsageError } from '../../scripts/lib/cli.ts';

describe('bench timing', () => {
  it('takes the middle value, or the mean of the two middle values, whatever the order', () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([40, 10, 30, 20])).toBe(25);
    expect(median([7])).toBe(7);
  });

  it('summarises runs in whole milliseconds', () => {
    expect(summarise([1200.4, 980.6, 1010.2])).toEqual({ medianMs: 1010, minMs: 981, maxMs: 1200 });
  });

  it('reads --runs and --json, and refuses a run count that is not a whole number of at least 1', () => {
    expect(parseBenchArgs(['--runs', '3', '--json'], 'usage')).toEqual({ runs: 3, json: true });
    expect(parseBenchArgs([], 'usage')).toEqual({ runs: 5, json: false });
    for (const runs of ['0', '2.5', 'many']) expect(() => parseBenchArgs(['--runs', runs], 'usage')).toThrow(UsageError);
    expect(() => parseBenchArgs(['--fast'], 'usage')).toThrow(/Unknown option '--fast'/);
  });
});

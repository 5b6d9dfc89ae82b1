import { describe, expect, it } from 'vitest';
import { mapSettledLimit } from '../../scripts/sandbox/concurrency.ts';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapSettledLimit', () => {
  it('never runs more than the limit at once, and uses all of it when there is enough work', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapSettledLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await tick(5 + (n % 3));
      running -= 1;
      return n * 10;
    });
    expect(peak).toBe(3);
    expect(results.map((r) => (r.ok ? r.value : undefined))).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it('keeps results in input order even when later items finish first', async () => {
    const results = await mapSettledLimit([30, 1, 15], 3, async (ms) => {
      await tick(ms);
      return ms;
    });
    expect(results.map((r) => (r.ok ? r.value : -1))).toEqual([30, 1, 15]);
  });

  it('records a failure and goes on with the rest', async () => {
    const seen: number[] = [];
    const results = await mapSettledLimit([1, 2, 3], 1, async (n) => {
      seen.push(n);
      if (n === 2) throw new Error('two failed');
      return n;
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(results[1]).toMatchObject({ ok: false });
    expect(results[1]!.ok ? '' : results[1]!.error.message).toBe('two failed');
    expect(results[2]).toEqual({ ok: true, value: 3 });
  });

  it('runs one at a time with limit 1', async () => {
    let running = 0;
    let peak = 0;
    await mapSettledLimit([1, 2, 3, 4], 1, async () => {
      running += 1;
      peak = Math.max(peak, running);
      await tick(2);
      running -= 1;
    });
    expect(peak).toBe(1);
  });

  it('handles no work and refuses a nonsense limit', async () => {
    expect(await mapSettledLimit([], 2, async () => 1)).toEqual([]);
    await expect(mapSettledLimit([1], 0, async () => 1)).rejects.toThrow(/limit/);
  });
});

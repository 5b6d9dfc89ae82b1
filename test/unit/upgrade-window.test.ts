// The window an upgrade waits for: --at's forms, and the waits themselves on a fake clock.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../scripts/lib/cli.ts';
import { parseAt, waitUntilIdle, waitUntilTime, type Clock } from '../../scripts/upgrade/window.ts';

const NOON = Date.parse('2026-12-06T12:00:00Z');

function fakeClock(start = NOON): Clock & { slept: number[]; at: () => number } {
  let now = start;
  const slept: number[] = [];
  return { now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)), slept, at: () => now };
}

describe('--at', () => {
  it('HH:MM is the next such time in UTC: later today, or tomorrow once past', () => {
    expect(parseAt('22:30', NOON).toISOString()).toBe('2026-12-06T22:30:00.000Z');
    expect(parseAt('06:15', NOON).toISOString()).toBe('2026-12-07T06:15:00.000Z');
  });

  it('an ISO 8601 instant needs its zone', () => {
    expect(parseAt('2026-12-07T23:00+01:00', NOON).toISOString()).toBe('2026-12-07T22:00:00.000Z');
    expect(() => parseAt('2026-12-07T22:00', NOON)).toThrow(UsageError);
    expect(() => parseAt('tonight', NOON)).toThrow(/not a time: use HH:MM \(UTC/);
    expect(() => parseAt('25:00', NOON)).toThrow(/not a time of day/);
  });

  it('a time already past is refused', () => {
    expect(() => parseAt('2026-12-06T11:00:00Z', NOON)).toThrow(/already past/);
  });

  it('waits until then, telling the time left', async () => {
    const clock = fakeClock();
    const messages: string[] = [];
    await waitUntilTime(new Date('2026-12-06T12:40:00Z'), clock, (m) => messages.push(m));
    expect(clock.at()).toBe(Date.parse('2026-12-06T12:40:00Z'));
    expect(clock.slept).toEqual([15 * 60_000, 15 * 60_000, 10 * 60_000]);
    expect(messages[0]).toBe('waiting until 2026-12-06T12:40:00.000Z (in 40m) before the update');
  });
});

describe('--when-idle', () => {
  it('an unreadable count is never taken for no meeting', async () => {
    const clock = fakeClock();
    const answers = [undefined, 0];
    const result = await waitUntilIdle(async () => answers.shift(), { maxWaitMs: 3_600_000, pollMs: 60_000 }, clock, () => {});
    expect(result).toEqual({ idle: true, waitedMs: 60_000 });
  });

  it('stops at the bound without sleeping past it, with the last count', async () => {
    const clock = fakeClock();
    const result = await waitUntilIdle(async () => 4, { maxWaitMs: 150_000, pollMs: 60_000 }, clock, () => {});
    expect(clock.slept).toEqual([60_000, 60_000, 30_000]);
    expect(result).toEqual({ idle: false, waitedMs: 150_000, conferences: 4 });
  });
});

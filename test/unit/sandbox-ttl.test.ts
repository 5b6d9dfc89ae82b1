import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../scripts/deploy/duration.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import { checkSandboxName } from '../../scripts/sandbox/name.ts';
import { expiryAfter, parseTtl } from '../../scripts/sandbox/ttl.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('durations', () => {
  it('reads minutes, hours, days, weeks and combinations', () => {
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('12h')).toBe(12 * HOUR);
    expect(parseDuration('7d')).toBe(7 * DAY);
    expect(parseDuration('2w')).toBe(14 * DAY);
    expect(parseDuration('1d12h')).toBe(36 * HOUR);
    expect(parseDuration(' 3D ')).toBe(3 * DAY);
  });

  it('rejects anything else', () => {
    for (const bad of ['', '7', 'd', '7x', '7 days', '-1d', '1.5d', '0d', '7d extra', '1d-2h']) {
      expect(parseDuration(bad), bad).toBeUndefined();
    }
  });

  it('formats the two largest units', () => {
    expect(formatDuration(0)).toBe('0m');
    expect(formatDuration(45 * 60_000)).toBe('45m');
    expect(formatDuration(2 * DAY + 3 * HOUR + 5 * 60_000)).toBe('2d 3h');
    expect(formatDuration(-90 * 60_000)).toBe('-1h 30m');
  });
});

describe('sandbox TTL', () => {
  it('accepts 1h to 180d', () => {
    expect(parseTtl('1h')).toBe(HOUR);
    expect(parseTtl('180d')).toBe(180 * DAY);
  });

  it('says what is wrong with a missing, malformed, too short or too long TTL', () => {
    expect(() => parseTtl(undefined)).toThrow(/missing --ttl/);
    expect(() => parseTtl('soon')).toThrow(/--ttl "soon" is not a duration/);
    expect(() => parseTtl('30m')).toThrow(/too short/);
    expect(() => parseTtl('181d')).toThrow(/too long.*180d/);
    expect(() => parseTtl('soon')).toThrow(UsageError);
  });

  it('puts the expiry TTL after now, to the second, in UTC', () => {
    const now = new Date('2026-03-01T10:15:30.750Z');
    expect(expiryAfter(now, 7 * DAY)).toBe('2026-03-08T10:15:30Z');
    expect(expiryAfter(now, HOUR)).toBe('2026-03-01T11:15:30Z');
  });
});

describe('sandbox names', () => {
  it('accepts DNS labels of up to 32 characters', () => {
    expect(checkSandboxName('ws25-networks')).toBe('ws25-networks');
    expect(checkSandboxName('a'.repeat(32))).toBe('a'.repeat(32));
  });

  it('refuses what cannot be both a stack name and a host name label', () => {
    for (const bad of ['Course', 'course_1', '-course', 'course-', 'course.demo', '', 'a'.repeat(33)]) {
      expect(() => checkSandboxName(bad), bad).toThrow(UsageError);
    }
  });
});

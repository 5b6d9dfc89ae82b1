// Durations as people type them on a command line: `90m`, `12h`, `7d`, `2w`, or combined (`1d12h`).
import { UsageError } from '../lib/cli.ts';

const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const PART = /(\d+)\s*([mhdw])/gy;

/** Milliseconds for `7d`, `36h`, `1d12h`, `90m`; undefined when the text is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const input = text.trim().toLowerCase();
  if (input === '') return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(input); match; match = PART.exec(input)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    consumed = PART.lastIndex;
  }
  if (consumed !== input.length || total === 0) return undefined;
  return total;
}

/** Like parseDuration, but a UsageError naming the option and the accepted forms. */
export function requireDuration(option: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new UsageError(`${option} ${JSON.stringify(text)} is not a duration: use a number with m, h, d or w, e.g. 90m, 12h, 7d, 1d12h`);
  }
  return ms;
}

/** Short human form, largest units first: `2d 3h`, `45m`, `0m`. Negative durations get a leading `-`. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  minutes -= days * 1440;
  const hours = Math.floor(minutes / 60);
  minutes -= hours * 60;
  const parts: string[] = [];
  if (days) parts.push(`${days}d`);
  if (hours) parts.push(`${hours}h`);
  if (minutes || parts.length === 0) parts.push(`${minutes}m`);
  return sign + parts.slice(0, 2).join(' ');
}

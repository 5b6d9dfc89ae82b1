// How long a sandbox lives, and when it expires.
import { UsageError } from '../lib/cli.ts';
import { formatDuration, parseDuration } from '../deploy/duration.ts';

export const MIN_TTL_MS = 3_600_000; // 1 hour: a deploy alone takes a good part of that
export const MAX_TTL_MS = 180 * 86_400_000; // about a semester

/** `--ttl` → milliseconds, within the allowed range; a UsageError otherwise. */
export function parseTtl(text: string | undefined): number {
  if (text === undefined) throw new UsageError('missing --ttl: how long should the sandbox live? e.g. --ttl 7d (m, h, d or w)');
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new UsageError(`--ttl ${JSON.stringify(text)} is not a duration: use a number with m, h, d or w, e.g. 12h, 7d, 2w`);
  }
  if (ms < MIN_TTL_MS) throw new UsageError(`--ttl ${text} is too short: a sandbox lives at least ${formatDuration(MIN_TTL_MS)}`);
  if (ms > MAX_TTL_MS) {
    throw new UsageError(`--ttl ${text} is too long: a sandbox lives at most ${MAX_TTL_MS / 86_400_000}d; extend it later with sandbox extend, or deploy a regular stack`);
  }
  return ms;
}

/** The expiry instant for a TTL starting now, to the second, in UTC. */
export function expiryAfter(now: Date, ttlMs: number): string {
  return new Date(Math.floor((now.getTime() + ttlMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

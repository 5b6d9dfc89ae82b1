// The maintenance window an operator chooses for a signaling host that must be replaced: a time
// (--at), and/or the moment the host reports no meeting (--when-idle), bounded by --max-wait.
// The clock is injected, so tests wait no real time.
import { UsageError } from '../lib/cli.ts';
import { formatDuration } from '../deploy/duration.ts';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/** Between two questions to the signaling host. */
export const IDLE_POLL_MS = 60_000;
export const DEFAULT_MAX_WAIT = '2h';

/**
 * `--at`: an ISO 8601 instant with its zone (2026-12-07T22:00:00Z, 2026-12-07T23:00+01:00), or
 * `HH:MM` in UTC, meaning the next such time. A time already past is refused.
 */
export function parseAt(text: string, now: number): Date {
  const clock = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (clock) {
    const [hours, minutes] = [Number(clock[1]), Number(clock[2])];
    if (hours > 23 || minutes > 59) throw new UsageError(`--at ${text} is not a time of day: use HH:MM (UTC) such as 22:30`);
    const today = new Date(now);
    let at = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), hours, minutes);
    if (at <= now) at += 86_400_000;
    return new Date(at);
  }
  const instant = /(Z|[+-]\d{2}:?\d{2})$/.test(text.trim()) ? Date.parse(text.trim()) : Number.NaN;
  if (Number.isNaN(instant)) {
    throw new UsageError(`--at ${JSON.stringify(text)} is not a time: use HH:MM (UTC, the next such time) or an ISO 8601 instant with its zone, e.g. 2026-12-07T22:00:00Z`);
  }
  if (instant <= now) throw new UsageError(`--at ${text} is already past: give a time to come`);
  return new Date(instant);
}

/** Sleeps until `at`, saying so now and then on the progress channel. */
export async function waitUntilTime(at: Date, clock: Clock, progress: (message: string) => void): Promise<void> {
  progress(`waiting until ${at.toISOString()} (in ${formatDuration(at.getTime() - clock.now())}) before the update`);
  for (let left = at.getTime() - clock.now(); left > 0; left = at.getTime() - clock.now()) {
    await clock.sleep(Math.min(left, 15 * 60_000));
    const still = at.getTime() - clock.now();
    if (still > 0) progress(`${formatDuration(still)} until the update`);
  }
}

export type IdleResult = { idle: true; waitedMs: number } | { idle: false; waitedMs: number; conferences?: number };

/**
 * Asks for the signaling host's conference count until it is 0 or `maxWaitMs` have passed.
 * An unreadable count (undefined) never counts as idle.
 */
export async function waitUntilIdle(
  conferences: () => Promise<number | undefined>,
  options: { maxWaitMs: number; pollMs?: number },
  clock: Clock,
  progress: (message: string) => void,
): Promise<IdleResult> {
  const start = clock.now();
  const pollMs = options.pollMs ?? IDLE_POLL_MS;
  for (;;) {
    const count = await conferences();
    const waitedMs = clock.now() - start;
    if (count === 0) {
      progress('the signaling host has no meeting now');
      return { idle: true, waitedMs };
    }
    const left = options.maxWaitMs - waitedMs;
    if (left <= 0) return { idle: false, waitedMs, ...(count !== undefined ? { conferences: count } : {}) };
    progress(
      count === undefined
        ? `the signaling host did not say how many meetings it has; asking again (${formatDuration(left)} left of --max-wait)`
        : `${count} meeting${count === 1 ? '' : 's'} still running on the signaling host; waiting (${formatDuration(left)} left of --max-wait)`,
    );
    await clock.sleep(Math.min(pollMs, left));
  }
}

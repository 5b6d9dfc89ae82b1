// The shape of a check, and the small functions every check body uses.
import type { VerifyContext } from '../context.ts';
import type { CheckInfo, CheckOutcome } from '../types.ts';

export interface CheckDefinition extends CheckInfo {
  /** Own deadline (default: the run's probe timeout plus a margin). */
  timeoutMs?: number;
  run(ctx: VerifyContext): Promise<CheckOutcome>;
}

export const pass = (detail: string): CheckOutcome => ({ status: 'PASS', detail });
export const fail = (detail: string): CheckOutcome => ({ status: 'FAIL', detail });
export const warn = (detail: string): CheckOutcome => ({ status: 'WARN', detail });
export const skip = (detail: string): CheckOutcome => ({ status: 'SKIP', detail });

/** The first line of an error, for detail lines. */
export function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** Joins findings into one line, keeping it readable when there are many. */
export function list(items: readonly string[], max = 4): string {
  if (items.length <= max) return items.join('; ');
  return `${items.slice(0, max).join('; ')}; and ${items.length - max} more`;
}

/** A random room name: unguessable, so a check never lands in someone's meeting. */
export function randomRoom(): string {
  return `jitsieuverify${Math.random().toString(36).slice(2, 12)}`;
}

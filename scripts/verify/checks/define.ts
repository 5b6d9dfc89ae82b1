// The shape of a check, and the small functions every check body uses.
import type { ServedScript, VerifyContext } from '../context.ts';
import type { JsonObject } from '../js-config.ts';
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

type Judge<T> = (value: T, ctx: VerifyContext) => CheckOutcome | Promise<CheckOutcome>;

/**
 * A check body that first fetches what it judges (a page, config.js, a browser run): when the
 * fetch throws, the check fails with the reason, after `what` when given.
 */
export function afterFetching<T>(fetch: (ctx: VerifyContext) => Promise<T>, judge: Judge<T>, what?: string): CheckDefinition['run'] {
  return async (ctx) => {
    let value: T;
    try {
      value = await fetch(ctx);
    } catch (error) {
      return fail(what ? `${what}: ${reason(error)}` : reason(error));
    }
    return judge(value, ctx);
  };
}

/** A check of a served script (config.js, interface_config.js): FAIL when it cannot be fetched or evaluated. */
export function onServedScript(
  file: string,
  read: (ctx: VerifyContext) => Promise<ServedScript>,
  judge: (value: JsonObject, ctx: VerifyContext, served: ServedScript) => CheckOutcome | Promise<CheckOutcome>,
): CheckDefinition['run'] {
  return afterFetching(read, (served, ctx) => (served.value ? judge(served.value, ctx, served) : fail(served.error ?? `${file} unreadable`)), file);
}

/** A check of the served, evaluated /config.js. */
export function onConfigJs(judge: (config: JsonObject, ctx: VerifyContext, served: ServedScript) => CheckOutcome | Promise<CheckOutcome>): CheckDefinition['run'] {
  return onServedScript('/config.js', (ctx) => ctx.webConfig(), judge);
}

// sandbox destroy and sandbox reap: the teardown of sandboxes, and only of sandboxes.
import { UsageError } from '../lib/cli.ts';
import type { StackSummary, Workspace } from '../lib/workspace.ts';
import type { Orphan } from '../teardown/orphans.ts';
import { destroyAndRemove, type StackTeardown } from '../teardown/stack.ts';
import { mapSettledLimit } from './concurrency.ts';
import { prefixedOutput, type SandboxDeps } from './deps.ts';
import { reapDecision, sandboxFacts } from './facts.ts';

export interface DestroyedSandbox {
  stack: string;
  teardown?: StackTeardown;
  /** Why pulumi destroy or the stack removal failed, when it did. */
  error?: string;
  orphans: Orphan[];
}

/** Destroy, remove, then the orphan check, which runs even when the destroy failed. */
async function tearDown(workspace: Workspace, stack: string, region: string, domain: string | undefined, deps: SandboxDeps, several: boolean): Promise<DestroyedSandbox> {
  const say = (message: string) => deps.progress(several ? `[${stack}] ${message}` : message);
  let teardown: StackTeardown | undefined;
  let error: string | undefined;
  try {
    teardown = await destroyAndRemove(workspace, stack, { keepState: false, onOutput: prefixedOutput(stack, deps.onOutput, several), progress: say });
  } catch (e) {
    error = (e as Error).message;
    say(`destroying ${stack} failed: ${error}`);
  }
  say(`checking that nothing tagged jitsi-eu:stack=${stack} is left in ${region}`);
  const orphans = await deps.findOrphans({ stack, region, ...(domain ? { domain } : {}) });
  return { stack, ...(teardown ? { teardown } : {}), ...(error ? { error } : {}), orphans };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export async function destroySandbox(name: string, yes: boolean, deps: SandboxDeps): Promise<DestroyedSandbox> {
  const workspace = await deps.openWorkspace();
  const config = await workspace.readStackConfig(name);
  if (!config) throw new UsageError(`no stack file Pulumi.${name}.yaml in ${workspace.projectDir}: sandbox destroy only removes sandboxes it can see (npm run teardown removes any stack)`);
  if (!sandboxFacts(config).isSandbox) {
    throw new UsageError(`${name} is not a sandbox (jitsi-eu:sandbox is not true): sandbox destroy refuses it; use npm run teardown -- --stack ${name}`);
  }
  const region = text(config['aws:region']);
  if (!region) throw new UsageError(`Pulumi.${name}.yaml has no aws:region`);
  if (!yes) {
    const ok = await deps.confirm(`Destroy sandbox ${name} and everything in it? Type its name to confirm [${name}]:`, name);
    if (!ok) throw new UsageError('not confirmed: nothing was changed');
  }
  await deps.requireCredentials(region);
  return tearDown(workspace, name, region, text(config['jitsi-eu:domain']), deps, false);
}

export type ReapAction = 'reaped' | 'would-reap' | 'skipped' | 'failed';

export interface ReapEntry {
  stack: string;
  action: ReapAction;
  reason: string;
  expiresAt?: string;
  orphans?: Orphan[];
}

export interface ReapReport {
  at: string;
  dryRun: boolean;
  entries: ReapEntry[];
}

/**
 * Destroys every sandbox whose expiry has passed, at most `parallel` at a time. Stacks that are not
 * sandboxes, or have no expiry, or have time left, are listed with the reason and never touched.
 * Running it again is harmless: what was reaped is gone, what failed is tried again.
 */
export async function reapSandboxes(deps: SandboxDeps, options: { dryRun: boolean; parallel: number }): Promise<ReapReport> {
  const now = deps.now();
  const workspace = await deps.openWorkspace();
  const summaries = await workspace.listStacks();
  const entries: ReapEntry[] = [];
  const due: { summary: StackSummary; region: string; domain?: string; entry: ReapEntry }[] = [];
  for (const summary of [...summaries].sort((a, b) => a.name.localeCompare(b.name))) {
    const config = await workspace.readStackConfig(summary.name);
    const decision = reapDecision(summary.name, config, summary, now);
    const expiresAt = sandboxFacts(config).expiresAt?.toISOString();
    if (!decision.reap) {
      entries.push({ stack: summary.name, action: 'skipped', reason: decision.reason, ...(expiresAt ? { expiresAt } : {}) });
      continue;
    }
    const region = text(config?.['aws:region']);
    const entry: ReapEntry = { stack: summary.name, action: options.dryRun ? 'would-reap' : 'reaped', reason: `expired at ${expiresAt}`, ...(expiresAt ? { expiresAt } : {}) };
    entries.push(entry);
    if (!region) {
      Object.assign(entry, { action: 'failed', reason: `expired, but Pulumi.${summary.name}.yaml has no aws:region to check for orphans` });
      continue;
    }
    const domain = text(config?.['jitsi-eu:domain']);
    due.push({ summary, region, ...(domain ? { domain } : {}), entry });
  }
  if (options.dryRun || due.length === 0) return { at: now.toISOString(), dryRun: options.dryRun, entries };

  for (const region of new Set(due.map((d) => d.region))) await deps.requireCredentials(region);
  deps.progress(`reaping ${due.length} expired sandbox${due.length === 1 ? '' : 'es'}, at most ${options.parallel} at a time`);
  const results = await mapSettledLimit(due, options.parallel, (d) => tearDown(workspace, d.summary.name, d.region, d.domain, deps, due.length > 1));
  results.forEach((result, i) => {
    const { entry } = due[i]!;
    if (result.ok && result.value.error) {
      entry.action = 'failed';
      entry.reason = result.value.error;
      entry.orphans = result.value.orphans;
    } else if (result.ok) {
      entry.orphans = result.value.orphans;
      if (result.value.orphans.length) entry.reason += `; ${result.value.orphans.length} resource(s) still tagged for it: see npm run teardown -- --stack ${entry.stack} --orphans`;
    } else {
      entry.action = 'failed';
      entry.reason = result.error.message;
    }
  });
  return { at: now.toISOString(), dryRun: false, entries };
}

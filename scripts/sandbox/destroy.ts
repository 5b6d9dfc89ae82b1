// sandbox destroy and sandbox reap: the teardown of sandboxes, and only of sandboxes. What a
// teardown leaves behind is remembered (see leftovers.ts) and checked again by every reap.
import { UsageError } from '../lib/cli.ts';
import { checkCredentials } from '../lib/command-deps.ts';
import type { StackSummary, Workspace } from '../lib/workspace.ts';
import type { Orphan } from '../teardown/orphans.ts';
import { teardownCommand } from '../teardown/report.ts';
import { destroyAndRemove, removeHostAccounts, type StackTeardown } from '../teardown/stack.ts';
import { mapSettledLimit } from './concurrency.ts';
import { prefixedOutput, type SandboxDeps } from './deps.ts';
import { reapDecision, sandboxFacts } from './facts.ts';
import { leftoverOf, withLeftover, type Leftover } from './leftovers.ts';
import { stackPlace, type StackPlace } from './place.ts';
import type { SandboxScope } from './orphan-checks.ts';

export interface DestroyedSandbox {
  stack: string;
  /** Where the orphan check looked (the stack file that said so is gone now). */
  scope: SandboxScope;
  teardown?: StackTeardown;
  /** Why pulumi destroy or the stack removal failed, when it did. */
  error?: string;
  orphans: Orphan[];
}

/** Destroy, remove, then the orphan check, which runs even when the destroy failed. */
async function tearDown(workspace: Workspace, stack: string, place: StackPlace, domain: string | undefined, deps: SandboxDeps, several: boolean): Promise<DestroyedSandbox> {
  const { region } = place;
  const say = (message: string) => deps.progress(several ? `[${stack}] ${message}` : message);
  let teardown: StackTeardown | undefined;
  let error: string | undefined;
  try {
    teardown = await destroyAndRemove(workspace, stack, { keepState: false, onOutput: prefixedOutput(stack, deps.onOutput, several), progress: say });
  } catch (e) {
    error = (e as Error).message;
    say(`destroying ${stack} failed: ${error}`);
  }
  say(`checking that nothing ${place.cloud === 'hetzner' ? 'labelled jitsi-eu/stack' : 'tagged jitsi-eu:stack'}=${stack} is left in ${region}`);
  const scope = scopeOf(stack, place, domain);
  let orphans = await deps.findOrphans(scope);
  if (!error) orphans = (await removeHostAccounts(scope, orphans, { ...deps, progress: say }))?.orphans ?? orphans;
  return { stack, scope, ...(teardown ? { teardown } : {}), ...(error ? { error } : {}), orphans };
}

/** Records what a teardown left (or that it left nothing) in the leftover list. */
async function remember(deps: SandboxDeps, results: readonly DestroyedSandbox[]): Promise<void> {
  if (results.length === 0) return;
  const before = await deps.leftoverStore.read();
  let list = before;
  for (const result of results) {
    const previous = before.find((l) => l.stack === result.stack);
    const entry = result.orphans.length ? { ...leftoverOf(result.scope, result.orphans, deps.now()), ...(previous ? { since: previous.since } : {}) } : undefined;
    list = withLeftover(list, result.stack, entry);
  }
  if (JSON.stringify(list) !== JSON.stringify(before)) await deps.leftoverStore.write(list);
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export async function destroySandbox(name: string, yes: boolean, deps: SandboxDeps): Promise<DestroyedSandbox> {
  const workspace = await deps.openWorkspace();
  const config = await workspace.readStackConfig(name);
  if (!config) throw new UsageError(`no stack file Pulumi.${name}.yaml in ${workspace.projectDir}: sandbox destroy only removes sandboxes it can see (npm run teardown removes any stack)`);
  if (!sandboxFacts(config).isSandbox) {
    throw new UsageError(`${name} is not a sandbox (jitsi-eu:sandbox is not true): sandbox destroy refuses it; use npm run teardown -- --stack ${name}`);
  }
  const place = stackPlace(name, config);
  if ('problem' in place) throw new UsageError(place.problem);
  if (!yes) {
    const ok = await deps.confirm(`Destroy sandbox ${name} and everything in it? Type its name to confirm [${name}]:`, name);
    if (!ok) throw new UsageError('not confirmed: nothing was changed');
  }
  await checkCredentials(deps, place);
  const destroyed = await tearDown(workspace, name, place, text(config['jitsi-eu:domain']), deps, false);
  await remember(deps, [destroyed]);
  return destroyed;
}

/**
 * `left-behind`: a sandbox reaped earlier whose leftovers are still there; `cleaned-up`: one whose
 * leftovers are gone now (and which is forgotten).
 */
export type ReapAction = 'reaped' | 'would-reap' | 'skipped' | 'failed' | 'left-behind' | 'cleaned-up';

export interface ReapEntry {
  stack: string;
  action: ReapAction;
  reason: string;
  expiresAt?: string;
  orphans?: Orphan[];
  /** The command that removes what is left, exactly as it can be run. */
  purge?: string;
}

export interface ReapReport {
  at: string;
  dryRun: boolean;
  entries: ReapEntry[];
}

/**
 * Destroys every sandbox whose expiry has passed, at most `parallel` at a time. Stacks that are not
 * sandboxes, or have no expiry, or have time left, are listed with the reason and never touched.
 * Running it again is harmless: what was reaped is gone, what failed is tried again, and what an
 * earlier teardown left behind is checked again and reported until it is gone.
 */
export async function reapSandboxes(deps: SandboxDeps, options: { dryRun: boolean; parallel: number }): Promise<ReapReport> {
  const now = deps.now();
  const workspace = await deps.openWorkspace();
  const summaries = await workspace.listStacks();
  const entries: ReapEntry[] = [];
  const due: { summary: StackSummary; place: StackPlace; domain?: string; entry: ReapEntry }[] = [];
  for (const summary of [...summaries].sort((a, b) => a.name.localeCompare(b.name))) {
    const config = await workspace.readStackConfig(summary.name);
    const decision = reapDecision(summary.name, config, summary, now);
    const expiresAt = sandboxFacts(config).expiresAt?.toISOString();
    if (!decision.reap) {
      entries.push({ stack: summary.name, action: 'skipped', reason: decision.reason, ...(expiresAt ? { expiresAt } : {}) });
      continue;
    }
    const place = stackPlace(summary.name, config);
    const entry: ReapEntry = { stack: summary.name, action: options.dryRun ? 'would-reap' : 'reaped', reason: `expired at ${expiresAt}`, ...(expiresAt ? { expiresAt } : {}) };
    entries.push(entry);
    if ('problem' in place) {
      Object.assign(entry, { action: 'failed', reason: `expired, but ${place.problem} to check for orphans` });
      continue;
    }
    const domain = text(config?.['jitsi-eu:domain']);
    due.push({ summary, place, ...(domain ? { domain } : {}), entry });
  }
  // A stack of the same name in the backend again owns whatever carries its tags: its own reap decides.
  const remembered = (await deps.leftoverStore.read()).filter((l) => !summaries.some((s) => s.name === l.stack));
  if (options.dryRun) {
    for (const l of remembered) entries.push(leftoverEntry(l, l.resources.length));
    return { at: now.toISOString(), dryRun: true, entries };
  }
  if (due.length === 0 && remembered.length === 0) return { at: now.toISOString(), dryRun: false, entries };

  const places = [...due.map((d) => d.place), ...remembered.map(placeOfLeftover)];
  for (const place of new Map(places.map((p) => [`${p.cloud} ${p.region} ${p.openstackCloud ?? ''}`, p])).values()) await checkCredentials(deps, place);
  entries.push(...(await recheckLeftovers(deps, remembered)));
  if (due.length === 0) return { at: now.toISOString(), dryRun: false, entries };
  deps.progress(`reaping ${due.length} expired sandbox${due.length === 1 ? '' : 'es'}, at most ${options.parallel} at a time`);
  const results = await mapSettledLimit(due, options.parallel, (d) => tearDown(workspace, d.summary.name, d.place, d.domain, deps, due.length > 1));
  results.forEach((result, i) => {
    const { entry } = due[i]!;
    if (result.ok && result.value.error) {
      entry.action = 'failed';
      entry.reason = result.value.error;
      entry.orphans = result.value.orphans;
    } else if (result.ok) {
      entry.orphans = result.value.orphans;
      if (result.value.orphans.length) {
        entry.purge = teardownCommand(result.value.scope, true);
        entry.reason += `; ${result.value.orphans.length} resource(s) still tagged for it: remove them with ${entry.purge}`;
      }
    } else {
      entry.action = 'failed';
      entry.reason = result.error.message;
    }
  });
  // A failed destroy keeps its stack, and the next reap takes it again: only finished teardowns are remembered.
  await remember(deps, results.flatMap((r) => (r.ok && !r.value.error ? [r.value] : [])));
  return { at: now.toISOString(), dryRun: false, entries };
}

function leftoverEntry(leftover: Leftover, count: number): ReapEntry {
  const purge = teardownCommand(leftover, true);
  return { stack: leftover.stack, action: 'left-behind', reason: `${count} resource(s) left behind by its teardown (${leftover.since}); remove them with ${purge}`, purge };
}

/** Checks each remembered sandbox again: still there is reported (and kept), gone is forgotten. */
async function recheckLeftovers(deps: SandboxDeps, remembered: readonly Leftover[]): Promise<ReapEntry[]> {
  if (remembered.length === 0) return [];
  const entries: ReapEntry[] = [];
  let list = await deps.leftoverStore.read();
  for (const leftover of remembered) {
    const scope = scopeOf(leftover.stack, placeOfLeftover(leftover), leftover.domain);
    deps.progress(`checking again what the teardown of ${leftover.stack} left behind in ${leftover.region}`);
    const orphans = await deps.findOrphans(scope);
    if (orphans.length === 0) {
      entries.push({ stack: leftover.stack, action: 'cleaned-up', reason: `what its teardown left behind (${leftover.since}) is gone now` });
      list = withLeftover(list, leftover.stack, undefined);
    } else {
      entries.push({ ...leftoverEntry(leftover, orphans.length), orphans });
      list = withLeftover(list, leftover.stack, { ...leftoverOf(scope, orphans, deps.now()), since: leftover.since });
    }
  }
  await deps.leftoverStore.write(list);
  return entries;
}

/** Where the orphan check looks. An AWS scope names no cloud, exactly as before there was a choice. */
function scopeOf(stack: string, place: StackPlace, domain: string | undefined): SandboxScope {
  return {
    stack,
    region: place.region,
    ...(place.cloud === 'aws' ? {} : { cloud: place.cloud }),
    ...(place.openstackCloud ? { openstackCloud: place.openstackCloud } : {}),
    ...(domain ? { domain } : {}),
  };
}

/** A leftover remembered before clouds other than AWS existed names none: it is on AWS. */
function placeOfLeftover(leftover: Leftover): StackPlace {
  return { cloud: leftover.cloud ?? 'aws', region: leftover.region, ...(leftover.openstackCloud ? { openstackCloud: leftover.openstackCloud } : {}) };
}

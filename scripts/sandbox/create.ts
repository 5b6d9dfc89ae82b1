// sandbox create: plan and validate every requested sandbox first (no Pulumi yet), check Pulumi and
// AWS, then for each — at most `parallel` at a time — write its stack file, create the stack and
// deploy it as `npm run deploy` does.
import { UsageError } from '../lib/cli.ts';
import { checkCredentials } from '../lib/command-deps.ts';
import type { StackConfig } from '../lib/workspace.ts';
import { deployStack, type DeployOutcome, type WaitTimeouts } from '../deploy/flow.ts';
import { mapSettledLimit } from './concurrency.ts';
import { planSandbox, type SandboxPlan, type SandboxRequest } from './config.ts';
import { prefixedOutput, type SandboxDeps } from './deps.ts';
import { reapCronNotes } from './cron.ts';
import { CLOUD_NAME } from './place.ts';
import { stoppedCost, type StoppedCost } from './stopped-cost.ts';

export interface CreateOptions {
  parallel: number;
  wait: boolean;
  timeouts: WaitTimeouts;
}

export interface CreatedSandbox {
  stack: string;
  url: string;
  expiresAt: string;
  owner?: string;
  notes: string[];
  /** Hetzner Cloud and OpenStack: nothing ends it at its expiry but sandbox reap from cron; how to set that up. */
  reapFromCron?: string[];
  /** What it costs once stopped, by its cloud's billing rule. */
  whenStopped: StoppedCost;
  ok: boolean;
  failure?: string;
  deploy?: DeployOutcome;
}

export function planAll(requests: readonly SandboxRequest[], base: StackConfig, baseSource: string, now: Date): SandboxPlan[] {
  const seen = new Set<string>();
  for (const r of requests) {
    if (seen.has(r.name)) throw new UsageError(`sandbox ${r.name} is named twice`);
    seen.add(r.name);
  }
  return requests.map((request) => planSandbox(base, baseSource, request, now));
}

export async function createSandboxes(plans: readonly SandboxPlan[], deps: SandboxDeps, options: CreateOptions): Promise<CreatedSandbox[]> {
  const workspace = await deps.openWorkspace();
  const targets = new Map(plans.map((p) => [`${p.spec.cloud} ${p.spec.region} ${p.spec.openstackCloud ?? ''}`, p.spec]));
  for (const spec of targets.values()) await checkCredentials(deps, spec);

  const existing = new Set((await workspace.listStacks()).map((s) => s.name));
  const taken = plans.filter((p) => existing.has(p.stack)).map((p) => p.stack);
  if (taken.length) {
    throw new UsageError(`stack${taken.length === 1 ? '' : 's'} ${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''} in ${workspace.backendDescription}: choose another name, or extend the existing sandbox`);
  }
  for (const plan of plans) {
    if (await workspace.readStackConfig(plan.stack)) {
      throw new UsageError(`Pulumi.${plan.stack}.yaml already exists in ${workspace.projectDir} but no stack of that name: remove the file or choose another name`);
    }
  }

  const verify = options.wait ? await deps.loadVerify() : { missing: 'skipped (--no-wait)' };
  const several = plans.length > 1;
  const results = await mapSettledLimit(plans, options.parallel, async (plan): Promise<CreatedSandbox> => {
    const say = (message: string) => deps.progress(several ? `[${plan.stack}] ${message}` : message);
    for (const note of plan.notes) say(note);
    await workspace.writeStackFile(plan.stack, plan.config, plan.comment);
    await workspace.createStack(plan.stack);
    say(`created stack ${plan.stack} (expires ${plan.spec.expiresAt})`);
    const deploy = await deployStack(workspace, plan.spec, {
      progress: say,
      onOutput: prefixedOutput(plan.stack, deps.onOutput, several),
      wait: options.wait,
      timeouts: options.timeouts,
      intervalMs: deps.intervalMs ?? 10_000,
      verify,
      ...(deps.probes ? { probes: deps.probes } : {}),
    });
    return {
      stack: plan.stack,
      url: deploy.url,
      expiresAt: String(plan.config['jitsi-eu:expiresAt']),
      ...(plan.spec.owner ? { owner: plan.spec.owner } : {}),
      notes: plan.notes,
      ...howItEnds(plan, deps.projectDir),
      ok: deploy.ok,
      ...(deploy.failure ? { failure: deploy.failure } : {}),
      deploy,
    };
  });
  return results.map((result, i) => {
    if (result.ok) return result.value;
    const plan = plans[i]!;
    return {
      stack: plan.stack,
      url: `https://${plan.spec.domain}`,
      expiresAt: String(plan.config['jitsi-eu:expiresAt']),
      ...(plan.spec.owner ? { owner: plan.spec.owner } : {}),
      notes: plan.notes,
      ...howItEnds(plan, deps.projectDir),
      ok: false,
      failure: result.error.message,
    };
  });
}

/** How the sandbox ends, and what stopping it would save: on Hetzner Cloud or OVHcloud, nothing. */
function howItEnds(plan: SandboxPlan, projectDir: string): Pick<CreatedSandbox, 'reapFromCron' | 'whenStopped'> {
  const whenStopped = stoppedCost(plan.spec);
  if (plan.spec.cloud === 'aws') return { whenStopped };
  return { reapFromCron: [...reapCronNotes(projectDir, CLOUD_NAME[plan.spec.cloud]), `stopping its servers by hand is no substitute: ${whenStopped.statement}`], whenStopped };
}

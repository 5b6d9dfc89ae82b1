// sandbox extend: a new expiry, now + TTL, written with `pulumi config set` into the stack file.
// It never shortens a sandbox's life. On Hetzner Cloud and OpenStack that is all: reap reads the
// stack file. On a deployed AWS sandbox it then moves the expiry schedules
// (an update of those resources alone: no host is replaced, no meeting ends) and starts again
// what an earlier expiry had stopped. The jitsi-eu:expires-at tag and the privacy notice's date
// follow at the next deploy.
import { specFromConfig } from '../../infra/spec/index.ts';
import { UsageError } from '../lib/cli.ts';
import { expiryTargets } from './expiry-targets.ts';
import { sandboxFacts } from './facts.ts';
import { stackPlace } from './place.ts';
import type { Cloud } from '../../infra/spec/types.ts';
import type { SandboxDeps } from './deps.ts';
import { expiryAfter } from './ttl.ts';

export interface Extended {
  stack: string;
  previous?: string;
  expiresAt: string;
  /** True when the stack is deployed and its expiry schedules now fire at expiresAt. */
  scheduleMoved: boolean;
  /** What was started again after an earlier expiry stopped it. */
  restarted: string[];
  /** Hetzner Cloud and OpenStack: no schedule there; reap goes by the stack file. */
  cloud?: Exclude<Cloud, 'aws'>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export async function extendSandbox(name: string, ttlMs: number, deps: SandboxDeps): Promise<Extended> {
  const workspace = await deps.openWorkspace();
  const config = await workspace.readStackConfig(name);
  if (!config) throw new UsageError(`no stack file Pulumi.${name}.yaml in ${workspace.projectDir}: is ${name} a sandbox created here? (sandbox list shows them)`);
  const facts = sandboxFacts(config);
  if (!facts.isSandbox) throw new UsageError(`${name} is not a sandbox (jitsi-eu:sandbox is not true): only sandboxes have an expiry to extend`);
  const now = deps.now();
  const expiresAt = expiryAfter(now, ttlMs);
  if (facts.expiresAt && facts.expiresAt.getTime() > Date.parse(expiresAt)) {
    throw new UsageError(`${name} already expires at ${facts.expiresAt.toISOString()}, later than now + TTL (${expiresAt}): give a longer --ttl to extend it`);
  }
  await workspace.setConfig(name, 'jitsi-eu:expiresAt', expiresAt);
  const result: Extended = { stack: name, ...(facts.expiresAt ? { previous: facts.expiresAt.toISOString() } : {}), expiresAt, scheduleMoved: false, restarted: [] };

  // Outside AWS nothing is scheduled: reap reads the new expiry from the stack file from now on.
  const place = stackPlace(name, config);
  if ('cloud' in place && place.cloud !== 'aws') return { ...result, cloud: place.cloud };

  const outputs = await workspace.outputs(name).catch(() => ({}) as Awaited<ReturnType<typeof workspace.outputs>>);
  const instanceId = text(outputs.signalingInstanceId?.value);
  if (!instanceId) return result; // not deployed: the schedules are created with it

  const parsed = specFromConfig({ ...config, 'jitsi-eu:expiresAt': expiresAt }, { stack: name, now });
  if (!parsed.ok) throw new UsageError([`the new expiry is saved, but Pulumi.${name}.yaml has problems, so the schedule was not moved:`, ...parsed.problems.map((p) => `  ${p.message}`)]);
  const spec = parsed.spec;
  await deps.requireCredentials(spec.region);
  deps.progress(`moving the expiry schedule of ${name} to ${expiresAt}`);
  await workspace.up(name, deps.onOutput, { allowNonEuRegion: spec.allowNonEuRegion }, { targets: expiryTargets(name, spec.topology, spec.project) });
  result.scheduleMoved = true;

  const groupName = text(outputs.bridgeAsgName?.value);
  result.restarted = await deps.hosts.restart({
    region: spec.region,
    instanceId,
    ...(groupName && spec.bridges ? { bridges: { groupName, min: spec.bridges.min } } : {}),
  });
  return result;
}

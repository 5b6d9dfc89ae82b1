// sandbox extend: a new expiry, now + TTL, written with `pulumi config set` into the stack file.
// It never shortens a sandbox's life and never redeploys: the reaper reads the stack config, and
// the jitsi-eu:expires-at tag on the resources follows at the next deploy.
import { UsageError } from '../lib/cli.ts';
import { sandboxFacts } from './facts.ts';
import type { SandboxDeps } from './deps.ts';
import { expiryAfter } from './ttl.ts';

export interface Extended {
  stack: string;
  previous?: string;
  expiresAt: string;
}

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
  return { stack: name, ...(facts.expiresAt ? { previous: facts.expiresAt.toISOString() } : {}), expiresAt };
}

// What a stack's config says about it as a sandbox, and whether the reaper may destroy it.
// Only the two keys that matter are read, so a sandbox whose config has since become invalid in
// some other way can still be reaped.
import type { StackConfig, StackSummary } from '../lib/workspace.ts';
import { formatDuration } from '../deploy/duration.ts';

export interface SandboxFacts {
  isSandbox: boolean;
  expiresAt?: Date;
  /** Why the expiry cannot be used, when it is set but unreadable. */
  expiryProblem?: string;
}

export function sandboxFacts(config: StackConfig | undefined): SandboxFacts {
  if (!config) return { isSandbox: false };
  const flag = config['jitsi-eu:sandbox'];
  const isSandbox = flag === true || flag === 'true';
  const raw = config['jitsi-eu:expiresAt'];
  if (raw === undefined || raw === null || raw === '') return { isSandbox };
  // A YAML reader may hand back a Date for an unquoted timestamp.
  const time = raw instanceof Date ? raw.getTime() : typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(time)) return { isSandbox, expiryProblem: `jitsi-eu:expiresAt ${JSON.stringify(raw)} is not an ISO 8601 instant` };
  return { isSandbox, expiresAt: new Date(time) };
}

export type ReapDecision = { reap: true; expiredFor: number } | { reap: false; reason: string };

/** Reap only a stack that says it is a sandbox AND has an expiry in the past; anything else is left alone with the reason. */
export function reapDecision(stack: string, config: StackConfig | undefined, summary: StackSummary | undefined, now: Date): ReapDecision {
  if (!config) return { reap: false, reason: `no stack file Pulumi.${stack}.yaml in this checkout, so nothing says it is a sandbox` };
  const facts = sandboxFacts(config);
  if (!facts.isSandbox) return { reap: false, reason: 'not a sandbox (jitsi-eu:sandbox is not true)' };
  if (facts.expiryProblem) return { reap: false, reason: `${facts.expiryProblem}; fix it with sandbox extend` };
  if (!facts.expiresAt) return { reap: false, reason: 'sandbox without jitsi-eu:expiresAt; set one with sandbox extend' };
  const left = facts.expiresAt.getTime() - now.getTime();
  if (left > 0) return { reap: false, reason: `expires in ${formatDuration(left)} (${facts.expiresAt.toISOString()})` };
  if (summary?.updateInProgress) return { reap: false, reason: 'expired, but an update is running on it; the next reap will take it' };
  return { reap: true, expiredFor: -left };
}

/** `stopped`: its expiry schedule has stopped its hosts (read from EC2 by `list`). */
export type SandboxState = 'running' | 'expired' | 'stopped' | 'not deployed' | 'updating';

export function sandboxState(facts: SandboxFacts, summary: StackSummary | undefined, now: Date): SandboxState {
  if (summary?.updateInProgress) return 'updating';
  if (!summary || !summary.resourceCount) return 'not deployed';
  if (facts.expiresAt && facts.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'running';
}

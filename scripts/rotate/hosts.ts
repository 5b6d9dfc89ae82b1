// The hosts pick up the new values: the signaling host runs the host agent first (its accounts
// hook sets the new service passwords in Prosody), then the bridge pool follows as the plan says
// (see plan.ts). Each host's answer is the agent's own JSON report: what it reloaded or restarted.
import type { HostRole } from '../../infra/render/types.ts';
import type { HostAnswer, HostCommands } from '../lib/host-commands.ts';
import type { StackInventory } from '../status/aws.ts';
import type { RotationPlan } from './plan.ts';

/** The host agent (installed on every host), asked for its JSON report. */
export const APPLY_SCRIPT = '/usr/local/sbin/jitsi-eu-apply --json';

export interface AgentService {
  unit: string;
  action: 'reload' | 'restart';
}

/** What `jitsi-eu-apply --json` prints: exactly one JSON object. */
export interface AgentReport {
  revision: string;
  role: HostRole;
  changed: string[];
  services: AgentService[];
  unchanged: boolean;
}

export type HostState =
  /** The agent ran and reported. */
  | 'applied'
  /** The agent failed, or its answer was not its report. */
  | 'failed'
  | 'no-answer'
  /** Not asked, because the signaling host did not succeed first. */
  | 'not-run'
  /** Left to the instance refresh: the bridge drains, then ends; new bridges boot with the new values. */
  | 'replaced'
  /** Already leaving the pool; it ends with its meetings. */
  | 'draining';

export interface HostOutcome {
  instanceId: string;
  role: HostRole;
  state: HostState;
  agent?: AgentReport;
  detail?: string;
}

export interface BridgeRefresh {
  group: string;
  state: 'started' | 'already-running' | 'failed';
  id?: string;
  detail?: string;
}

export interface PickupResult {
  ok: boolean;
  hosts: HostOutcome[];
  refresh?: BridgeRefresh;
  /** Why the pickup could not even start. */
  problem?: string;
}

/** The stack's hosts as the commands need them; AWS in real use, fakes in tests. */
export interface StackHosts {
  inventory(stack: string): Promise<StackInventory>;
  hosts: HostCommands;
  /** Starts a rolling instance refresh that keeps the pool at full strength while it replaces every bridge. */
  startInstanceRefresh(group: string): Promise<{ id: string } | { alreadyRunning: true }>;
  close(): void;
}

export interface PickupOptions {
  timeoutMs: number;
  progress: (message: string) => void;
}

const SERVICE_ACTIONS = new Set(['reload', 'restart']);

/** The agent's report from its stdout, or undefined when it is not one. */
export function parseAgentReport(stdout: string): AgentReport | undefined {
  let value: unknown;
  try {
    value = JSON.parse(stdout.trim());
  } catch {
    return undefined;
  }
  const r = value as Partial<AgentReport> | null;
  if (!r || typeof r !== 'object' || typeof r.revision !== 'string' || (r.role !== 'signaling' && r.role !== 'bridge')) return undefined;
  if (!Array.isArray(r.changed) || !r.changed.every((p) => typeof p === 'string') || typeof r.unchanged !== 'boolean') return undefined;
  if (!Array.isArray(r.services) || !r.services.every((s) => s && typeof s.unit === 'string' && SERVICE_ACTIONS.has(s.action))) return undefined;
  return { revision: r.revision, role: r.role, changed: r.changed, services: r.services.map((s) => ({ unit: s.unit, action: s.action })), unchanged: r.unchanged };
}

/** One host's answer to the agent, as the report shows it. */
export function outcomeOf(instanceId: string, role: HostRole, answer: HostAnswer | undefined): HostOutcome {
  if (!answer || answer.state === 'no-answer') return { instanceId, role, state: 'no-answer', detail: answer?.detail ?? 'no answer' };
  if (answer.state === 'failed') return { instanceId, role, state: 'failed', detail: `jitsi-eu-apply failed: ${answer.detail ?? 'no detail'}` };
  const agent = parseAgentReport(answer.stdout);
  if (!agent) return { instanceId, role, state: 'failed', detail: `the host answered, but not with the agent's report: is ${APPLY_SCRIPT.split(' ')[0]} installed there?` };
  return { instanceId, role, state: 'applied', agent };
}

const isGood = (o: HostOutcome) => o.state === 'applied' || o.state === 'replaced' || o.state === 'draining';

async function applyOn(ids: string[], role: HostRole, plan: RotationPlan, access: StackHosts, options: PickupOptions): Promise<HostOutcome[]> {
  if (ids.length === 0) return [];
  options.progress(`${role === 'signaling' ? 'signaling host' : `${ids.length} bridge${ids.length === 1 ? '' : 's'}`}: running jitsi-eu-apply (${ids.join(', ')})`);
  const answers = await access.hosts.run(ids, APPLY_SCRIPT, {
    timeoutMs: options.timeoutMs,
    comment: `jitsi-eu rotate ${plan.stack}: pick up new ${plan.secrets.join(', ')}`,
    onAnswer: (id, answer) => options.progress(`${id}: ${answer.state}`),
  });
  return ids.map((id) => outcomeOf(id, role, answers.get(id)));
}

export async function pickUpNewValues(plan: RotationPlan, access: StackHosts, options: PickupOptions): Promise<PickupResult> {
  const inventory = await access.inventory(plan.stack);
  const running = (role: HostRole) => inventory.instances.filter((i) => i.role === role && i.state === 'running').map((i) => i.instanceId);
  const signaling = running('signaling');
  if (signaling.length === 0) return { ok: false, hosts: [], problem: `no running signaling host of ${plan.stack} was found (EC2 instances tagged with the stack)` };

  const hosts = await applyOn(signaling, 'signaling', plan, access, options);
  const bridges = plan.bridges === 'none' ? [] : running('bridge');
  // Bridges the group is already letting go of end with their meetings; they are not asked.
  const draining = bridges.filter((id) => inventory.lifecycle.get(id)?.startsWith('Terminating'));
  const serving = bridges.filter((id) => !draining.includes(id));
  hosts.push(...draining.map((instanceId): HostOutcome => ({ instanceId, role: 'bridge', state: 'draining', detail: 'already leaving the pool: it ends once its meetings have ended' })));

  if (!hosts.every(isGood)) {
    hosts.push(...serving.map((instanceId): HostOutcome => ({ instanceId, role: 'bridge', state: 'not-run', detail: 'waits for the signaling host, which must take the new values first' })));
    return { ok: false, hosts };
  }
  if (plan.bridges === 'apply') {
    hosts.push(...(await applyOn(serving, 'bridge', plan, access, options)));
    return { ok: hosts.every(isGood), hosts };
  }
  if (plan.bridges === 'refresh') {
    const group = inventory.bridgeGroup?.name;
    if (!group) return { ok: false, hosts, problem: `the bridge Auto Scaling group of ${plan.stack} was not found` };
    const refresh = await startRefresh(group, access, options);
    const replaced = refresh.state === 'failed' ? 'not-run' : 'replaced';
    const detail = refresh.state === 'failed' ? 'the instance refresh did not start' : 'drains, then ends; a new bridge with the new password takes its place';
    hosts.push(...serving.map((instanceId): HostOutcome => ({ instanceId, role: 'bridge', state: replaced, detail })));
    return { ok: refresh.state !== 'failed' && hosts.every(isGood), hosts, refresh };
  }
  return { ok: true, hosts };
}

async function startRefresh(group: string, access: StackHosts, options: PickupOptions): Promise<BridgeRefresh> {
  options.progress(`bridge pool ${group}: starting an instance refresh (new bridges first, old ones drain)`);
  try {
    const started = await access.startInstanceRefresh(group);
    if ('id' in started) return { group, state: 'started', id: started.id };
    return {
      group,
      state: 'already-running',
      detail: 'an instance refresh was already running: bridges it started before the rotation may hold the old password; run this again with --hosts-only once it has finished',
    };
  } catch (error) {
    return { group, state: 'failed', detail: (error as Error).message };
  }
}

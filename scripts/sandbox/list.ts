// sandbox list: every sandbox the backend knows, with its URL, owner, state, time left, and what
// it costs per hour and has cost so far (an estimate: hours since its first update × hourly rate).
// On AWS a deployed sandbox's state comes from EC2: `stopped` once its expiry schedule has stopped
// it, and then it costs only its address and disk. On Hetzner Cloud and OpenStack nothing stops
// it: an expired sandbox there is still running, and the list says how to run reap from cron,
// and what stopping its servers by hand would (not) save on that cloud (whenStopped).
import { specFromConfig } from '../../infra/spec/index.ts';
import type { Cloud } from '../../infra/spec/types.ts';
import { renderTable } from '../lib/cli.ts';
import { formatDuration } from '../deploy/duration.ts';
import { mapSettledLimit } from './concurrency.ts';
import type { SandboxDeps } from './deps.ts';
import { sandboxFacts, sandboxState, type SandboxFacts, type SandboxState } from './facts.ts';
import { stoppedCost, type StoppedCost } from './stopped-cost.ts';
import { CLOUD_NAME, stackPlace } from './place.ts';
import { reapCronLine } from './cron.ts';
import type { StackConfig, StackSummary } from '../lib/workspace.ts';

export interface SandboxRow {
  stack: string;
  /** Absent for AWS. */
  cloud?: Exclude<Cloud, 'aws'>;
  url?: string;
  owner?: string;
  state: SandboxState;
  expiresAt?: string;
  /** Negative once expired. */
  timeLeftMs?: number;
  hourlyCostEur?: number;
  /** Deployed: what it costs once stopped, by its cloud's billing rule. */
  whenStopped?: StoppedCost;
  createdAt?: string;
  accruedCostEur?: number;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export async function listSandboxes(deps: SandboxDeps): Promise<SandboxRow[]> {
  const now = deps.now();
  const workspace = await deps.openWorkspace();
  const summaries = await workspace.listStacks();
  const candidates: { summary: StackSummary; config: StackConfig; facts: SandboxFacts }[] = [];
  for (const summary of summaries) {
    const config = await workspace.readStackConfig(summary.name);
    const facts = sandboxFacts(config);
    if (facts.isSandbox && config) candidates.push({ summary, config, facts });
  }
  const rows = await mapSettledLimit(candidates, 4, async ({ summary, config, facts }): Promise<SandboxRow> => {
    let state = sandboxState(facts, summary, now);
    const place = stackPlace(summary.name, config);
    const cloud = 'cloud' in place && place.cloud !== 'aws' ? place.cloud : undefined;
    // Only AWS has a schedule that stops a sandbox at its expiry; elsewhere it runs until reaped.
    if (!cloud && (state === 'running' || state === 'expired')) {
      const outputs = await workspace.outputs(summary.name);
      const instanceId = text(outputs.signalingInstanceId?.value);
      const region = text(outputs.region?.value);
      if (instanceId && region) {
        const host = await deps.hosts.signalingState(region, instanceId);
        if (host === 'stopped' || host === 'stopping') state = 'stopped';
      }
    }
    const domain = text(config['jitsi-eu:domain']);
    const owner = text(config['jitsi-eu:owner']);
    const row: SandboxRow = {
      stack: summary.name,
      ...(cloud ? { cloud } : {}),
      ...(domain ? { url: `https://${domain}` } : {}),
      ...(owner ? { owner } : {}),
      state,
      ...(facts.expiresAt ? { expiresAt: facts.expiresAt.toISOString(), timeLeftMs: facts.expiresAt.getTime() - now.getTime() } : {}),
    };
    const spec = specFromConfig(config, { stack: summary.name, now });
    if (!spec.ok) return row;
    const hourly = deps.hourlyCostEur(spec.spec);
    if (state === 'not deployed') row.hourlyCostEur = 0;
    else {
      row.whenStopped = stoppedCost(spec.spec);
      // Stopped by its expiry (AWS): the idle rate. An idle rate the cloud does not record stays unpriced.
      const rate = state === 'stopped' ? row.whenStopped.hourlyCostEur : hourly;
      if (rate !== null) row.hourlyCostEur = rate;
    }
    if (state !== 'not deployed') {
      const createdAt = await workspace.firstUpdateAt(summary.name);
      if (createdAt) {
        row.createdAt = createdAt.toISOString();
        const hoursBetween = (from: number, to: number) => Math.max(0, to - from) / 3_600_000;
        // Stopped: the running rate until the expiry stopped it, the idle rate since.
        const stoppedAt = state === 'stopped' && facts.expiresAt ? Math.min(facts.expiresAt.getTime(), now.getTime()) : now.getTime();
        const cost = hoursBetween(createdAt.getTime(), stoppedAt) * hourly + hoursBetween(Math.max(createdAt.getTime(), stoppedAt), now.getTime()) * (row.hourlyCostEur ?? 0);
        row.accruedCostEur = Math.round(cost * 100) / 100;
      }
    }
    return row;
  });
  return rows.map((r, i) => (r.ok ? r.value : { stack: candidates[i]!.summary.name, state: 'not deployed' as const })).sort((a, b) => a.stack.localeCompare(b.stack));
}

/** Outside AWS, stopping a server by hand may save nothing: each cloud's rule, once. */
function stoppingElsewhere(rows: readonly SandboxRow[]): string {
  const rules = new Map<string, string>();
  for (const r of rows) {
    if (r.cloud && r.whenStopped) rules.set(r.whenStopped.statement, CLOUD_NAME[r.cloud]);
  }
  return [...rules].map(([statement, cloud]) => `on ${cloud}: ${statement}; sandbox reap or destroy ends the cost.\n`).join('');
}

/** Expired sandboxes outside AWS keep running (and costing) until reap removes them: say how to run reap. */
function runningPastExpiry(rows: readonly SandboxRow[], projectDir: string): string {
  const clouds = [...new Set(rows.filter((r) => r.cloud && r.state === 'expired').map((r) => CLOUD_NAME[r.cloud!]))];
  if (!clouds.length) return '';
  return `expired on ${clouds.join(' and ')}: nothing stops these by itself; they run, and cost, until npm run sandbox -- reap removes them. Run reap from cron:\n  ${reapCronLine(projectDir)}\n`;
}

const euro = (value: number | undefined, digits: number) => (value === undefined ? '?' : `€${value.toFixed(digits)}`);

export function sandboxTable(rows: readonly SandboxRow[], projectDir: string): string {
  if (rows.length === 0) return 'no sandboxes: create one with npm run sandbox -- create NAME --ttl 7d\n';
  const table = renderTable(
    ['sandbox', 'url', 'owner', 'state', 'time left', 'per hour', 'so far'],
    rows.map((r) => [
      r.cloud ? `${r.stack} (${r.cloud})` : r.stack,
      r.url ?? '',
      r.owner ?? '',
      r.state,
      r.timeLeftMs === undefined ? 'no expiry' : r.timeLeftMs > 0 ? formatDuration(r.timeLeftMs) : `expired ${formatDuration(-r.timeLeftMs)} ago`,
      euro(r.hourlyCostEur, 3),
      euro(r.accruedCostEur, 2),
    ]),
  );
  const stopped = rows.some((r) => r.state === 'stopped')
    ? 'stopped: its expiry stopped it (meetings ended, the site does not answer); it still pays for its address and disk until reaped.\n  Extend it to start it again, or remove it with sandbox reap.\n'
    : '';
  return `${table}\ncosts are estimates (compute, address and storage; data transfer not included)\n${stopped}${runningPastExpiry(rows, projectDir)}${stoppingElsewhere(rows)}`;
}

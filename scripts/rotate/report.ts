// What a rotation says when it is done: which secrets (names only: a value is never printed),
// when, and what each host did, from the agent's own report. A host that did not take the new
// values makes it a failure, with the command that retries the hosts without rotating again.
import type { BridgeRefresh, HostOutcome, PickupResult } from './hosts.ts';
import type { RotatableSecret } from './secrets.ts';

export interface RotationReport {
  stack: string;
  ok: boolean;
  secrets: RotatableSecret[];
  /** False with --hosts-only: the values were renewed before, this run only made the hosts pick them up. */
  renewed: boolean;
  /** When the new values were stored (ISO 8601). */
  renewedAt?: string;
  /** Where they are kept: SSM (AWS) or the signaling node's disk (Hetzner Cloud, OpenStack). */
  keptIn?: 'ssm' | 'signaling-node';
  hosts: HostOutcome[];
  refresh?: BridgeRefresh;
  problem?: string;
  /** The command that makes the hosts pick the values up again, when some did not. */
  retry?: string;
}

export function retryCommand(stack: string, secrets: readonly RotatableSecret[], yes: boolean): string {
  return `npm run rotate -- --stack ${stack} --only ${secrets.join(',')} --hosts-only${yes ? ' --yes' : ''}`;
}

export function rotationReport(base: Pick<RotationReport, 'stack' | 'secrets' | 'renewed' | 'renewedAt' | 'keptIn'>, pickup: PickupResult, yes: boolean): RotationReport {
  return {
    ...base,
    ok: pickup.ok,
    hosts: pickup.hosts,
    ...(pickup.refresh ? { refresh: pickup.refresh } : {}),
    ...(pickup.problem ? { problem: pickup.problem } : {}),
    ...(pickup.ok ? {} : { retry: retryCommand(base.stack, base.secrets, yes) }),
  };
}

function hostLine(o: HostOutcome): string {
  const head = `  ${o.instanceId}  ${o.role.padEnd(9)}  `;
  switch (o.state) {
    case 'applied': {
      const agent = o.agent!;
      const services = agent.services.map((s) => `${s.unit} ${s.action === 'reload' ? 'reloaded' : 'restarted'}`);
      const what = agent.unchanged ? 'nothing to change' : `${agent.changed.length} file${agent.changed.length === 1 ? '' : 's'} updated`;
      return `${head}✓ revision ${agent.revision}: ${what}; ${services.length ? services.join(', ') : 'no service reloaded or restarted'}`;
    }
    case 'replaced':
      return `${head}↻ replaced by the instance refresh: ${o.detail}`;
    case 'draining':
      return `${head}· ${o.detail}`;
    case 'not-run':
      return `${head}✗ not asked: ${o.detail}`;
    default:
      return `${head}✗ ${o.state === 'no-answer' ? 'did not answer' : 'failed'}: ${o.detail}`;
  }
}

export function reportText(r: RotationReport): string {
  const names = r.secrets.join(', ');
  const onNode = r.keptIn === 'signaling-node';
  const lines = [
    !r.renewed
      ? `Hosts of ${r.stack} asked to pick up ${names} (the values were not renewed by this run).`
      : !onNode
        ? `Rotated ${names} of ${r.stack} at ${r.renewedAt}: the new values are in SSM and in Pulumi's state.`
        : r.ok
          ? `Rotated ${names} of ${r.stack} at ${r.renewedAt}: the signaling node made the new values and keeps them on its disk.`
          : `Rotating ${names} of ${r.stack} did not finish on the signaling node: it may hold new values for some of them already.`,
  ];
  if (r.hosts.length) lines.push('Hosts:', ...r.hosts.map(hostLine));
  if (r.refresh) {
    const how = r.refresh.state === 'started' ? `instance refresh ${r.refresh.id} started` : r.refresh.state === 'already-running' ? 'an instance refresh was already running' : 'the instance refresh did not start';
    lines.push(`Bridge pool ${r.refresh.group}: ${how}${r.refresh.detail ? ` (${r.refresh.detail})` : ''}.`);
    if (r.refresh.state !== 'failed') lines.push(`  Follow it with: npm run status -- --stack ${r.stack}  (bridges in service, draining and starting)`);
  }
  if (r.problem) lines.push(`✗ ${r.problem}`);
  if (r.retry) {
    lines.push(
      `✗ Not every host has the new values. Once the cause is fixed, make the hosts pick them up (this does not rotate again):`,
      `  ${r.retry}`,
    );
  } else if (r.refresh) {
    lines.push(`✓ The signaling host has the new values; the bridge pool takes them as the refresh replaces its bridges.`);
  } else {
    lines.push(`✓ Every host of ${r.stack} has the new values.`);
  }
  return `${lines.join('\n')}\n`;
}

// The plan as text for a terminal: resources, the policy verdict, the cost estimate.
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import type { PlanSummary } from './summary.ts';
import type { CostEstimate } from '../../infra/cost/model.ts';
import { policiesPass } from '../../infra/policy/offline.ts';
import { renderTable, style } from '../lib/cli.ts';
import type { PlanResult } from './run.ts';

/** `aws:ec2/instance:Instance` → `ec2/Instance`; `jitsi-eu:aws:Network` → `(component) Network`. */
export function shortType(type: string): string {
  if (type.startsWith('jitsi-eu:')) return `(component) ${type.split(':').pop()}`;
  if (type.startsWith('pulumi:providers:')) return `(provider) ${type.split(':').pop()}`;
  const match = /^([^:]+):([^/]+)\/[^:]+:(.+)$/.exec(type);
  return match ? `${match[1] === 'aws' ? '' : `${match[1]}:`}${match[2]}/${match[3]}` : type;
}

function propertyLines(properties: Record<string, unknown>): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(properties)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      lines.push(`${key}:`);
      for (const item of value) lines.push(`  ${typeof item === 'string' ? item : JSON.stringify(item)}`);
    } else if (value && typeof value === 'object') {
      lines.push(`${key}: ${JSON.stringify(value)}`);
    } else {
      lines.push(`${key}: ${String(value)}`);
    }
  }
  return lines.join('\n');
}

const eur = (value: number) => `€${value.toFixed(2)}`;
/** Small unit prices keep their significant digits: €0.0018, not €0.00. */
const unitEur = (value: number) => (value !== 0 && Math.abs(value) < 0.01 ? `€${value.toPrecision(2)}` : eur(value));

const CLOUD_NAMES: Readonly<Record<Cloud, string>> = { aws: 'AWS', hetzner: 'Hetzner Cloud', openstack: 'OpenStack' };

/** Place, servers, firewall and how each promise is met on this cloud. */
export function summarySection(summary: PlanSummary): string[] {
  const { label, region, country } = summary.place;
  const out = [`Place: ${label}${label.includes(region) ? '' : ` (${region})`}, country ${country}`, 'Servers:'];
  for (const line of summary.servers) out.push(`  ${line}`);
  out.push('Firewall (inbound):');
  for (const line of summary.firewall) out.push(`  ${line}`);
  if (summary.firewall.length === 0) out.push('  no rule recorded');
  out.push(`Promises on ${CLOUD_NAMES[summary.cloud]}:`);
  for (const { promise, how } of summary.promises) out.push(`  ${promise}: ${how}`);
  return out;
}

/** The estimate as lines of text: table, running cost, egress, what is unpriced, sources. */
export function costSection(cost: CostEstimate): string[] {
  const out: string[] = [];
  const fx = cost.usdPerEur === undefined ? '' : `, 1 EUR = ${cost.usdPerEur} USD`;
  out.push(`Cost estimate for ${cost.region} in EUR (${cost.priceList} recorded ${cost.pricesRecordedOn}${fx})`);
  out.push(renderTable(['item', 'what', 'per month'], cost.lines.map((line) => [line.item, line.description, eur(line.monthlyEur)])));
  const atLeast = cost.unpriced.length > 0 ? 'at least ' : '';
  out.push(`  Running cost: ${atLeast}${eur(cost.fixedMonthlyEur)} per month (${eur(cost.hourlyEur)} per hour)` +
    (cost.fixedMonthlyEurAtMaxBridges !== undefined ? `, up to ${eur(cost.fixedMonthlyEurAtMaxBridges)} with every bridge of the pool running` : ''));
  const perHour = cost.egress.eurPerParticipantHour === null ? 'price unknown' : `${unitEur(cost.egress.eurPerParticipantHour)} per participant-hour beyond the allowance`;
  out.push(`  Egress: ${cost.egress.gbPerParticipantHour} GB per participant-hour, ${perHour} ` +
    `(meetings of ${cost.egress.meetingSize}, ${cost.egress.mbitPerParticipant} Mbit/s to each participant; ${cost.egress.allowance})`);
  out.push(`  Total at ${cost.assumedParticipantHoursPerMonth} participant-hours a month: ${atLeast}${eur(cost.monthlyEur)}`);
  for (const item of cost.unpriced) out.push(style.warn(`  not priced: ${item}`));
  for (const note of cost.notes) out.push(style.warn(`  note: ${note}`));
  out.push(style.dim(`  Sources: ${cost.sources.length > 0 ? cost.sources.join('; ') : 'none'}`));
  return out;
}

export function formatPlan(plan: PlanResult, spec: DeploymentSpec): string {
  const out: string[] = [];
  out.push(`Plan for stack ${plan.stack}: ${spec.topology} topology on ${CLOUD_NAMES[spec.cloud]}, auth ${spec.auth}, https://${spec.domain}/`);
  out.push(style.dim(`Offline: no credentials, no calls to ${CLOUD_NAMES[spec.cloud]}. Ids and addresses the provider assigns are not shown.`));
  out.push('');
  out.push(...summarySection(plan.summary));
  out.push('');
  out.push(`Resources (${plan.resources.length})`);
  out.push(renderTable(['type', 'name', 'properties'], plan.resources.map((r) => [shortType(r.type), r.name, propertyLines(r.properties)])));
  out.push('');

  const passed = policiesPass(plan.policy);
  out.push(`Policy: ${passed ? style.ok('pass') : style.fail('FAIL')} (${plan.policy.filter((p) => p.status === 'pass').length} of ${plan.policy.length} policies pass)`);
  for (const result of plan.policy) {
    out.push(`  ${result.status === 'pass' ? style.ok('✓') : style.fail('✗')} ${result.policy}: ${result.description}`);
    for (const violation of result.violations) out.push(`      ${violation.name} (${shortType(violation.type)}): ${violation.message}`);
  }
  out.push('');

  out.push(...costSection(plan.cost));
  return out.join('\n');
}

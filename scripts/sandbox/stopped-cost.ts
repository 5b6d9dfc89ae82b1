// What a sandbox costs once it is stopped, by its cloud's billing rule (infra/cost, with the
// provider's statement and its source). On AWS the expiry schedule stops the signaling node and
// empties the bridge pool: the node's Elastic IP and root volume stay billed, compute stops. On
// Hetzner Cloud and OVHcloud a stopped server is billed in full, so stopping saves nothing there;
// only reap or destroy ends the cost. On other OpenStack clouds the rule is not recorded.
import { estimateCost, pricingFor } from '../../infra/cost/model.ts';
import { HOURS_PER_MONTH } from '../../infra/cost/prices.ts';
import type { StoppedBilling } from '../../infra/cost/pricing.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';

export interface StoppedCost {
  /**
   * € per hour while stopped, of what the price table can price (see `unpriced`); null when this
   * cloud's billing of stopped servers is not recorded.
   */
  hourlyCostEur: number | null;
  /** What stays billed but has no recorded price (and is left out of hourlyCostEur). */
  unpriced: string[];
  billing: StoppedBilling['rule'];
  /** The provider's rule, in a sentence. */
  statement: string;
  source: string;
}

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

/** AWS: the signaling node's address and disk, what the expiry leaves once the pool is empty. */
function signalingIdleHourlyEur(spec: DeploymentSpec): number {
  const { bridges: _bridges, ...rest } = spec;
  const signalingOnly: DeploymentSpec = { ...rest, topology: 'single' };
  const idle = estimateCost(signalingOnly).lines.filter((line) => line.item === 'public-ipv4' || line.item === 'ebs');
  return round4(idle.reduce((sum, line) => sum + line.monthlyEur, 0) / HOURS_PER_MONTH);
}

/** Billed in full: every server and address as if running. */
function fullHourlyEur(spec: DeploymentSpec, unpriced: string[]): number {
  const lines = pricingFor(spec).fixedLines(spec, 'min', [], unpriced);
  return round4(lines.reduce((sum, line) => sum + line.monthlyEur, 0) / HOURS_PER_MONTH);
}

export function stoppedCost(spec: DeploymentSpec): StoppedCost {
  const billing = pricingFor(spec).stoppedBilling;
  const unpriced: string[] = [];
  const hourly = billing.rule === 'disk-and-address' ? signalingIdleHourlyEur(spec) : billing.rule === 'full' ? fullHourlyEur(spec, unpriced) : null;
  return { hourlyCostEur: hourly, unpriced, billing: billing.rule, statement: billing.statement, source: billing.source };
}

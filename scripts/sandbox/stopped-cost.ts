// What a sandbox costs once its expiry has stopped it: the signaling node's Elastic IP and root
// volume stay (bridges are terminated with their addresses and volumes), compute stops.
import { estimateCost } from '../../infra/cost/model.ts';
import { HOURS_PER_MONTH } from '../../infra/cost/prices.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';

export function stoppedHourlyCostEur(spec: DeploymentSpec): number {
  const { bridges: _bridges, ...rest } = spec;
  const signalingOnly: DeploymentSpec = { ...rest, topology: 'single' };
  const idle = estimateCost(signalingOnly).lines.filter((line) => line.item === 'public-ipv4' || line.item === 'ebs');
  const monthly = idle.reduce((sum, line) => sum + line.monthlyEur, 0);
  return Math.round((monthly / HOURS_PER_MONTH) * 10_000) / 10_000;
}

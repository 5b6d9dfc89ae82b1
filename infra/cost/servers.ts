// The servers a deployment runs, on any cloud: the node (single or signaling) and the bridge
// pool at its minimum or maximum size. Every price table counts these.
import type { DeploymentSpec } from '../spec/types.ts';

export interface ServerGroup {
  role: 'node' | 'bridge';
  /** As the estimate words it: "single node", "signaling node", "videobridge". */
  what: string;
  type: string;
  count: number;
}

export function serversOf(spec: DeploymentSpec, bridges: 'min' | 'max'): ServerGroup[] {
  const list: ServerGroup[] = [{ role: 'node', what: spec.topology === 'single' ? 'single node' : 'signaling node', type: spec.instanceType, count: 1 }];
  if (spec.bridges) list.push({ role: 'bridge', what: 'videobridge', type: spec.bridges.instanceType, count: spec.bridges[bridges] });
  return list.filter((group) => group.count > 0);
}

export const serverCount = (groups: readonly ServerGroup[]): number => groups.reduce((sum, group) => sum + group.count, 0);

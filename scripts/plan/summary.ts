// The plan's summary for a reader: where the servers run, which servers, what the firewall
// admits (read from the resources the program registered), and how each promise is met there.
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import { PROMISES, type PromiseMapping } from './promises.ts';

export interface PlanSummary {
  cloud: Cloud;
  place: { region: string; country: string; label: string };
  /** "1 × signaling node ccx23" */
  servers: string[];
  /** Every inbound rule of the stack's firewalls or security groups, once. */
  firewall: string[];
  promises: readonly PromiseMapping[];
}

interface DescribedResource {
  properties: Record<string, unknown>;
}

function inboundRules(resources: readonly DescribedResource[]): string[] {
  const rules = resources.flatMap(({ properties }) => {
    // AWS security groups and Hetzner firewalls list their rules; an OpenStack rule is a resource.
    const listed = properties.ingress ?? properties.inbound;
    return Array.isArray(listed) ? listed.map(String) : typeof listed === 'string' ? [listed] : [];
  });
  return [...new Set(rules)];
}

export function planSummary(spec: DeploymentSpec, resources: readonly DescribedResource[]): PlanSummary {
  return {
    cloud: spec.cloud,
    place: { region: spec.region, country: spec.country, label: spec.regionLabel },
    servers: [
      `1 × ${spec.topology === 'single' ? 'single node' : 'signaling node'} ${spec.instanceType}`,
      ...(spec.bridges ? [`${spec.bridges.min === spec.bridges.max ? spec.bridges.min : `${spec.bridges.min}–${spec.bridges.max}`} × videobridge ${spec.bridges.instanceType}`] : []),
    ],
    firewall: inboundRules(resources),
    promises: PROMISES[spec.cloud],
  };
}

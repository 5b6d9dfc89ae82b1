// `plan`: the program run offline under Pulumi's mocks, the policies run over what it would
// create, and the cost estimate. Everything the command prints comes from here.
import * as pulumi from '@pulumi/pulumi';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { type CostAssumptions, type CostEstimate, DEFAULT_ASSUMPTIONS, estimateCost } from '../../infra/cost/model.ts';
import { type PolicyResourceInput, type PolicyResult, runPolicies } from '../../infra/policy/offline.ts';
import { UsageError } from '../lib/cli.ts';
import { readStackConfig } from './config.ts';
import { type PlanSummary, planSummary } from './summary.ts';
import { describeResource, unwrapSecrets } from './describe.ts';
import { type RecordedResource, type Recording, providerUrn, recordProgram } from './record.ts';

export interface PlannedResource {
  type: string;
  name: string;
  properties: Record<string, unknown>;
}

export interface PlanResult {
  stack: string;
  region: string;
  /** Place, servers, firewall and promises on this cloud. */
  summary: PlanSummary;
  resources: PlannedResource[];
  policy: PolicyResult[];
  cost: CostEstimate;
}

/** Recorded resources as the policy server would hand them to policies. */
export function policyInputs(resources: readonly RecordedResource[]): PolicyResourceInput[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return resources.map((resource) => {
    const provider = resource.provider ? byUrn.get(providerUrn(resource.provider)) : undefined;
    return {
      type: resource.type,
      name: resource.name,
      urn: resource.urn,
      props: unwrapSecrets(resource.inputs) as Record<string, unknown>,
      ...(provider
        ? { provider: { type: provider.type, name: provider.name, urn: provider.urn, props: unwrapSecrets(provider.inputs) as Record<string, unknown> } }
        : {}),
    };
  });
}

export function plannedResources(recording: Recording): PlannedResource[] {
  // Mock ids of security groups → names, so a rule shows which group it admits.
  const securityGroupNames = new Map<string, string>();
  for (const r of recording.resources) {
    if (r.type === 'aws:ec2/securityGroup:SecurityGroup' || r.type === 'openstack:networking/secGroup:SecGroup') securityGroupNames.set(r.id, r.name);
  }
  return recording.resources.map((resource) => ({
    type: resource.type,
    name: resource.name,
    properties: describeResource(resource, { securityGroupNames }),
  }));
}

export async function planStack(
  spec: DeploymentSpec,
  stackFile: string,
  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
): Promise<{ plan: PlanResult; recording: Recording }> {
  let recording: Recording;
  try {
    // ARNs show where the account id goes; AWS fills it in at deploy time.
    recording = await recordProgram({ stack: spec.stack, config: readStackConfig(stackFile), accountId: '<account-id>' });
  } catch (error) {
    if (pulumi.RunError.isInstance(error)) throw new UsageError((error as Error).message.split('\n'));
    throw error;
  }
  const policy = runPolicies(policyInputs(recording.resources), { allowNonEuRegion: spec.allowNonEuRegion });
  const resources = plannedResources(recording);
  return {
    recording,
    plan: {
      stack: spec.stack,
      region: spec.region,
      summary: planSummary(spec, resources),
      resources,
      policy,
      cost: estimateCost(spec, assumptions),
    },
  };
}

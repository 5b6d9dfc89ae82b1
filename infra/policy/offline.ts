// Runs the policies without the Pulumi CLI: each policy's validateResource (or validateStack) is called with the
// arguments the policy server would build, over resources a program registered (recorded under
// Pulumi's mocks by `npm run plan` and the tests).
import type { Policies, PolicyResource, PolicyResourceOptions, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from '@pulumi/policy';
import { POLICIES, type PolicyConfig } from './policies.ts';

export interface PolicyResourceInput {
  type: string;
  name: string;
  urn: string;
  /** Secret values unwrapped, as the policy server passes them. */
  props: Record<string, unknown>;
  provider?: { type: string; name: string; urn: string; props: Record<string, unknown> };
}

export interface PolicyViolation {
  urn: string;
  type: string;
  name: string;
  message: string;
}

export interface PolicyResult {
  policy: string;
  description: string;
  enforcementLevel: string;
  status: 'pass' | 'fail';
  violations: PolicyViolation[];
}

class NotApplicable extends Error {}

const NO_OPTIONS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function argsFor(resource: PolicyResourceInput, config: PolicyConfig): ResourceValidationArgs {
  const isType = (cls: { __pulumiType?: string } | undefined) => cls?.__pulumiType === resource.type;
  return {
    type: resource.type,
    props: resource.props,
    urn: resource.urn,
    name: resource.name,
    opts: NO_OPTIONS,
    ...(resource.provider ? { provider: resource.provider } : {}),
    stackTags: new Map(),
    isType: isType as ResourceValidationArgs['isType'],
    asType: ((cls: { __pulumiType?: string }) => (isType(cls) ? resource.props : undefined)) as ResourceValidationArgs['asType'],
    getConfig: (<T>() => config as unknown as T) as ResourceValidationArgs['getConfig'],
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

/** The whole stack as a stack policy sees it (no dependency graph: jitsi-eu's policies read none). */
function stackArgsFor(resources: readonly PolicyResourceInput[], config: PolicyConfig): StackValidationArgs {
  const asPolicyResource = (resource: PolicyResourceInput): PolicyResource => {
    const { isType, asType, provider } = argsFor(resource, config);
    return { type: resource.type, props: resource.props, urn: resource.urn, name: resource.name, opts: NO_OPTIONS, ...(provider ? { provider } : {}), dependencies: [], propertyDependencies: {}, isType, asType };
  };
  return {
    resources: resources.map(asPolicyResource),
    stackTags: new Map(),
    getConfig: (<T>() => config as unknown as T) as StackValidationArgs['getConfig'],
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

function isStackPolicy(policy: ResourceValidationPolicy | StackValidationPolicy): policy is StackValidationPolicy {
  return 'validateStack' in policy;
}

function validatorsOf(policy: ResourceValidationPolicy) {
  const validate = policy.validateResource;
  if (!validate) return [];
  return Array.isArray(validate) ? validate : [validate];
}

export function runPolicies(
  resources: readonly PolicyResourceInput[],
  config: PolicyConfig,
  policies: Readonly<Policies> = POLICIES,
): PolicyResult[] {
  return policies.map((policy) => {
    const violations: PolicyViolation[] = [];
    if (isStackPolicy(policy)) {
      try {
        void policy.validateStack(stackArgsFor(resources, config), (message: string, urn?: string) =>
          violations.push({ urn: urn ?? '', type: 'pulumi:pulumi:Stack', name: urn?.split('::').pop() ?? 'stack', message }));
      } catch (error) {
        if (!(error instanceof NotApplicable)) throw error;
      }
    }
    for (const resource of isStackPolicy(policy) ? [] : resources) {
      const args = argsFor(resource, config);
      for (const validate of validatorsOf(policy as ResourceValidationPolicy)) {
        try {
          void validate(args, (message: string) => violations.push({ urn: resource.urn, type: resource.type, name: resource.name, message }));
        } catch (error) {
          if (!(error instanceof NotApplicable)) throw error;
        }
      }
    }
    return {
      policy: policy.name,
      description: policy.description,
      enforcementLevel: policy.enforcementLevel ?? 'advisory',
      status: violations.length === 0 ? 'pass' : 'fail',
      violations,
    };
  });
}

export function policiesPass(results: readonly PolicyResult[]): boolean {
  return results.every((result) => result.status === 'pass' || result.enforcementLevel === 'advisory' || result.enforcementLevel === 'disabled');
}

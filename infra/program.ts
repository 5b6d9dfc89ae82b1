// The Pulumi program: stack config → spec → bundle → the chosen cloud's resources. Used by the
// entry point (infra/index.ts), by `npm run plan` (under mocks) and by the tests.
import * as pulumi from '@pulumi/pulumi';
import { formatProblems, specFromConfig } from './spec/index.ts';
import type { DeploymentSpec } from './spec/types.ts';
import { renderBundle } from './render/bundle.ts';
import { amiProblem } from './aws/ami.ts';
import { awsStack } from './aws/program.ts';
import { hetznerStack } from './hetzner/program.ts';
import { openstackStack } from './openstack/program.ts';
import type { StackOutputs } from './outputs.ts';

export type { DeployedConfiguration, DnsRecord, StackOutputs } from './outputs.ts';

export { DEPLOYED_SIGNALING_HOST_ENV } from './channel.ts';

export interface ProgramOptions {
  /** Where spec warnings go; Pulumi's log by default. */
  warn?: (message: string) => void;
  /**
   * Hetzner and OpenStack: what defined the signaling node the stack runs now (its last
   * `signalingHost` output). When the new run's is the same, only configuration changed: the
   * running node keeps its user data and deploy applies the configuration through the channel.
   * Absent (first deploy, a plain `pulumi up`): the node's user data counts as it always did.
   */
  deployedSignalingHost?: string;
}

/** What the server clouds' programs take from ProgramOptions. */
export type ServerCloudOptions = Pick<ProgramOptions, 'deployedSignalingHost'>;

/**
 * The stack config as Pulumi hands it over (`jitsi-eu:x`, `aws:region`, strings) → spec. An
 * invalid stack stops here, before any resource exists, with the messages `render` prints.
 */
export function specFromStackConfig(config: Readonly<Record<string, unknown>>, stack: string, warn: (message: string) => void): DeploymentSpec {
  const source = `Pulumi.${stack}.yaml`;
  const result = specFromConfig(config, { stack });
  if (!result.ok) {
    const count = result.problems.length;
    throw new pulumi.RunError(
      [`${source} has ${count} problem${count === 1 ? '' : 's'}:`, ...formatProblems(result.problems, source).map((line) => `  ${line}`)].join('\n'),
    );
  }
  const imageProblem = amiProblem(result.spec);
  if (imageProblem) throw new pulumi.RunError(`${source}: ${imageProblem}`);
  for (const warning of result.warnings) warn(warning);
  return result.spec;
}

export async function jitsiEuProgram(options: ProgramOptions = {}): Promise<StackOutputs> {
  const warn = options.warn ?? ((message: string) => void pulumi.log.warn(message));
  const spec = specFromStackConfig(pulumi.runtime.allConfig(), pulumi.getStack(), warn);
  // Rendering first: a template problem stops the run before anything is created.
  const bundle = renderBundle(spec);
  if (spec.cloud === 'aws') return awsStack(spec, bundle);
  if (spec.cloud === 'hetzner') return hetznerStack(spec, bundle, options);
  return openstackStack(spec, bundle, options);
}

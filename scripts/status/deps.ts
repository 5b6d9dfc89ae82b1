// What status reaches outside itself. Tests swap any part: the AWS API (moto_server), the hosts
// (a recorded command channel, or the channel of a Hetzner or OpenStack stack), the public handshake (a loopback TLS server), the clock.
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { PORTS } from '../../infra/ports.ts';
import { stackFileFor } from '../../infra/spec/index.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { requireAwsCredentials } from '../deploy/credentials.ts';
import { loadSpecOrThrow, progress } from '../lib/cli.ts';
import { loadStackInventory, type StackInventory } from './aws.ts';
import type { ChannelClientOptions } from '../lib/channel/client.ts';
import { SsmHostCommands, type HostCommands } from '../lib/host-commands.ts';
import { publicEndpoint, readPublicCertificate, type PublicCertificate } from './public-certificate.ts';

export interface StackAccess {
  inventory(stack: string): Promise<StackInventory>;
  hosts: HostCommands;
  close(): void;
}

export interface StatusDeps {
  loadSpec: (stack: string) => DeploymentSpec;
  requireCredentials: (region: string) => Promise<unknown>;
  openStack: (region: string) => StackAccess;
  /** `ip`, when given, is dialled instead of what DNS says for the domain. */
  publicCertificate: (domain: string, timeoutMs: number, ip?: string) => Promise<PublicCertificate>;
  now: () => Date;
  out: (text: string) => void;
  progress: (message: string) => void;
  /**
   * Hetzner and OpenStack: the channel to the stack's signaling node, from the stack's outputs.
   * Throws, saying why and what to do, when the stack has none.
   */
  openChannel: (spec: DeploymentSpec, options: ChannelClientOptions) => Promise<HostCommands>;
  /** Where the Hetzner and OpenStack credentials are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export function openAwsStack(region: string): StackAccess {
  const config = { region, maxAttempts: 3 };
  const ec2 = new EC2Client(config);
  const autoscaling = new AutoScalingClient(config);
  const ssm = new SSMClient(config);
  return {
    inventory: (stack) => loadStackInventory(ec2, autoscaling, stack),
    hosts: new SsmHostCommands(ssm),
    close: () => {
      for (const client of [ec2, autoscaling, ssm]) client.destroy();
    },
  };
}

export const REAL_STATUS_DEPS: StatusDeps = {
  loadSpec: (stack) => loadSpecOrThrow(stackFileFor(stack), stack).spec,
  requireCredentials: (region) => requireAwsCredentials(region),
  openStack: openAwsStack,
  publicCertificate: async (domain, timeoutMs, ip) => {
    try {
      return await readPublicCertificate(ip ? { host: domain, ip, port: PORTS.https } : await publicEndpoint(domain), timeoutMs);
    } catch (error) {
      return { error: `${domain} does not resolve: ${(error as Error).message}` };
    }
  },
  openChannel: async (spec, options) => {
    const [{ openPulumiWorkspace }, { channelTarget }, { ChannelHostCommands }] = await Promise.all([import('../lib/workspace.ts'), import('../lib/channel/stack.ts'), import('../lib/channel/client.ts')]);
    const outputs = await (await openPulumiWorkspace()).outputs(spec.stack);
    return new ChannelHostCommands(channelTarget(outputs, spec), options);
  },
  now: () => new Date(),
  out: (text) => process.stdout.write(text),
  progress,
};

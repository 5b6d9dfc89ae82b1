// What accounts reaches outside itself. Tests swap any part: SSM and EC2 (moto_server), the
// hosts (a fake command channel), the terminal.
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { stackFileFor } from '../../infra/spec/index.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { defaultTags } from '../../infra/tags.ts';
import { requireAwsCredentials } from '../deploy/credentials.ts';
import { loadSpecOrThrow, progress } from '../lib/cli.ts';
import { SsmHostCommands, type HostCommands } from '../lib/host-commands.ts';
import { loadStackInventory } from '../status/aws.ts';
import { confirmOnTerminal, type Confirm } from '../teardown/confirm.ts';
import { generatePassword } from './password.ts';
import { AccountStore } from './store.ts';

export interface AccountsStack {
  store: AccountStore;
  /** Running signaling instances of the stack (usually one). */
  signalingHosts(): Promise<string[]>;
  hosts: HostCommands;
  close(): void;
}

export interface AccountsDeps {
  loadSpec: (stack: string) => DeploymentSpec;
  requireCredentials: (region: string) => Promise<unknown>;
  openStack: (spec: DeploymentSpec) => AccountsStack;
  confirm: Confirm;
  generatePassword: () => string;
  /** Where a password may be shown without --json. */
  stdoutIsTerminal: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
  progress: (message: string) => void;
}

export function openAwsStack(spec: DeploymentSpec): AccountsStack {
  const config = { region: spec.region, maxAttempts: 3 };
  const ssm = new SSMClient(config);
  const ec2 = new EC2Client(config);
  const autoscaling = new AutoScalingClient(config);
  return {
    store: new AccountStore(ssm, spec.stack, defaultTags(spec)),
    signalingHosts: async () =>
      (await loadStackInventory(ec2, autoscaling, spec.stack)).instances.filter((i) => i.role === 'signaling' && i.state === 'running').map((i) => i.instanceId),
    hosts: new SsmHostCommands(ssm),
    close: () => {
      for (const client of [ssm, ec2, autoscaling]) client.destroy();
    },
  };
}

export const REAL_ACCOUNTS_DEPS: AccountsDeps = {
  loadSpec: (stack) => loadSpecOrThrow(stackFileFor(stack), stack).spec,
  requireCredentials: (region) => requireAwsCredentials(region),
  openStack: openAwsStack,
  confirm: confirmOnTerminal,
  generatePassword: () => generatePassword(),
  stdoutIsTerminal: Boolean(process.stdout.isTTY),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  progress,
};

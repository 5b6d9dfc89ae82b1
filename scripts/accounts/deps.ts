// What accounts reaches outside itself. Tests swap any part: SSM and EC2 (moto_server), the
// hosts (a fake command channel, or a loopback channel host), the terminal.
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { HOST_SECRETS_DIR } from '../../infra/render/cloud-layer.ts';
import { ssmParameterName } from '../../infra/secrets.ts';
import { stackFileFor } from '../../infra/spec/index.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { defaultTags } from '../../infra/tags.ts';
import { requireAwsCredentials } from '../deploy/credentials.ts';
import { loadSpecOrThrow, progress } from '../lib/cli.ts';
import { SsmHostCommands, type HostCommands } from '../lib/host-commands.ts';
import { loadStackInventory } from '../status/aws.ts';
import { confirmOnTerminal, type Confirm } from '../teardown/confirm.ts';
import { generatePassword } from './password.ts';
import type { SendScript } from '../deploy/channel-apply.ts';
import { ChannelAccountStore } from './channel-store.ts';
import { AccountStore, type HostAccountStore } from './store.ts';
import type { OperatorSecret } from './usage.ts';

export interface AccountsStack {
  store: HostAccountStore;
  /** Where the accounts are kept, for progress lines. */
  storedWhere: string;
  /** Running signaling instances of the stack (usually one). */
  signalingHosts(): Promise<string[]>;
  hosts: HostCommands;
  /** The value of an operator-facing secret; kept in memory only. */
  readSecret(name: OperatorSecret): Promise<string>;
  close(): void;
}

export interface AccountsDeps {
  loadSpec: (stack: string) => DeploymentSpec;
  /** The cloud's credentials (AWS only: elsewhere the channel needs none but the stack's passphrase). */
  requireCredentials: (region: string) => Promise<unknown>;
  openStack: (spec: DeploymentSpec, timeoutMs: number) => AccountsStack | Promise<AccountsStack>;
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
    storedWhere: 'SSM',
    readSecret: async (name) => {
      const found = await ssm.send(new GetParameterCommand({ Name: ssmParameterName(spec.stack, name), WithDecryption: true }));
      const value = found.Parameter?.Value;
      if (!value) throw new Error(`${ssmParameterName(spec.stack, name)} holds no value`);
      return value;
    },
    signalingHosts: async () =>
      (await loadStackInventory(ec2, autoscaling, spec.stack)).instances.filter((i) => i.role === 'signaling' && i.state === 'running').map((i) => i.instanceId),
    hosts: new SsmHostCommands(ssm),
    close: () => {
      for (const client of [ssm, ec2, autoscaling]) client.destroy();
    },
  };
}

/** Exit code of the secret script when the node has not made that secret (yet). */
const NO_SECRET = 4;

/** Hetzner Cloud, OpenStack: the accounts and secrets on the signaling node, through one channel. */
export function channelStack(send: SendScript, signalingServer: string, hosts: HostCommands, timeoutMs: number): AccountsStack {
  return {
    store: new ChannelAccountStore(send, timeoutMs),
    storedWhere: 'on the signaling node',
    signalingHosts: async () => [signalingServer],
    hosts,
    readSecret: async (name) => {
      const file = `\${JITSI_EU_SECRETS_DIR:-${HOST_SECRETS_DIR}}/${name}`;
      const answer = await send(`if [ ! -s "${file}" ]; then exit ${NO_SECRET}; fi\ncat "${file}"\n`, timeoutMs);
      if (answer.state === 'answered') return answer.stdout.trim();
      if (answer.exitCode === NO_SECRET) throw new Error(`the signaling node has no ${name} (yet): it makes it at its first boot; wait until npm run status shows it ready`);
      throw new Error(`could not read ${name} on the signaling node: ${answer.detail ?? 'no answer'}`);
    },
    close: () => {},
  };
}

/** The channel of a deployed stack, from its outputs (the key is a Pulumi secret: read, kept in memory). */
export async function openChannelStack(spec: DeploymentSpec, timeoutMs: number): Promise<AccountsStack> {
  const { openPulumiWorkspace } = await import('../lib/workspace.ts');
  const { signalingServerId, stackChannel } = await import('../lib/channel/stack.ts');
  const outputs = await (await openPulumiWorkspace()).outputs(spec.stack);
  const channel = stackChannel(outputs, spec);
  return channelStack((script, ms) => channel.send(script, ms), signalingServerId(outputs), channel, timeoutMs);
}

export const REAL_ACCOUNTS_DEPS: AccountsDeps = {
  loadSpec: (stack) => loadSpecOrThrow(stackFileFor(stack), stack).spec,
  requireCredentials: (region) => requireAwsCredentials(region),
  openStack: (spec, timeoutMs) => (spec.cloud === 'aws' ? openAwsStack(spec) : openChannelStack(spec, timeoutMs)),
  confirm: confirmOnTerminal,
  generatePassword: () => generatePassword(),
  stdoutIsTerminal: Boolean(process.stdout.isTTY),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  progress,
};

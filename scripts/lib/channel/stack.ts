// A stack's channel, from its outputs: the URL, and the private key (a Pulumi secret, read with
// the other outputs and kept in memory only). A stack deployed before the channel existed has
// neither, and is told how to get them.
import { readFileSync } from 'node:fs';
import type { DeploymentSpec } from '../../../infra/spec/types.ts';
import { UsageError } from '../cli.ts';
import type { StackOutputs } from '../workspace.ts';
import { ChannelHostCommands, type ChannelClientOptions, type ChannelTarget } from './client.ts';

/** PEM files of extra CAs the channel's certificate may come from (e.g. Let's Encrypt staging), separated by ':'. */
export const CHANNEL_CA_VARIABLE = 'JITSI_EU_CHANNEL_CA';

/** Whether the stack's outputs carry its channel (a stack deployed before it existed has none). */
export function hasChannel(outputs: StackOutputs): boolean {
  const url = outputs.channelUrl?.value;
  const key = outputs.channelPrivateKey?.value;
  return typeof url === 'string' && url !== '' && typeof key === 'string' && key.includes('PRIVATE KEY');
}

export function channelTarget(outputs: StackOutputs, spec: Pick<DeploymentSpec, 'stack' | 'domain'>): ChannelTarget {
  if (!hasChannel(outputs)) {
    throw new UsageError([
      `stack ${spec.stack} has no operator channel yet (its outputs lack channelUrl and channelPrivateKey): it was deployed before jitsi-eu had one.`,
      `Run npm run deploy -- --stack ${spec.stack} once: it adds the channel (the signaling node is replaced once, ending meetings on it).`,
    ]);
  }
  return { url: outputs.channelUrl!.value as string, domain: spec.domain, privateKeyPem: outputs.channelPrivateKey!.value as string, stack: spec.stack };
}

/** The CA certificates named by JITSI_EU_CHANNEL_CA, read now (a missing file is a usage error). */
export function channelCaFrom(env: NodeJS.ProcessEnv = process.env): string[] {
  const files = (env[CHANNEL_CA_VARIABLE] ?? '').split(':').filter(Boolean);
  return files.map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`${CHANNEL_CA_VARIABLE}: cannot read ${file} (${(error as NodeJS.ErrnoException).code}): give PEM files of CA certificates, separated by ':'`);
    }
  });
}

export function stackChannel(outputs: StackOutputs, spec: Pick<DeploymentSpec, 'stack' | 'domain'>, options: ChannelClientOptions = {}): ChannelHostCommands {
  const ca = channelCaFrom();
  return new ChannelHostCommands(channelTarget(outputs, spec), { ...(ca.length ? { ca } : {}), ...options });
}

/** The signaling server's id, as the stack records it (for messages). */
export function signalingServerId(outputs: StackOutputs): string {
  const id = outputs.signalingInstanceId?.value;
  return typeof id === 'string' && id ? id : 'signaling';
}

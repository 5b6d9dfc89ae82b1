// The outputs every cloud's program returns the same way: the site, its address, the hourly cost
// and the configuration each host role runs (deploy's preview compares it).
import * as pulumi from '@pulumi/pulumi';
import { CHANNEL_PATH } from './channel.ts';
import { hourlyCostEur } from './cost/model.ts';
import type { DnsRecord, StackOutputs } from './outputs.ts';
import { configurationRecord, type RoleArchive } from './render/delivery.ts';
import type { DeploymentSpec } from './spec/types.ts';

export interface SiteParts {
  signaling: { publicIp: pulumi.Output<string>; id: pulumi.Output<string> };
  dns: { records: pulumi.Output<DnsRecord[]>; managed: boolean };
  archives: readonly RoleArchive[];
}

type ChannelOutputs = 'channelUrl' | 'channelPrivateKey' | 'signalingHost';

export function siteOutputs(spec: DeploymentSpec, parts: SiteParts): Omit<StackOutputs, 'bridgeAsgName' | 'bridgeServerIds' | 'ssmShellCommand' | 'hostAccountParameter' | ChannelOutputs> {
  return {
    cloud: spec.cloud,
    url: `https://${spec.domain}/`,
    publicIp: parts.signaling.publicIp,
    region: spec.region,
    signalingInstanceId: parts.signaling.id,
    hourlyCostEur: hourlyCostEur(spec),
    dnsRecords: parts.dns.records,
    dnsManaged: parts.dns.managed,
    configuration: Object.fromEntries(parts.archives.map((a) => [a.role, configurationRecord(a)])),
  };
}

/** Hetzner and OpenStack: how the operator reaches the signaling node, and what defines it. */
export function channelOutputs(spec: DeploymentSpec, parts: { privateKeyPem: pulumi.Output<string>; signalingHost: string }): Required<Pick<StackOutputs, ChannelOutputs>> {
  return {
    channelUrl: `https://${spec.domain}${CHANNEL_PATH}`,
    channelPrivateKey: pulumi.secret(parts.privateKeyPem),
    signalingHost: parts.signalingHost,
  };
}

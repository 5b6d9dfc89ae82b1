// What a deployment's Pulumi program returns, on every cloud: the stack outputs that deploy,
// status, verify and teardown read. Cloud-specific fields are optional and say which cloud has them.
import type * as pulumi from '@pulumi/pulumi';
import type { BundleComponent, HostRole } from './render/types.ts';
import type { Cloud } from './spec/types.ts';

/** An address record of the site; the operator creates it where jitsi-eu does not manage DNS. */
export interface DnsRecord {
  name: string;
  type: 'A' | 'AAAA';
  value: string;
  ttl: number;
}

export interface StackOutputs {
  cloud: Cloud;
  url: string;
  publicIp: pulumi.Output<string>;
  region: string;
  /** The signaling node's id at its provider (EC2 instance id, Hetzner server id, OpenStack server id). */
  signalingInstanceId: pulumi.Output<string>;
  /** AWS, scalable topology: the bridges' Auto Scaling group. */
  bridgeAsgName?: pulumi.Output<string>;
  /** Hetzner and OpenStack, scalable topology: the bridge servers' ids. */
  bridgeServerIds?: pulumi.Output<string>[];
  /** AWS: opens a shell on the signaling node through SSM Session Manager. */
  ssmShellCommand?: pulumi.Output<string>;
  /** AWS, secure auth: the SSM parameter holding the initial host account's password. */
  hostAccountParameter?: string;
  /** Compute, addresses and storage per hour, in EUR (egress not included). */
  hourlyCostEur: number;
  /** The address record(s) of the site; create them yourself when dnsManaged is false. */
  dnsRecords: pulumi.Output<DnsRecord[]>;
  dnsManaged: boolean;
  /** The configuration each host role runs: its revision and the sha256 of each file (deploy's preview compares them). */
  configuration: Partial<Record<HostRole, DeployedConfiguration>>;
  /** Hetzner and OpenStack: where the signaling node takes signed commands (infra/channel.ts CHANNEL_PATH). */
  channelUrl?: string;
  /** Hetzner and OpenStack, secret: the channel key's private half (PKCS#8 PEM), which signs those commands. */
  channelPrivateKey?: pulumi.Output<string>;
  /**
   * Hetzner and OpenStack: sha256 hex of what defines the signaling node (its user data without the
   * configuration archive, its image, place and server type). Deploy hands it back to the next run,
   * which then leaves the running node in place when only its configuration changed.
   */
  signalingHost?: string;
}

export interface DeployedConfiguration {
  revision: string;
  /** Bundle path → sha256 of the file as delivered, and its component. */
  files: Record<string, { sha256: string; component: BundleComponent }>;
  /** Prosody's hosts and components: adding or removing one restarts Prosody. */
  prosodyHosts: string[];
}


// What the orphan check reports: every resource that still carries `jitsi-eu:stack=<stack>` (in the
// stack's region, and IAM's global roles, policies and instance profiles), plus
// SSM parameters under the stack's path and DNS records at its host name. Only resources that
// carry the project's tags (stack AND project) may ever be removed by --purge.
import type { Cloud } from '../../infra/spec/types.ts';
import { PROJECT, TAG_PROJECT, TAG_STACK } from '../../infra/tags.ts';

export interface OrphanScope {
  stack: string;
  /** Where the stack ran (default aws). */
  cloud?: Cloud;
  /** OpenStack: the clouds.yaml entry (openstack:cloud), when the stack names one. */
  openstackCloud?: string;
  region: string;
  /** The deployment's host name, for DNS records (records carry no tags). */
  domain?: string;
}

export type FoundBy = 'tagging-api' | 'ec2' | 'autoscaling' | 'iam' | 'ssm-path' | 'route53-name' | 'hcloud-labels' | 'openstack-tags' | 'designate-name' | 'dns-name';

export interface DnsRecord {
  zoneId: string;
  zoneName: string;
  name: string;
  type: string;
  ttl?: number;
  values: string[];
  /** For weighted, latency and other routed record sets. */
  setIdentifier?: string;
  /** Alias target, for alias records. */
  alias?: { hostedZoneId: string; dnsName: string; evaluateTargetHealth: boolean };
}

export interface Orphan {
  /** ARN, or `route53:<zone>/<name>/<type>` for a DNS record. */
  id: string;
  /** `ec2:instance`, `ssm:parameter`, `autoscaling:autoScalingGroup`, `route53:record`... */
  kind: string;
  /** The id the service itself uses (i-..., sg-..., a parameter name, a group name). */
  resourceId: string;
  region: string;
  tags: Record<string, string>;
  foundBy: FoundBy[];
  /** True only when --purge may remove it: the project's tags are present and jitsi-eu knows how. */
  purgeable: boolean;
  /** Why it is not purgeable, or what else to know. */
  note?: string;
  record?: DnsRecord;
}

/** The kinds --purge can remove, in the order it removes them (dependents first). */
export const PURGE_ORDER = [
  'autoscaling:autoScalingGroup',
  'ec2:instance',
  'ec2:elastic-ip',
  'ec2:launch-template',
  'ec2:natgateway',
  'ec2:network-interface',
  'ec2:volume',
  'ec2:snapshot',
  'ec2:security-group',
  'ec2:subnet',
  'ec2:route-table',
  'ec2:internet-gateway',
  'ec2:vpc',
  's3:bucket',
  'ssm:parameter',
  'iam:instance-profile',
  'iam:role',
  'iam:policy',
  'route53:record',
] as const;

export type PurgeKind = (typeof PURGE_ORDER)[number];

export function isPurgeKind(kind: string): kind is PurgeKind {
  return (PURGE_ORDER as readonly string[]).includes(kind);
}

/** Marks an orphan purgeable or says why not. DNS records are judged by their ownership record elsewhere. */
export function judgeTags(orphan: Omit<Orphan, 'purgeable' | 'note'>, stack: string): Pick<Orphan, 'purgeable' | 'note'> {
  if (orphan.tags[TAG_STACK] !== stack) {
    return { purgeable: false, note: `lacks the tag ${TAG_STACK}=${stack}: never removed by --purge` };
  }
  if (orphan.tags[TAG_PROJECT] !== PROJECT) {
    return { purgeable: false, note: `lacks the tag ${TAG_PROJECT}=${PROJECT}: never removed by --purge` };
  }
  if (!isPurgeKind(orphan.kind)) {
    return { purgeable: false, note: `${orphan.kind} is not something --purge removes: delete it in the AWS console or CLI` };
  }
  return { purgeable: true };
}

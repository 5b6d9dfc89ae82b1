// The orphan check: everything in the stack's region that still carries `jitsi-eu:stack=<stack>`
// (the Resource Groups Tagging API, cross-checked with direct EC2 and Auto Scaling queries because
// the tagging index lags and misses some types), IAM roles, policies and instance profiles with
// that tag (global, so the tagging API never sees them), SSM parameters under the stack's path,
// and DNS records at its host name. It only reads; see purge.ts for removal.
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeAddressesCommand,
  paginateDescribeInstances,
  paginateDescribeLaunchTemplates,
  paginateDescribeSnapshots,
  paginateDescribeVolumes,
  type Filter,
  type Tag,
} from '@aws-sdk/client-ec2';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { ListTagsForResourceCommand, paginateGetParametersByPath } from '@aws-sdk/client-ssm';
import { ssmPrefix } from '../../infra/secrets.ts';
import { TAG_STACK } from '../../infra/tags.ts';
import { ec2Arn, parseArn, ssmParameterArn } from './arn.ts';
import type { AwsClients, CallerIdentity } from './aws.ts';
import { findDnsRecords } from './dns.ts';
import { findIamResources } from './iam.ts';
import { PURGE_ORDER, judgeTags, type FoundBy, type Orphan, type OrphanScope } from './orphans.ts';

type Found = Omit<Orphan, 'purgeable' | 'note'>;

const tagMap = (tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? '']));

export async function findOrphans(clients: AwsClients, identity: CallerIdentity, scope: OrphanScope): Promise<Orphan[]> {
  const { stack, region } = scope;
  const { partition, account } = identity;
  const found = new Map<string, Found>();
  const gone = new Set<string>();
  /** `known` names what the caller already knows better than the ARN says (IAM: kind, name, global). */
  const add = (arn: string, tags: Record<string, string>, by: FoundBy, known: Partial<Pick<Found, 'kind' | 'resourceId' | 'region'>> = {}) => {
    const parsed = parseArn(arn);
    const existing = found.get(arn);
    if (existing) {
      if (!existing.foundBy.includes(by)) existing.foundBy.push(by);
      existing.tags = { ...existing.tags, ...tags };
      Object.assign(existing, known);
      return;
    }
    found.set(arn, {
      id: arn,
      kind: parsed ? `${parsed.service}:${parsed.resourceType}` : 'unknown',
      resourceId: parsed?.resourceId ?? arn,
      region: parsed?.region || region,
      tags,
      foundBy: [by],
      ...known,
    });
  };
  const byTag: Filter[] = [{ Name: `tag:${TAG_STACK}`, Values: [stack] }];

  const fromTaggingApi = async () => {
    let token: string | undefined;
    do {
      const page = await clients.tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: TAG_STACK, Values: [stack] }], ResourcesPerPage: 100, ...(token ? { PaginationToken: token } : {}) }));
      for (const mapping of page.ResourceTagMappingList ?? []) if (mapping.ResourceARN) add(mapping.ResourceARN, tagMap(mapping.Tags), 'tagging-api');
      token = page.PaginationToken || undefined;
    } while (token);
  };

  const fromEc2 = async () => {
    const ec2 = { client: clients.ec2 };
    for await (const page of paginateDescribeInstances(ec2, { Filters: byTag })) {
      for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
        const arn = ec2Arn(partition, region, account, 'instance', instance.InstanceId!);
        if (instance.State?.Name === 'terminated') gone.add(arn);
        else add(arn, tagMap(instance.Tags), 'ec2');
      }
    }
    const addresses = await clients.ec2.send(new DescribeAddressesCommand({ Filters: byTag }));
    for (const address of addresses.Addresses ?? []) {
      if (address.AllocationId) add(ec2Arn(partition, region, account, 'elastic-ip', address.AllocationId), tagMap(address.Tags), 'ec2');
    }
    for await (const page of paginateDescribeVolumes(ec2, { Filters: byTag })) {
      for (const volume of page.Volumes ?? []) add(ec2Arn(partition, region, account, 'volume', volume.VolumeId!), tagMap(volume.Tags), 'ec2');
    }
    for await (const page of paginateDescribeSnapshots(ec2, { Filters: byTag, OwnerIds: ['self'] })) {
      for (const snapshot of page.Snapshots ?? []) add(ec2Arn(partition, region, account, 'snapshot', snapshot.SnapshotId!), tagMap(snapshot.Tags), 'ec2');
    }
    for await (const page of paginateDescribeLaunchTemplates(ec2, { Filters: byTag })) {
      for (const template of page.LaunchTemplates ?? []) {
        add(ec2Arn(partition, region, account, 'launch-template', template.LaunchTemplateId!), tagMap(template.Tags as Tag[] | undefined), 'ec2');
      }
    }
  };

  const fromAutoScaling = async () => {
    let token: string | undefined;
    do {
      const page = await clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ Filters: byTag, ...(token ? { NextToken: token } : {}) }));
      for (const group of page.AutoScalingGroups ?? []) {
        if (group.AutoScalingGroupARN) add(group.AutoScalingGroupARN, tagMap(group.Tags), 'autoscaling');
      }
      token = page.NextToken;
    } while (token);
  };

  const fromSsmPath = async () => {
    const path = ssmPrefix(stack).replace(/\/$/, '');
    // Names only: the values are secrets and are never read here.
    for await (const page of paginateGetParametersByPath({ client: clients.ssm }, { Path: path, Recursive: true, WithDecryption: false })) {
      for (const parameter of page.Parameters ?? []) {
        const tags = await clients.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: parameter.Name! }));
        add(parameter.ARN ?? ssmParameterArn(partition, region, account, parameter.Name!), tagMap(tags.TagList), 'ssm-path');
      }
    }
  };

  const fromIam = async () => {
    for (const resource of await findIamResources(clients.iam, stack)) {
      add(resource.arn, resource.tags, 'iam', { kind: resource.kind, resourceId: resource.name, region: 'global' });
    }
  };

  const [dns] = await Promise.all([
    scope.domain ? findDnsRecords(clients.route53, stack, scope.domain) : Promise.resolve([]),
    fromTaggingApi(),
    fromEc2(),
    fromAutoScaling(),
    fromIam(),
    fromSsmPath(),
  ]);

  const tagged: Orphan[] = [...found.values()].filter((f) => !gone.has(f.id)).map((f) => ({ ...f, foundBy: [...f.foundBy].sort(), ...judgeTags(f, stack) }));
  return sortOrphans([...tagged, ...dns]);
}

/** Purge order first, then by id: a stable listing that reads top-down like the removal. */
export function sortOrphans(orphans: Orphan[]): Orphan[] {
  const rank = (kind: string) => {
    const i = (PURGE_ORDER as readonly string[]).indexOf(kind);
    return i < 0 ? PURGE_ORDER.length : i;
  };
  return [...orphans].sort((a, b) => rank(a.kind) - rank(b.kind) || a.id.localeCompare(b.id));
}

// --purge: removes the orphans the check marked purgeable (they carry both project tags, or, for
// DNS, their name carries the stack's ownership record), dependents first. It never looks for
// anything itself, so it can only ever touch what findOrphans reported and judged. What is already
// gone when its turn comes (a volume deleted with its instance) counts as removed.
import { DeleteAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DeleteInternetGatewayCommand,
  DeleteLaunchTemplateCommand,
  DeleteNatGatewayCommand,
  DeleteNetworkInterfaceCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSnapshotCommand,
  DeleteSubnetCommand,
  DeleteVolumeCommand,
  DeleteVpcCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DetachInternetGatewayCommand,
  DisassociateAddressCommand,
  DisassociateRouteTableCommand,
  ReleaseAddressCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  TerminateInstancesCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { DeleteParametersCommand } from '@aws-sdk/client-ssm';
import { dnsOwnerName } from '../../infra/tags.ts';
import type { AwsClients } from './aws.ts';
import { deleteDnsRecord, dnsRecordExists, isOwnershipRecord } from './dns.ts';
import { isAlreadyGone, unlessGone } from './gone.ts';
import { deleteInstanceProfile, deleteManagedPolicy, deleteRole } from './iam.ts';
import { PURGE_ORDER, type Orphan, type PurgeKind } from './orphans.ts';
import { deleteVersionedBucket } from './s3.ts';

export interface PurgeOutcome {
  id: string;
  kind: string;
  resourceId: string;
  removed: boolean;
  /** It was no longer there: nothing had to be done. */
  alreadyGone?: boolean;
  error?: string;
}

export interface PurgeOptions {
  progress: (message: string) => void;
  /** How long to wait for instances and groups to go away. */
  waitMs?: number;
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function purgeOrphans(clients: AwsClients, orphans: readonly Orphan[], options: PurgeOptions): Promise<PurgeOutcome[]> {
  const outcomes: PurgeOutcome[] = [];
  const waitMs = options.waitMs ?? 15 * 60_000;
  const pollMs = options.pollMs ?? 5_000;
  const eligible = orphans.filter((o) => o.purgeable);
  for (const kind of PURGE_ORDER) {
    const batch = eligible.filter((o) => o.kind === kind);
    if (batch.length === 0) continue;
    options.progress(`removing ${batch.length} ${kind} (${batch.map((o) => o.resourceId).join(', ')})`);
    const results = await removeKind(clients, kind, batch, { waitMs, pollMs, progress: options.progress });
    outcomes.push(...results);
  }
  return outcomes;
}

interface KindOptions {
  waitMs: number;
  pollMs: number;
  progress: (message: string) => void;
}

/** `gone` when the removal found nothing left to remove. */
type Removal = Promise<void | 'gone'>;

const succeeded = (orphan: Orphan, alreadyGone = false): PurgeOutcome => ({ id: orphan.id, kind: orphan.kind, resourceId: orphan.resourceId, removed: true, ...(alreadyGone ? { alreadyGone } : {}) });

/** The outcome of an error: done when the API says the resource is not there, else a failure. */
function failedOrGone(kind: PurgeKind, orphan: Orphan, error: unknown): PurgeOutcome {
  if (isAlreadyGone(kind, error)) return succeeded(orphan, true);
  return { id: orphan.id, kind: orphan.kind, resourceId: orphan.resourceId, removed: false, error: awsMessage(error) };
}

async function eachOne(kind: PurgeKind, batch: readonly Orphan[], remove: (orphan: Orphan) => Removal): Promise<PurgeOutcome[]> {
  const outcomes: PurgeOutcome[] = [];
  for (const orphan of batch) {
    try {
      outcomes.push(succeeded(orphan, (await remove(orphan)) === 'gone'));
    } catch (error) {
      outcomes.push(failedOrGone(kind, orphan, error));
    }
  }
  return outcomes;
}

function awsMessage(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message ?? String(error)}`;
}

async function until(what: string, done: () => Promise<boolean>, options: KindOptions): Promise<void> {
  const deadline = Date.now() + options.waitMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${Math.round(options.waitMs / 1000)} s`);
    options.progress(`waiting for ${what}`);
    await sleep(options.pollMs);
  }
}

async function removeKind(clients: AwsClients, kind: PurgeKind, batch: readonly Orphan[], options: KindOptions): Promise<PurgeOutcome[]> {
  const { ec2 } = clients;
  switch (kind) {
    case 'autoscaling:autoScalingGroup':
      return eachOne(kind, batch, async (o) => {
        await clients.autoscaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: o.resourceId, ForceDelete: true }));
        await until(`Auto Scaling group ${o.resourceId} to be deleted`, async () => {
          const left = await clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [o.resourceId] }));
          return (left.AutoScalingGroups ?? []).length === 0;
        }, options);
      });
    case 'ec2:instance': {
      // One at a time, so that an instance long gone does not fail the others' call.
      const outcomes = await eachOne(kind, batch, (o) => ec2.send(new TerminateInstancesCommand({ InstanceIds: [o.resourceId] })).then(() => undefined));
      const terminating = outcomes.filter((o) => o.removed && !o.alreadyGone).map((o) => o.resourceId);
      if (terminating.length === 0) return outcomes;
      try {
        await until(`instance(s) ${terminating.join(', ')} to terminate`, async () => {
          // A filter, unlike InstanceIds, does not fail for an id that has disappeared meanwhile.
          const described = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: terminating }] }));
          return (described.Reservations ?? []).flatMap((r) => r.Instances ?? []).every((i) => i.State?.Name === 'terminated');
        }, options);
        return outcomes;
      } catch (error) {
        return outcomes.map((o) => (terminating.includes(o.resourceId) ? { ...o, removed: false, error: awsMessage(error) } : o));
      }
    }
    case 'ec2:elastic-ip':
      return eachOne(kind, batch, async (o) => {
        const described = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [o.resourceId] }));
        const association = described.Addresses?.[0]?.AssociationId;
        if (association) await unlessGone(ec2.send(new DisassociateAddressCommand({ AssociationId: association })), ['InvalidAssociationID.NotFound']);
        await ec2.send(new ReleaseAddressCommand({ AllocationId: o.resourceId }));
      });
    case 'ec2:launch-template':
      return eachOne(kind, batch, (o) => ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: o.resourceId })).then(() => undefined));
    case 'ec2:natgateway':
      return eachOne(kind, batch, (o) => ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: o.resourceId })).then(() => undefined));
    case 'ec2:network-interface':
      return eachOne(kind, batch, (o) => ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: o.resourceId })).then(() => undefined));
    case 'ec2:volume':
      return eachOne(kind, batch, (o) => ec2.send(new DeleteVolumeCommand({ VolumeId: o.resourceId })).then(() => undefined));
    case 'ec2:snapshot':
      return eachOne(kind, batch, (o) => ec2.send(new DeleteSnapshotCommand({ SnapshotId: o.resourceId })).then(() => undefined));
    case 'ec2:security-group': {
      // Groups that name each other in rules cannot be deleted until those rules are gone, so
      // every group lets go of its references first; one that cannot is not deleted.
      const stuck = new Map<string, PurgeOutcome>();
      for (const o of batch) {
        try {
          await revokeGroupReferences(clients, o.resourceId);
        } catch (error) {
          stuck.set(o.id, failedOrGone(kind, o, error));
        }
      }
      const deleted = await eachOne(kind, batch.filter((o) => !stuck.has(o.id)), (o) => ec2.send(new DeleteSecurityGroupCommand({ GroupId: o.resourceId })).then(() => undefined));
      return [...stuck.values(), ...deleted];
    }
    case 'ec2:subnet':
      return eachOne(kind, batch, (o) => ec2.send(new DeleteSubnetCommand({ SubnetId: o.resourceId })).then(() => undefined));
    case 'ec2:route-table':
      return eachOne(kind, batch, async (o) => {
        const table = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [o.resourceId] }))).RouteTables?.[0];
        for (const association of table?.Associations ?? []) {
          if (!association.Main && association.RouteTableAssociationId) {
            await unlessGone(ec2.send(new DisassociateRouteTableCommand({ AssociationId: association.RouteTableAssociationId })), ['InvalidAssociationID.NotFound']);
          }
        }
        await ec2.send(new DeleteRouteTableCommand({ RouteTableId: o.resourceId }));
      });
    case 'ec2:internet-gateway':
      return eachOne(kind, batch, async (o) => {
        const gateway = (await ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [o.resourceId] }))).InternetGateways?.[0];
        for (const attachment of gateway?.Attachments ?? []) {
          if (attachment.VpcId) {
            await unlessGone(ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: o.resourceId, VpcId: attachment.VpcId })), ['Gateway.NotAttached']);
          }
        }
        await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: o.resourceId }));
      });
    case 'ec2:vpc':
      return eachOne(kind, batch, (o) => ec2.send(new DeleteVpcCommand({ VpcId: o.resourceId })).then(() => undefined));
    case 's3:bucket':
      return eachOne(kind, batch, (o) => deleteVersionedBucket(clients.s3, o.resourceId));
    case 'ssm:parameter': {
      const outcomes: PurgeOutcome[] = [];
      for (let i = 0; i < batch.length; i += 10) {
        const chunk = batch.slice(i, i + 10);
        try {
          const result = await clients.ssm.send(new DeleteParametersCommand({ Names: chunk.map((o) => o.resourceId) }));
          // InvalidParameters are the names that do not exist: already gone.
          const missing = new Set(result.InvalidParameters ?? []);
          for (const o of chunk) outcomes.push(succeeded(o, missing.has(o.resourceId)));
        } catch (error) {
          for (const o of chunk) outcomes.push(failedOrGone(kind, o, error));
        }
      }
      return outcomes;
    }
    case 'iam:instance-profile':
      return eachOne(kind, batch, (o) => deleteInstanceProfile(clients.iam, o.resourceId));
    case 'iam:role':
      return eachOne(kind, batch, (o) => deleteRole(clients.iam, o.resourceId));
    case 'iam:policy':
      // Policies are addressed by ARN, which is the orphan's id.
      return eachOne(kind, batch, (o) => deleteManagedPolicy(clients.iam, o.id));
    case 'route53:record':
      return removeDnsRecords(clients, batch);
  }
}

/** Revokes the rules of a group that name other groups (so that those can be deleted). */
async function revokeGroupReferences(clients: AwsClients, groupId: string): Promise<void> {
  const { ec2 } = clients;
  const group = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups?.[0];
  if (!group) return;
  const referencing = (perms: IpPermission[] | undefined) => (perms ?? []).filter((p) => (p.UserIdGroupPairs ?? []).length > 0);
  const ingress = referencing(group.IpPermissions);
  const egress = referencing(group.IpPermissionsEgress);
  const ruleGone = ['InvalidPermission.NotFound'];
  if (ingress.length) await unlessGone(ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: ingress })), ruleGone);
  if (egress.length) await unlessGone(ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: egress })), ruleGone);
}

/**
 * The site's records first, the ownership records that prove them last, so that a failure leaves
 * the proof in place for the next purge. Whether a record is already gone is read from its zone:
 * Route53's error for a missing record (InvalidChangeBatch) also covers real failures.
 */
async function removeDnsRecords(clients: AwsClients, batch: readonly Orphan[]): Promise<PurgeOutcome[]> {
  const proofs = batch.filter((o) => o.record && isOwnershipRecord(o.record));
  const sites = batch.filter((o) => !proofs.includes(o));
  const outcomes = await eachOne('route53:record', sites, (o) => removeDnsRecord(clients, o));
  /** Names of the ownership records whose site records are still there. */
  const stillNeeded = new Set(sites.filter((o) => outcomes.some((r) => r.id === o.id && !r.removed)).map((o) => dnsOwnerName(o.record?.name ?? '')));
  for (const proof of proofs) {
    if (stillNeeded.has(proof.record?.name ?? '')) {
      outcomes.push({ id: proof.id, kind: proof.kind, resourceId: proof.resourceId, removed: false, error: 'kept: it proves ownership of a record that could not be deleted' });
    } else {
      outcomes.push(...(await eachOne('route53:record', [proof], (o) => removeDnsRecord(clients, o))));
    }
  }
  return outcomes;
}

async function removeDnsRecord(clients: AwsClients, orphan: Orphan): Removal {
  const record = orphan.record;
  if (!record) throw new Error('no record details');
  if (!(await dnsRecordExists(clients.route53, record))) return 'gone';
  try {
    await deleteDnsRecord(clients.route53, record);
  } catch (error) {
    if (await dnsRecordExists(clients.route53, record)) throw error;
    return 'gone';
  }
}

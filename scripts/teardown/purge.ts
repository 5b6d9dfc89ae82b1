// --purge: removes the orphans the check marked purgeable (they carry both project tags, or, for
// DNS, their name carries the stack's ownership record), dependents first. It never looks for
// anything itself, so it can only ever touch what findOrphans reported and judged.
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
import type { AwsClients } from './aws.ts';
import { deleteDnsRecord } from './dns.ts';
import { deleteInstanceProfile, deleteManagedPolicy, deleteRole } from './iam.ts';
import { PURGE_ORDER, type Orphan, type PurgeKind } from './orphans.ts';

export interface PurgeOutcome {
  id: string;
  kind: string;
  resourceId: string;
  removed: boolean;
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

async function eachOne(batch: readonly Orphan[], remove: (orphan: Orphan) => Promise<void>): Promise<PurgeOutcome[]> {
  const outcomes: PurgeOutcome[] = [];
  for (const orphan of batch) {
    try {
      await remove(orphan);
      outcomes.push({ id: orphan.id, kind: orphan.kind, resourceId: orphan.resourceId, removed: true });
    } catch (error) {
      outcomes.push({ id: orphan.id, kind: orphan.kind, resourceId: orphan.resourceId, removed: false, error: awsMessage(error) });
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
      return eachOne(batch, async (o) => {
        await clients.autoscaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: o.resourceId, ForceDelete: true }));
        await until(`Auto Scaling group ${o.resourceId} to be deleted`, async () => {
          const left = await clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [o.resourceId] }));
          return (left.AutoScalingGroups ?? []).length === 0;
        }, options);
      });
    case 'ec2:instance': {
      const ids = batch.map((o) => o.resourceId);
      try {
        await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
        await until(`instance(s) ${ids.join(', ')} to terminate`, async () => {
          const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
          return (described.Reservations ?? []).flatMap((r) => r.Instances ?? []).every((i) => i.State?.Name === 'terminated');
        }, options);
        return batch.map((o) => ({ id: o.id, kind: o.kind, resourceId: o.resourceId, removed: true }));
      } catch (error) {
        return batch.map((o) => ({ id: o.id, kind: o.kind, resourceId: o.resourceId, removed: false, error: awsMessage(error) }));
      }
    }
    case 'ec2:elastic-ip':
      return eachOne(batch, async (o) => {
        const described = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [o.resourceId] }));
        const association = described.Addresses?.[0]?.AssociationId;
        if (association) await ec2.send(new DisassociateAddressCommand({ AssociationId: association }));
        await ec2.send(new ReleaseAddressCommand({ AllocationId: o.resourceId }));
      });
    case 'ec2:launch-template':
      return eachOne(batch, (o) => ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: o.resourceId })).then(() => undefined));
    case 'ec2:natgateway':
      return eachOne(batch, (o) => ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: o.resourceId })).then(() => undefined));
    case 'ec2:network-interface':
      return eachOne(batch, (o) => ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: o.resourceId })).then(() => undefined));
    case 'ec2:volume':
      return eachOne(batch, (o) => ec2.send(new DeleteVolumeCommand({ VolumeId: o.resourceId })).then(() => undefined));
    case 'ec2:snapshot':
      return eachOne(batch, (o) => ec2.send(new DeleteSnapshotCommand({ SnapshotId: o.resourceId })).then(() => undefined));
    case 'ec2:security-group': {
      // Groups that name each other in rules cannot be deleted until those rules are gone.
      const ids = batch.map((o) => o.resourceId);
      const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ids }))).SecurityGroups ?? [];
      for (const group of groups) {
        const referencing = (perms: IpPermission[] | undefined) => (perms ?? []).filter((p) => (p.UserIdGroupPairs ?? []).length > 0);
        const ingress = referencing(group.IpPermissions);
        const egress = referencing(group.IpPermissionsEgress);
        if (ingress.length) await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: group.GroupId!, IpPermissions: ingress }));
        if (egress.length) await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: group.GroupId!, IpPermissions: egress }));
      }
      return eachOne(batch, (o) => ec2.send(new DeleteSecurityGroupCommand({ GroupId: o.resourceId })).then(() => undefined));
    }
    case 'ec2:subnet':
      return eachOne(batch, (o) => ec2.send(new DeleteSubnetCommand({ SubnetId: o.resourceId })).then(() => undefined));
    case 'ec2:route-table':
      return eachOne(batch, async (o) => {
        const table = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [o.resourceId] }))).RouteTables?.[0];
        for (const association of table?.Associations ?? []) {
          if (!association.Main && association.RouteTableAssociationId) {
            await ec2.send(new DisassociateRouteTableCommand({ AssociationId: association.RouteTableAssociationId }));
          }
        }
        await ec2.send(new DeleteRouteTableCommand({ RouteTableId: o.resourceId }));
      });
    case 'ec2:internet-gateway':
      return eachOne(batch, async (o) => {
        const gateway = (await ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [o.resourceId] }))).InternetGateways?.[0];
        for (const attachment of gateway?.Attachments ?? []) {
          if (attachment.VpcId) await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: o.resourceId, VpcId: attachment.VpcId }));
        }
        await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: o.resourceId }));
      });
    case 'ec2:vpc':
      return eachOne(batch, (o) => ec2.send(new DeleteVpcCommand({ VpcId: o.resourceId })).then(() => undefined));
    case 'ssm:parameter': {
      const outcomes: PurgeOutcome[] = [];
      for (let i = 0; i < batch.length; i += 10) {
        const chunk = batch.slice(i, i + 10);
        try {
          const result = await clients.ssm.send(new DeleteParametersCommand({ Names: chunk.map((o) => o.resourceId) }));
          const invalid = new Set(result.InvalidParameters ?? []);
          for (const o of chunk) {
            outcomes.push({ id: o.id, kind: o.kind, resourceId: o.resourceId, removed: !invalid.has(o.resourceId), ...(invalid.has(o.resourceId) ? { error: 'not found' } : {}) });
          }
        } catch (error) {
          for (const o of chunk) outcomes.push({ id: o.id, kind: o.kind, resourceId: o.resourceId, removed: false, error: awsMessage(error) });
        }
      }
      return outcomes;
    }
    case 'iam:instance-profile':
      return eachOne(batch, (o) => deleteInstanceProfile(clients.iam, o.resourceId));
    case 'iam:role':
      return eachOne(batch, (o) => deleteRole(clients.iam, o.resourceId));
    case 'iam:policy':
      // Policies are addressed by ARN, which is the orphan's id.
      return eachOne(batch, (o) => deleteManagedPolicy(clients.iam, o.id));
    case 'route53:record':
      return eachOne(batch, async (o) => {
        if (!o.record) throw new Error('no record details');
        await deleteDnsRecord(clients.route53, o.record);
      });
  }
}

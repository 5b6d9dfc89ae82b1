// The stack as the AWS API describes it: its instances (by the stack tag) and its bridge Auto
// Scaling group with the lifecycle state of each member.
import { DescribeAutoScalingGroupsCommand, type AutoScalingClient, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { paginateDescribeInstances, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { TAG_STACK } from '../../infra/tags.ts';
import { roleOf } from '../verify/aws/inventory.ts';
import type { HostRole } from '../../infra/render/types.ts';
import type { BridgeGroupStatus } from './types.ts';

export interface StackInstance {
  instanceId: string;
  role: HostRole;
  state: string;
  instanceType: string;
  launchTime: Date;
  availabilityZone: string;
  publicIp?: string;
}

export interface StackInventory {
  instances: StackInstance[];
  bridgeGroup?: BridgeGroupStatus;
  /** Auto Scaling lifecycle state per bridge instance id. */
  lifecycle: Map<string, string>;
}

const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

function stackInstance(instance: Instance): StackInstance {
  return {
    instanceId: instance.InstanceId ?? 'unknown',
    role: roleOf(instance),
    state: instance.State?.Name ?? 'unknown',
    instanceType: instance.InstanceType ?? 'unknown',
    launchTime: instance.LaunchTime ?? new Date(0),
    availabilityZone: instance.Placement?.AvailabilityZone ?? '',
    ...(instance.PublicIpAddress ? { publicIp: instance.PublicIpAddress } : {}),
  };
}

/** Bridges the group is letting go of: they serve their conferences until the drain hook ends. */
const isDraining = (state: string): boolean => state.startsWith('Terminating');
const isStarting = (state: string): boolean => state.startsWith('Pending');

export function bridgeGroupStatus(group: AutoScalingGroup): BridgeGroupStatus {
  const states = (group.Instances ?? []).map((i) => i.LifecycleState ?? '');
  return {
    name: group.AutoScalingGroupName ?? 'unknown',
    min: group.MinSize ?? 0,
    max: group.MaxSize ?? 0,
    desired: group.DesiredCapacity ?? 0,
    inService: states.filter((s) => s === 'InService').length,
    draining: states.filter(isDraining).length,
    starting: states.filter(isStarting).length,
  };
}

export async function loadStackInventory(ec2: EC2Client, autoscaling: AutoScalingClient, stack: string): Promise<StackInventory> {
  const byStack = [{ Name: `tag:${TAG_STACK}`, Values: [stack] }];
  const instances: StackInstance[] = [];
  for await (const page of paginateDescribeInstances({ client: ec2 }, { Filters: [...byStack, { Name: 'instance-state-name', Values: LIVE_STATES }] })) {
    for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) instances.push(stackInstance(instance));
  }
  instances.sort((a, b) => (a.role === b.role ? a.instanceId.localeCompare(b.instanceId) : a.role === 'signaling' ? -1 : 1));

  const groups = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ Filters: byStack }));
  const group = groups.AutoScalingGroups?.[0];
  const lifecycle = new Map<string, string>();
  for (const member of group?.Instances ?? []) if (member.InstanceId) lifecycle.set(member.InstanceId, member.LifecycleState ?? '');
  return { instances, lifecycle, ...(group ? { bridgeGroup: bridgeGroupStatus(group) } : {}) };
}

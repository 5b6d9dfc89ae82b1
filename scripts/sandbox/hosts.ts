// A sandbox's hosts as AWS sees them: whether its expiry schedule has stopped them (for `list`),
// and starting them again when the sandbox is extended after it stopped. The AWS SDK loads only
// when a sandbox is actually deployed, so --help and usage errors stay fast.
export type HostState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated' | 'missing';

export interface RestartTarget {
  region: string;
  instanceId: string;
  /** Scalable sandboxes: the pool and the minimum size the stack config gives it. */
  bridges?: { groupName: string; min: number };
}

export interface SandboxHosts {
  signalingState(region: string, instanceId: string): Promise<HostState>;
  /** Starts what the expiry stopped; returns what it did, one line each (nothing when all was running). */
  restart(target: RestartTarget): Promise<string[]>;
}

async function ec2Client(region: string) {
  const ec2 = await import('@aws-sdk/client-ec2');
  return { ec2, client: new ec2.EC2Client({ region }) };
}

async function signalingState(region: string, instanceId: string): Promise<HostState> {
  const { ec2, client } = await ec2Client(region);
  try {
    const found = await client.send(new ec2.DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const state = found.Reservations?.[0]?.Instances?.[0]?.State?.Name;
    return (state as HostState | undefined) ?? 'missing';
  } catch (error) {
    if ((error as { name?: string }).name === 'InvalidInstanceID.NotFound') return 'missing';
    throw error;
  } finally {
    client.destroy();
  }
}

async function restart(target: RestartTarget): Promise<string[]> {
  const done: string[] = [];
  const state = await signalingState(target.region, target.instanceId);
  if (state === 'stopped') {
    const { ec2, client } = await ec2Client(target.region);
    try {
      await client.send(new ec2.StartInstancesCommand({ InstanceIds: [target.instanceId] }));
    } finally {
      client.destroy();
    }
    done.push(`started the signaling node ${target.instanceId} again (it had stopped at the expiry); the site answers once it has booted, in a few minutes`);
  } else if (state === 'stopping') {
    done.push(`the signaling node ${target.instanceId} is still stopping: once it has stopped, start it with aws ec2 start-instances --region ${target.region} --instance-ids ${target.instanceId}`);
  } else if (state !== 'running' && state !== 'pending') {
    done.push(`the signaling node ${target.instanceId} is ${state}: run npm run deploy -- --stack <name> to recreate it`);
  }
  if (target.bridges) {
    const as = await import('@aws-sdk/client-auto-scaling');
    const client = new as.AutoScalingClient({ region: target.region });
    try {
      const groups = await client.send(new as.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [target.bridges.groupName] }));
      const group = groups.AutoScalingGroups?.[0];
      if (group && (group.MinSize ?? 0) < target.bridges.min) {
        const { groupName, min } = target.bridges;
        await client.send(new as.UpdateAutoScalingGroupCommand({ AutoScalingGroupName: groupName, MinSize: min, DesiredCapacity: Math.max(min, group.DesiredCapacity ?? 0) }));
        done.push(`bridge pool ${groupName} back to at least ${min} bridge${min === 1 ? '' : 's'} (it had been emptied at the expiry)`);
      }
    } finally {
      client.destroy();
    }
  }
  return done;
}

export const AWS_SANDBOX_HOSTS: SandboxHosts = { signalingState, restart };

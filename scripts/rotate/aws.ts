// The stack's hosts on AWS: the inventory status uses, commands through SSM Run Command, and the
// bridge group's instance refresh. Loaded only once a rotation reaches its hosts.
import { AutoScalingClient, StartInstanceRefreshCommand } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmHostCommands } from '../lib/host-commands.ts';
import { loadStackInventory } from '../status/aws.ts';
import type { StackHosts } from './hosts.ts';

export function openAwsStackHosts(region: string): StackHosts {
  const config = { region, maxAttempts: 3 };
  const ec2 = new EC2Client(config);
  const autoscaling = new AutoScalingClient(config);
  const ssm = new SSMClient(config);
  return {
    inventory: (stack) => loadStackInventory(ec2, autoscaling, stack),
    hosts: new SsmHostCommands(ssm),
    startInstanceRefresh: async (group) => {
      try {
        const started = await autoscaling.send(
          new StartInstanceRefreshCommand({
            AutoScalingGroupName: group,
            Strategy: 'Rolling',
            // As the group's own setting: a new bridge is in service before an old one starts to drain.
            Preferences: { MinHealthyPercentage: 100, MaxHealthyPercentage: 200, SkipMatching: false },
          }),
        );
        return { id: started.InstanceRefreshId ?? 'unknown' };
      } catch (error) {
        if ((error as { name?: string }).name === 'InstanceRefreshInProgressFault') return { alreadyRunning: true };
        throw error;
      }
    },
    close: () => {
      for (const client of [ec2, autoscaling, ssm]) client.destroy();
    },
  };
}

// The stack's hosts on AWS: status's inventory and SSM Run Command channel, plus the bridge
// group's instance refresh. Loaded only once a rotation reaches its hosts.
import { AutoScalingClient, StartInstanceRefreshCommand } from '@aws-sdk/client-auto-scaling';
import { openAwsStack } from '../status/deps.ts';
import type { StackHosts } from './hosts.ts';

export function openAwsStackHosts(region: string): StackHosts {
  const stack = openAwsStack(region);
  const autoscaling = new AutoScalingClient({ region, maxAttempts: 3 });
  return {
    inventory: stack.inventory,
    hosts: stack.hosts,
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
      stack.close();
      autoscaling.destroy();
    },
  };
}

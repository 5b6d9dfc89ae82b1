// The videobridge pool of a scalable deployment: a launch template with the same hardening as the
// signaling node, an Auto Scaling group across the subnets, CPU target tracking, and a termination
// lifecycle hook that holds a bridge until its drain script has let the last meeting end.
import * as pulumi from '@pulumi/pulumi';
import { Group } from '@pulumi/aws/autoscaling/group.js';
import { LifecycleHook } from '@pulumi/aws/autoscaling/lifecycleHook.js';
import { Policy } from '@pulumi/aws/autoscaling/policy.js';
import { LaunchTemplate } from '@pulumi/aws/ec2/launchTemplate.js';
import { SecurityGroup } from '@pulumi/aws/ec2/securityGroup.js';
import type { DeploymentSpec } from '../spec/types.ts';
import { DRAIN_HEARTBEAT_SECONDS, DRAIN_HOOK_NAME } from '../lifecycle.ts';
import { defaultTags } from '../tags.ts';
import { type AwsAccount, arnFor } from './account.ts';
import type { MachineImage } from './ami.ts';
import { allEgress, bridgeIngress } from './firewall.ts';
import { instanceMetadataOptions, launchTemplateRootVolume } from './hardening.ts';
import { createInstanceRole } from './instance-role.ts';
import { BRIDGE_CPU_TARGET_PERCENT, BRIDGE_WARMUP_SECONDS, bridgeGroupNamePrefix, nameTag } from './layout.ts';

export interface BridgePoolArgs {
  spec: DeploymentSpec;
  account: AwsAccount;
  vpcId: pulumi.Input<string>;
  subnetIds: pulumi.Input<string>[];
  image: MachineImage;
  userDataBase64: string;
  /** Reads the stack's configuration bundles, which the agent fetches at first boot. */
  readBundlesPolicyArn?: pulumi.Input<string>;
  /** What must exist before a host boots: its bundle and the pointer to it. */
  bootAfter?: pulumi.Resource[];
  /** Reads the videobridges' XMPP password and no other secret. */
  readSecretsPolicyArn: pulumi.Input<string>;
}

/** What a bridge may do beyond reading secrets: report on and finish its own termination. */
export function lifecyclePolicyDocument(spec: Pick<DeploymentSpec, 'stack'>, account: AwsAccount): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'FinishOwnTermination',
        Effect: 'Allow',
        Action: ['autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat'],
        Resource: arnFor(account, 'autoscaling', `autoScalingGroup:*:autoScalingGroupName/${bridgeGroupNamePrefix(spec)}*`),
      },
      {
        // Read-only and without resource-level permissions in IAM: lets a bridge find its group.
        Sid: 'FindOwnGroup',
        Effect: 'Allow',
        Action: 'autoscaling:DescribeAutoScalingInstances',
        Resource: '*',
      },
    ],
  };
}

export class BridgePool extends pulumi.ComponentResource {
  readonly groupName: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: BridgePoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:aws:BridgePool', name, {}, opts);
    const { spec } = args;
    const pool = spec.bridges;
    if (!pool) throw new Error('BridgePool needs a scalable spec with bridges');
    const child = { parent: this };
    const tags = defaultTags(spec);

    const securityGroup = new SecurityGroup(`${name}-sg`, {
      description: `jitsi-eu ${spec.stack} videobridges`,
      vpcId: args.vpcId,
      ingress: bridgeIngress(spec),
      egress: allEgress(spec),
      tags: { Name: nameTag(spec, 'bridge') },
    }, child);
    const { profile } = createInstanceRole(name, {
      account: args.account,
      description: `jitsi-eu ${spec.stack} videobridges`,
      readSecretsPolicyArn: args.readSecretsPolicyArn,
      ...(args.readBundlesPolicyArn ? { readBundlesPolicyArn: args.readBundlesPolicyArn } : {}),
      inlinePolicy: lifecyclePolicyDocument(spec, args.account),
    }, this);

    // Instances launched by the group do not inherit the provider's default tags: name them here.
    const launchedTags = { ...tags, Name: nameTag(spec, 'bridge') };
    const template = new LaunchTemplate(`${name}-template`, {
      description: `jitsi-eu ${spec.stack} videobridge`,
      imageId: args.image.id,
      instanceType: pool.instanceType,
      iamInstanceProfile: { arn: profile.arn },
      // Tags in the metadata let the drain script find its Auto Scaling group.
      metadataOptions: instanceMetadataOptions({ tagsInMetadata: true }),
      blockDeviceMappings: [launchTemplateRootVolume('bridge', args.image.rootDeviceName)],
      // Each bridge has its own public address (media must reach the very bridge that serves it).
      networkInterfaces: [{
        deviceIndex: 0,
        associatePublicIpAddress: 'true',
        // Dual stack: an IPv6 address too, which the videobridge offers to participants as it is.
        ...(spec.ipv6 ? { ipv6AddressCount: 1 } : {}),
        deleteOnTermination: 'true',
        securityGroups: [securityGroup.id],
      }],
      userData: args.userDataBase64,
      tagSpecifications: ['instance', 'volume', 'network-interface'].map((resourceType) => ({ resourceType, tags: launchedTags })),
      updateDefaultVersion: true,
    }, child);

    const group = new Group(`${name}-group`, {
      namePrefix: bridgeGroupNamePrefix(spec),
      minSize: pool.min,
      maxSize: pool.max,
      vpcZoneIdentifiers: args.subnetIds,
      launchTemplate: { id: template.id, version: template.latestVersion.apply((v) => String(v)) },
      healthCheckType: 'EC2',
      healthCheckGracePeriod: 600,
      defaultInstanceWarmup: BRIDGE_WARMUP_SECONDS,
      // A new launch template version replaces bridges one by one; leaving ones drain first.
      instanceRefresh: { strategy: 'Rolling', preferences: { minHealthyPercentage: 100, maxHealthyPercentage: 200 } },
      tags: Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
    }, { parent: this, dependsOn: args.bootAfter ?? [] });

    new LifecycleHook(`${name}-drain`, {
      name: DRAIN_HOOK_NAME,
      autoscalingGroupName: group.name,
      lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      heartbeatTimeout: DRAIN_HEARTBEAT_SECONDS,
      // If a bridge never answers, AWS terminates it anyway once the heartbeat runs out.
      defaultResult: 'CONTINUE',
    }, child);
    new Policy(`${name}-cpu-target`, {
      autoscalingGroupName: group.name,
      policyType: 'TargetTrackingScaling',
      estimatedInstanceWarmup: BRIDGE_WARMUP_SECONDS,
      targetTrackingConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: 'ASGAverageCPUUtilization' },
        targetValue: BRIDGE_CPU_TARGET_PERCENT,
      },
    }, child);

    this.groupName = group.name;
    this.securityGroupId = securityGroup.id;
    this.registerOutputs({ groupName: this.groupName, securityGroupId: this.securityGroupId });
  }
}

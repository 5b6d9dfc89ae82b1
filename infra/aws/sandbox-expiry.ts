// A sandbox stops itself at its expiry, whether or not anyone runs `sandbox reap`: one-time
// EventBridge Scheduler schedules, in the stack's own region, call EC2 StopInstances on the
// signaling node and set the bridge pool to zero. Nothing is deleted here; `reap` does that later.
//
// The schedules stay after they have run (actionAfterCompletion NONE): Pulumi keeps managing
// them, so `sandbox extend` moves the time of the very same schedules, and `reap` deletes them
// with the rest. With DELETE, AWS would remove them behind Pulumi's back and the next update
// would fail on a schedule that no longer exists.
import * as pulumi from '@pulumi/pulumi';
import { Role } from '@pulumi/aws/iam/role.js';
import { RolePolicy } from '@pulumi/aws/iam/rolePolicy.js';
import { getServicePrincipalOutput } from '@pulumi/aws/getServicePrincipal.js';
import { Schedule } from '@pulumi/aws/scheduler/schedule.js';
import { ScheduleGroup } from '@pulumi/aws/scheduler/scheduleGroup.js';
import type { DeploymentSpec } from '../spec/types.ts';
import { type AwsAccount, arnFor } from './account.ts';
import { SANDBOX_EXPIRY_TYPE, STOP_BRIDGES_SCHEDULE, STOP_SIGNALING_SCHEDULE, atExpression } from './expiry-schedule.ts';

export interface SandboxExpiryArgs {
  spec: DeploymentSpec;
  account: AwsAccount;
  signalingInstanceId: pulumi.Input<string>;
  /** Scalable topology: the bridge pool's Auto Scaling group. */
  bridgeGroupName?: pulumi.Input<string>;
}


/** Only a sandbox with an expiry stops itself. */
export function needsExpirySchedule(spec: Pick<DeploymentSpec, 'sandbox' | 'expiresAt'>): spec is { sandbox: true; expiresAt: string } {
  return spec.sandbox && spec.expiresAt !== undefined;
}

/** Scheduler's universal target: any AWS API action, called with the schedule's role. */
export function universalTarget(account: Pick<AwsAccount, 'partition'>, service: string, action: string): string {
  return `arn:${account.partition}:scheduler:::aws-sdk:${service}:${action}`;
}

/** Exactly what the schedules do, on exactly this stack's hosts. */
export function expiryPolicyDocument(account: AwsAccount, instanceId: string, bridgeGroupName?: string): object {
  const statements: object[] = [
    { Sid: 'StopSignalingNode', Effect: 'Allow', Action: 'ec2:StopInstances', Resource: arnFor(account, 'ec2', `instance/${instanceId}`) },
  ];
  if (bridgeGroupName) {
    statements.push({
      Sid: 'EmptyBridgePool',
      Effect: 'Allow',
      Action: 'autoscaling:UpdateAutoScalingGroup',
      Resource: arnFor(account, 'autoscaling', `autoScalingGroup:*:autoScalingGroupName/${bridgeGroupName}`),
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

export class SandboxExpiry extends pulumi.ComponentResource {
  readonly scheduleGroupName: pulumi.Output<string>;

  constructor(name: string, args: SandboxExpiryArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SANDBOX_EXPIRY_TYPE, name, {}, opts);
    const { spec, account } = args;
    if (!needsExpirySchedule(spec)) throw new Error('SandboxExpiry needs a sandbox spec with expiresAt');
    const child = { parent: this };

    // Schedules take no tags; their group does (the provider's default tags).
    const group = new ScheduleGroup(`${name}-group`, { name: `jitsi-eu-${spec.stack}` }, child);
    const principal = getServicePrincipalOutput({ serviceName: 'scheduler', region: account.region }, child);
    const role = new Role(`${name}-role`, {
      description: `jitsi-eu ${spec.stack}: stops the sandbox at its expiry`,
      assumeRolePolicy: principal.name.apply((service) => JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: service },
          Action: 'sts:AssumeRole',
          // Only schedules of this account may use the role (confused-deputy guard).
          Condition: { StringEquals: { 'aws:SourceAccount': account.accountId } },
        }],
      })),
    }, child);
    const policy = new RolePolicy(`${name}-stop`, {
      role: role.name,
      policy: pulumi.all([args.signalingInstanceId, args.bridgeGroupName]).apply(([instanceId, groupName]) =>
        JSON.stringify(expiryPolicyDocument(account, instanceId, groupName))),
    }, child);

    const common = {
      groupName: group.name,
      scheduleExpression: atExpression(spec.expiresAt),
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      actionAfterCompletion: 'NONE',
    };
    // The role must be able to act before the schedule can fire.
    const afterPolicy = { parent: this, dependsOn: [policy] };
    new Schedule(`${name}-${STOP_SIGNALING_SCHEDULE}`, {
      ...common,
      name: STOP_SIGNALING_SCHEDULE,
      description: `jitsi-eu ${spec.stack}: stop the signaling node at the sandbox's expiry`,
      target: {
        arn: universalTarget(account, 'ec2', 'stopInstances'),
        roleArn: role.arn,
        input: pulumi.output(args.signalingInstanceId).apply((id) => JSON.stringify({ InstanceIds: [id] })),
      },
    }, afterPolicy);
    if (args.bridgeGroupName) {
      new Schedule(`${name}-${STOP_BRIDGES_SCHEDULE}`, {
        ...common,
        name: STOP_BRIDGES_SCHEDULE,
        description: `jitsi-eu ${spec.stack}: empty the bridge pool at the sandbox's expiry`,
        target: {
          arn: universalTarget(account, 'autoscaling', 'updateAutoScalingGroup'),
          roleArn: role.arn,
          input: pulumi.output(args.bridgeGroupName).apply((groupName) =>
            JSON.stringify({ AutoScalingGroupName: groupName, MinSize: 0, DesiredCapacity: 0 })),
        },
      }, afterPolicy);
    }

    this.scheduleGroupName = group.name;
    this.registerOutputs({ scheduleGroupName: this.scheduleGroupName });
  }
}

// The AWS actions a deploy (and its teardown) needs, by what the Pulumi program creates in
// infra/aws/, and the IAM policy simulation that tells whether the caller may perform them.

/** Route53 actions only matter when the stack has a jitsi-eu:dnsZone. */
export const DNS_ACTIONS = ['route53:ListHostedZones', 'route53:ChangeResourceRecordSets', 'route53:GetChange', 'route53:ListResourceRecordSets'];

export const DEPLOY_ACTIONS = [
  // Network, firewall, addresses and instances (network.ts, firewall.ts, signaling-node.ts, ami.ts)
  'ec2:DescribeImages',
  'ec2:DescribeAvailabilityZones',
  'ec2:CreateVpc',
  'ec2:CreateSubnet',
  'ec2:CreateInternetGateway',
  'ec2:AttachInternetGateway',
  'ec2:CreateRouteTable',
  'ec2:CreateRoute',
  'ec2:AssociateRouteTable',
  'ec2:CreateSecurityGroup',
  'ec2:AuthorizeSecurityGroupIngress',
  'ec2:AllocateAddress',
  'ec2:AssociateAddress',
  'ec2:CreateNetworkInterface',
  'ec2:RunInstances',
  'ec2:CreateTags',
  'ec2:DescribeInstances',
  'ec2:TerminateInstances',
  'ec2:ReleaseAddress',
  'ec2:DeleteVpc',
  // Bridge pool (bridge-pool.ts)
  'ec2:CreateLaunchTemplate',
  'autoscaling:CreateAutoScalingGroup',
  'autoscaling:PutLifecycleHook',
  'autoscaling:PutScalingPolicy',
  'autoscaling:DeleteAutoScalingGroup',
  // A sandbox's expiry schedules (sandbox-expiry.ts)
  'scheduler:CreateScheduleGroup',
  'scheduler:CreateSchedule',
  // Instance role (instance-role.ts)
  'iam:CreateRole',
  'iam:PutRolePolicy',
  'iam:AttachRolePolicy',
  'iam:CreatePolicy',
  'iam:CreateInstanceProfile',
  'iam:AddRoleToInstanceProfile',
  'iam:PassRole',
  'iam:DeleteRole',
  // Configuration bundles and their delivery to the hosts (bundle-delivery.ts)
  's3:CreateBucket',
  's3:PutBucketVersioning',
  's3:PutEncryptionConfiguration',
  's3:PutBucketPublicAccessBlock',
  's3:PutBucketPolicy',
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteBucket',
  // Emptying the versioned bucket (pulumi destroy's force-destroy, teardown --purge)
  's3:ListBucketVersions',
  's3:DeleteObjectVersion',
  'ssm:CreateAssociation',
  'ssm:UpdateAssociation',
  'ssm:DeleteAssociation',
  // Secrets and host accounts (secrets.ts, npm run accounts), and the commands deploy, status,
  // accounts and rotate run on the hosts through SSM
  'ssm:PutParameter',
  'ssm:GetParameter',
  'ssm:DescribeParameters',
  'ssm:DeleteParameter',
  'ssm:AddTagsToResource',
  'ssm:SendCommand',
  'ssm:GetCommandInvocation',
  // A new bridge password reaches the pool through an instance refresh (npm run rotate)
  'autoscaling:StartInstanceRefresh',
  // The orphan check of teardown
  'tag:GetResources',
];

/** The IAM principal to simulate for a caller ARN from STS, or undefined for the root user. */
export function principalToSimulate(callerArn: string): string | undefined {
  const [, partition, service, , account, resource = ''] = callerArn.split(':');
  if (resource === 'root') return undefined;
  if (service === 'sts' && resource.startsWith('assumed-role/')) {
    const role = resource.split('/')[1];
    return `arn:${partition}:iam::${account}:role/${role}`;
  }
  return callerArn;
}

export interface SimulationResult {
  denied: string[];
}

/** Runs IAM's policy simulation for the actions, page by page; throws when IAM refuses to simulate. */
export async function simulateActions(principalArn: string, actions: readonly string[], region: string): Promise<SimulationResult> {
  const { IAMClient, SimulatePrincipalPolicyCommand } = await import('@aws-sdk/client-iam');
  const iam = new IAMClient({ region, maxAttempts: 2 });
  const denied: string[] = [];
  try {
    let marker: string | undefined;
    do {
      const page = await iam.send(
        new SimulatePrincipalPolicyCommand({ PolicySourceArn: principalArn, ActionNames: [...actions], ...(marker ? { Marker: marker } : {}) }),
        { abortSignal: AbortSignal.timeout(20_000) },
      );
      for (const result of page.EvaluationResults ?? []) {
        if (result.EvalDecision !== 'allowed' && result.EvalActionName) denied.push(result.EvalActionName);
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
  } finally {
    iam.destroy();
  }
  return { denied };
}

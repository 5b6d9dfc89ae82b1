// The AWS API clients the orphan check and the purge use, for one region. Endpoints come from the
// SDK's usual settings, so AWS_ENDPOINT_URL (an emulator, a VPC endpoint) works unchanged.
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

export interface AwsClients {
  region: string;
  ec2: EC2Client;
  ssm: SSMClient;
  /** The stack's configuration-bundle bucket lives in its region. */
  s3: S3Client;
  route53: Route53Client;
  tagging: ResourceGroupsTaggingAPIClient;
  autoscaling: AutoScalingClient;
  /** IAM is global; the SDK picks its endpoint from the region's partition. */
  iam: IAMClient;
  sts: STSClient;
}

export function awsClients(region: string): AwsClients {
  const config = { region, maxAttempts: 5 };
  return {
    region,
    ec2: new EC2Client(config),
    ssm: new SSMClient(config),
    s3: new S3Client(config),
    // Route53 is global; the SDK signs it for us-east-1 whatever region is given.
    route53: new Route53Client(config),
    tagging: new ResourceGroupsTaggingAPIClient(config),
    autoscaling: new AutoScalingClient(config),
    iam: new IAMClient(config),
    sts: new STSClient(config),
  };
}

export function closeClients(clients: AwsClients): void {
  for (const client of [clients.ec2, clients.ssm, clients.s3, clients.route53, clients.tagging, clients.autoscaling, clients.iam, clients.sts]) client.destroy();
}

export interface CallerIdentity {
  account: string;
  partition: string;
  arn: string;
}

export async function callerIdentity(clients: AwsClients): Promise<CallerIdentity> {
  const who = await clients.sts.send(new GetCallerIdentityCommand({}));
  const arn = who.Arn ?? '';
  return { account: who.Account ?? '', partition: arn.split(':')[1] || 'aws', arn };
}

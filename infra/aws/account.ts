// Where the program runs: partition, its DNS suffix and the account id, from AWS itself, so that
// no ARN in jitsi-eu spells out `aws` or an account number (the AWS European Sovereign Cloud is
// the `aws-eusc` partition).
import type * as pulumi from '@pulumi/pulumi';
import { getCallerIdentity } from '@pulumi/aws/getCallerIdentity.js';
import { getPartition } from '@pulumi/aws/getPartition.js';
import { getServicePrincipal } from '@pulumi/aws/getServicePrincipal.js';

export interface AwsAccount {
  partition: string;
  /** e.g. `amazonaws.com`; service endpoints are `<service>.<region>.<dnsSuffix>`. */
  dnsSuffix: string;
  accountId: string;
  region: string;
  /** The principal EC2 instances assume roles as, in this partition. */
  ec2Principal: string;
}

export async function lookupAccount(region: string, provider: pulumi.ProviderResource): Promise<AwsAccount> {
  const opts = { provider };
  const [partition, identity, ec2] = await Promise.all([
    getPartition({}, opts),
    getCallerIdentity({}, opts),
    getServicePrincipal({ serviceName: 'ec2', region }, opts),
  ]);
  return { partition: partition.partition, dnsSuffix: partition.dnsSuffix, accountId: identity.accountId, region, ec2Principal: ec2.name };
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` for this account and region. */
export function arnFor(account: AwsAccount, service: string, resource: string, scope: { global?: boolean } = {}): string {
  return `arn:${account.partition}:${service}:${scope.global ? '' : account.region}:${account.accountId}:${resource}`;
}

/** An AWS managed IAM policy in this partition. */
export function managedPolicyArn(account: Pick<AwsAccount, 'partition'>, name: string): string {
  return `arn:${account.partition}:iam::aws:policy/${name}`;
}

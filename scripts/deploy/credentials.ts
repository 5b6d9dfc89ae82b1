// Preflight for AWS: are there credentials, and do they work? Asked once, before Pulumi or the
// orphan check starts, so a missing login is an exit 2 with instructions rather than a stack trace
// halfway through an update.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { UsageError } from '../lib/cli.ts';

export interface AwsIdentity {
  account: string;
  arn: string;
  partition: string;
}

const HOW_TO = [
  'Set AWS credentials for the account jitsi-eu deploys into, then run the command again, e.g.:',
  '  export AWS_PROFILE=jitsi-eu            # a profile from ~/.aws/config (after aws sso login, if it uses SSO)',
  '  or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary keys)',
];

/** Calls STS GetCallerIdentity in the given region within `timeoutMs`; a UsageError says what to set. */
export async function requireAwsCredentials(region: string, timeoutMs = 15_000): Promise<AwsIdentity> {
  const sts = new STSClient({ region, maxAttempts: 2 });
  try {
    const who = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(timeoutMs) });
    const arn = who.Arn ?? '';
    return { account: who.Account ?? '', arn, partition: arn.split(':')[1] || 'aws' };
  } catch (error) {
    const e = error as { name?: string; message?: string };
    const reason =
      e.name === 'CredentialsProviderError'
        ? 'no AWS credentials were found'
        : e.name === 'TimeoutError' || e.name === 'AbortError'
          ? `AWS did not answer within ${Math.round(timeoutMs / 1000)} s`
          : `AWS refused the credentials (${e.name ?? 'error'}: ${e.message ?? String(error)})`;
    const endpoint = process.env.AWS_ENDPOINT_URL ? [`(AWS_ENDPOINT_URL is set to ${process.env.AWS_ENDPOINT_URL})`] : [];
    throw new UsageError([`${reason}.`, ...endpoint, ...HOW_TO]);
  } finally {
    sts.destroy();
  }
}

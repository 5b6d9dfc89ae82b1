// --aws asks the AWS API with the caller's credentials. They are tried once, before any check runs,
// so a missing or refused login is one line and exit 2, like every other command, instead of a
// FAIL on each AWS check.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { UsageError } from '../../lib/cli.ts';

const SET_THEM = 'set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or leave out --aws';

/** Calls STS GetCallerIdentity; throws a one-line UsageError saying what is missing. */
export async function requireAwsAccess(request: { region: string; endpoint?: string; timeoutMs: number }): Promise<void> {
  const sts = new STSClient({ region: request.region, maxAttempts: 1, ...(request.endpoint ? { endpoint: request.endpoint } : {}) });
  try {
    await sts.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(request.timeoutMs) });
  } catch (error) {
    const e = error as { name?: string; message?: string };
    const message = (e.message ?? String(error)).split('\n')[0];
    if (e.name === 'CredentialsProviderError') throw new UsageError(`--aws: no AWS credentials were found; ${SET_THEM}`);
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      throw new UsageError(`--aws: AWS STS did not answer within ${Math.round(request.timeoutMs / 1000)} s in ${request.region}; check the network (and AWS_ENDPOINT_URL)`);
    }
    throw new UsageError(`--aws: AWS refused the credentials (${e.name ?? 'error'}: ${message}); ${SET_THEM}`);
  } finally {
    sts.destroy();
  }
}

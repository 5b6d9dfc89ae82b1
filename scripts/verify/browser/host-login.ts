// How verify's browser logs in as a host on a secure-auth deployment, so the lobby and media
// checks can run there: the account comes from a file (--host-credentials) or, with --aws, from
// the SSM parameter the deployment keeps the host account's password in. The password is only
// ever handed to the host's browser context; it is never printed, logged or put in a URL.
//
// The app signs in with a stored username and password when local storage holds
// `xmpp_username_override` / `xmpp_password_override` (jitsi-meet
// react/features/base/connection/actions.web.ts, connect(): the way Jibri logs in); a bare user
// name gets the deployment's XMPP domain appended (react/features/base/connection/functions.ts,
// toJid). verify writes both keys before the app's scripts run, in the host's context only.
import { readFileSync, statSync } from 'node:fs';
import { HOST_ACCOUNT_USERNAME } from '../../../infra/render/paths.ts';
import { ssmParameterName } from '../../../infra/secrets.ts';
import { UsageError } from '../../lib/cli.ts';

export interface HostCredentials {
  user: string;
  password: string;
}

const FORMAT_HINT = 'the file holds the user name on its first line and the password on its second';

/**
 * Reads a host credentials file: user on the first line, password on the second. Like ssh with a
 * private key, refuses a file that other users can read. Errors name the file, never its content.
 */
export function readHostCredentialsFile(path: string): HostCredentials {
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--host-credentials ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'}); ${FORMAT_HINT}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new UsageError([
      `--host-credentials ${path}: other users can read it (mode ${(mode & 0o777).toString(8)}); a password file must be private`,
      `run: chmod 600 ${path}`,
    ]);
  }
  const [user = '', password = ''] = text.split(/\r?\n/);
  if (!user.trim() || !password) throw new UsageError(`--host-credentials ${path}: ${FORMAT_HINT}`);
  return { user: user.trim(), password };
}

/** The host account of a secure-auth stack, its password read from the stack's SSM parameter. */
export async function hostCredentialsFromSsm(request: { stack: string; region: string; endpoint?: string; signal: AbortSignal }): Promise<HostCredentials> {
  const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
  const ssm = new SSMClient({ region: request.region, ...(request.endpoint ? { endpoint: request.endpoint } : {}), maxAttempts: 2 });
  const name = ssmParameterName(request.stack, 'host-password');
  try {
    const answer = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }), { abortSignal: request.signal });
    const password = answer.Parameter?.Value;
    if (!password) throw new Error('the parameter is empty');
    return { user: HOST_ACCOUNT_USERNAME, password };
  } catch (error) {
    throw new Error(`cannot read the host account's password from SSM parameter ${name} in ${request.region}: ${(error as Error).name === 'Error' ? (error as Error).message : (error as Error).name}`);
  } finally {
    ssm.destroy();
  }
}

/** Script for the host's browser context: stores the login the app will use, before it starts. */
export function hostLoginScript(credentials: HostCredentials): string {
  return `(() => {
  try {
    window.localStorage.setItem('xmpp_username_override', ${JSON.stringify(credentials.user)});
    window.localStorage.setItem('xmpp_password_override', ${JSON.stringify(credentials.password)});
  } catch (e) {}
})();`;
}

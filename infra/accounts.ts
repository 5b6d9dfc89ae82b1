// Host accounts of a secure-mode stack: people who may open meetings. Each is an SSM SecureString
// under the stack's own path (the password), so it outlives any host; the signaling host makes
// Prosody's accounts match these parameters (templates/os/accounts.sh.hbs).
import { HOST_ACCOUNT_USERNAME } from './render/paths.ts';
import { ssmParameterName, ssmPrefix } from './secrets.ts';

/** The XMPP local parts jitsi-eu creates: short, lower case, nothing Prosody would escape oddly. */
export const ACCOUNT_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const ACCOUNT_NAME_RULE = '1 to 64 of a-z, 0-9, ".", "_" and "-", starting with a letter or digit';

/** `/jitsi-eu/<stack>/accounts/`: the parameters below it are the stack's host accounts. */
export function accountsPrefix(stack: string): string {
  return `${ssmPrefix(stack)}accounts/`;
}

export function accountParameterName(stack: string, account: string): string {
  return `${accountsPrefix(stack)}${account}`;
}

/**
 * The first host account, made with the stack by Pulumi: its password is the `host-password`
 * secret, not a parameter under accounts/.
 */
export const STACK_HOST_ACCOUNT = HOST_ACCOUNT_USERNAME;

export function stackHostAccountParameter(stack: string): string {
  return ssmParameterName(stack, 'host-password');
}

/** Why a name cannot be an account, or undefined when it can. */
export function accountNameProblem(name: string): string | undefined {
  if (ACCOUNT_NAME_PATTERN.test(name)) return undefined;
  return `is not an account name jitsi-eu accepts: ${ACCOUNT_NAME_RULE}`;
}

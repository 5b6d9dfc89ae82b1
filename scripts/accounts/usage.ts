// accounts' command line: what it accepts, and the parsed options. Loads no AWS SDK, so --help
// and argument errors answer at once.
import { ACCOUNT_NAME_RULE, STACK_HOST_ACCOUNT, accountNameProblem } from '../../infra/accounts.ts';
import { UsageError, checkStackName, parseCliOrHelp } from '../lib/cli.ts';

export const ACCOUNTS_USAGE = `Usage: npm run accounts -- list --stack NAME [--json]
       npm run accounts -- add ACCOUNT --stack NAME [--json]
       npm run accounts -- reset-password ACCOUNT --stack NAME [--json]
       npm run accounts -- remove ACCOUNT --stack NAME [--yes] [--json]
       npm run accounts -- secret host-password|jwt-app-secret --stack NAME [--json]

Host accounts of a secure stack (jitsi-eu:auth: secure): the people who sign in to open a
meeting, as ACCOUNT@DOMAIN. After each change the signaling host brings Prosody's accounts in
line (accounts.sh sync) and the command reports what it said.
  AWS: each account is a SecureString in SSM Parameter Store (/jitsi-eu/NAME/accounts/ACCOUNT), so
  accounts outlive any host; the host is asked through SSM Run Command, and one that does not
  answer picks the change up at its next sync or boot.
  Hetzner Cloud, OpenStack: each account is a file on the signaling node (under
  /var/lib/jitsi-eu/secrets/accounts/, root only), written through the stack's channel (a signed
  HTTPS request to the node). They live on that node only: when deploy replaces it (a new release,
  image or server type), it reads them first and writes them on the new node once it is ready.

  list             the accounts, with when each was last changed; "host" is the stack's own
                   account (its password is the stack secret host-password: remove and
                   reset-password leave it alone)
  add              a new account with a generated password
  reset-password   a new generated password; the old one stops working
  remove           the account is deleted and its open sessions end: its owner is signed out
                   and cannot sign in again
  secret           shows a secret the operator needs, on any cloud: host-password (the "host"
                   account's password, secure stacks) or jwt-app-secret (the secret your platform
                   signs tokens with, JWT stacks). AWS reads it from SSM; Hetzner Cloud and
                   OpenStack from the signaling node, which made it at its first boot

A generated password or a secret is shown once, on stdout: on a terminal, or in the JSON of
--json. It is not stored on this machine and not logged; off a terminal without --json the
command refuses, so that it cannot end up unseen in a pipe or a file.

Account names: ${ACCOUNT_NAME_RULE}.

Options:
  --stack NAME       the stack (Pulumi.NAME.yaml next to Pulumi.yaml)
  --json             print one JSON object on stdout
  --yes              remove without asking (needed when not on a terminal)
  --timeout SECONDS  how long to wait for the signaling host to answer (default 60)
  -h, --help         show this help

Environment: AWS credentials as for deploy (AWS_ENDPOINT_URL is honoured); on Hetzner Cloud and
OpenStack, the stack's Pulumi passphrase (PULUMI_CONFIG_PASSPHRASE or _FILE): the channel's key
is a secret output of the stack. JITSI_EU_CHANNEL_CA as for deploy.

Exit codes: 0 done (stored and applied on the signaling host, or no host runs now; or the secret
shown); 1 the account is not there (or already is), the change is stored but the host failed or
did not answer, or the signaling node could not be reached; 2 bad arguments, not a secure stack
(or no such secret on it), no confirmation, or missing credentials.`;

/** The secrets an operator may read: the others never leave the stack's hosts and parameter store. */
export const OPERATOR_SECRETS = ['host-password', 'jwt-app-secret'] as const;
export type OperatorSecret = (typeof OPERATOR_SECRETS)[number];

export type AccountsAction = 'list' | 'add' | 'reset-password' | 'remove' | 'secret';

export interface AccountsOptions {
  action: AccountsAction;
  stack: string;
  /** Every action but list and secret names one account. */
  account?: string;
  /** For secret: which one. */
  secret?: OperatorSecret;
  json: boolean;
  yes: boolean;
  timeoutMs: number;
}

const ACTIONS: readonly AccountsAction[] = ['list', 'add', 'reset-password', 'remove', 'secret'];
export const DEFAULT_TIMEOUT_SECONDS = 60;

/** argv → options; undefined after printing --help. */
export function parseAccountsArgs(argv: string[], out?: (text: string) => void): AccountsOptions | undefined {
  const parsed = parseCliOrHelp(
    argv,
    { stack: { type: 'string' }, json: { type: 'boolean' }, yes: { type: 'boolean' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    ACCOUNTS_USAGE,
    out,
  );
  if (!parsed) return undefined;
  const { values, positionals } = parsed;
  const [action, account, ...extra] = positionals;
  if (!action) throw new UsageError([`missing what to do: one of ${ACTIONS.join(', ')}`, 'run with --help for usage']);
  if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError([`unknown action ${action}: give one of ${ACTIONS.join(', ')}`, 'run with --help for usage']);
  if (!values.stack) throw new UsageError([`missing --stack NAME: whose accounts?`, 'run with --help for usage']);
  const stack = checkStackName(values.stack);
  if (action === 'secret') {
    if (!(OPERATOR_SECRETS as readonly string[]).includes(account ?? '')) {
      throw new UsageError([`${account === undefined ? 'missing which secret' : `unknown secret ${account}`}: give one of ${OPERATOR_SECRETS.join(', ')}`, 'run with --help for usage']);
    }
    if (extra.length > 0) throw new UsageError([`unexpected argument ${extra[0]}`, 'run with --help for usage']);
    return { action, stack, secret: account as OperatorSecret, json: Boolean(values.json), yes: false, timeoutMs: timeoutFrom(values.timeout) };
  }
  if (action === 'list') {
    if (account !== undefined) throw new UsageError([`unexpected argument ${account}: list takes no account name`, 'run with --help for usage']);
  } else {
    if (account === undefined) throw new UsageError([`missing the account: npm run accounts -- ${action} ACCOUNT --stack ${stack}`, 'run with --help for usage']);
    const problem = accountNameProblem(account);
    if (problem) throw new UsageError(`account ${JSON.stringify(account)} ${problem} (e.g. alice or j.smith)`);
    if (account === STACK_HOST_ACCOUNT && action !== 'add') {
      throw new UsageError([
        `${action} ${account}: "${account}" is the stack's own account; its password is the stack secret host-password, which the stack manages (npm run accounts -- secret host-password --stack ${stack} shows it).`,
        'Give each person an account of their own instead (npm run accounts -- add NAME), and keep "host" for the first sign-in.',
      ]);
    }
    if (account === STACK_HOST_ACCOUNT) throw new UsageError(`add ${account}: "${account}" is the stack's own account and exists already; choose another name`);
  }
  if (extra.length > 0) throw new UsageError([`unexpected argument ${extra[0]}`, 'run with --help for usage']);
  return { action: action as AccountsAction, stack, ...(account !== undefined ? { account } : {}), json: Boolean(values.json), yes: Boolean(values.yes), timeoutMs: timeoutFrom(values.timeout) };
}

function timeoutFrom(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS * 1000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout ${value}: give a positive number of seconds, e.g. --timeout 90`);
  return seconds * 1000;
}

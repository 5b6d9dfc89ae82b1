// accounts' command line: what it accepts, and the parsed options. Loads no AWS SDK, so --help
// and argument errors answer at once.
import { ACCOUNT_NAME_RULE, STACK_HOST_ACCOUNT, accountNameProblem } from '../../infra/accounts.ts';
import { UsageError, checkStackName, parseCliOrHelp } from '../lib/cli.ts';

export const ACCOUNTS_USAGE = `Usage: npm run accounts -- list --stack NAME [--json]
       npm run accounts -- add ACCOUNT --stack NAME [--json]
       npm run accounts -- reset-password ACCOUNT --stack NAME [--json]
       npm run accounts -- remove ACCOUNT --stack NAME [--yes] [--json]

Host accounts of a secure stack (jitsi-eu:auth: secure): the people who sign in to open a
meeting, as ACCOUNT@DOMAIN. Each is kept in SSM Parameter Store under the stack's own path
(/jitsi-eu/NAME/accounts/ACCOUNT, a SecureString holding the password), so accounts outlive any
host. After each change the signaling host is asked, through SSM Run Command, to bring Prosody's
accounts in line (accounts.sh sync); a host that does not answer picks the change up at its next
sync or boot.

  list             the accounts, with when each was last changed; "host" is the stack's own
                   account (its password is the stack secret /jitsi-eu/NAME/host-password, which
                   Pulumi manages: remove and reset-password leave it alone)
  add              a new account with a generated password
  reset-password   a new generated password; the old one stops working
  remove           the account is deleted and its open sessions end: its owner is signed out
                   and cannot sign in again

A generated password is shown once, on stdout: on a terminal, or in the JSON of --json. It is not
stored on this machine and not logged; off a terminal without --json the command refuses, so that
the password cannot end up unseen in a pipe or a file.

Account names: ${ACCOUNT_NAME_RULE}.

Options:
  --stack NAME       the stack (Pulumi.NAME.yaml next to Pulumi.yaml)
  --json             print one JSON object on stdout
  --yes              remove without asking (needed when not on a terminal)
  --timeout SECONDS  how long to wait for the signaling host to answer (default 60)
  -h, --help         show this help

Environment: AWS credentials as for deploy; AWS_ENDPOINT_URL is honoured.

AWS stacks only: on Hetzner Cloud and OpenStack jitsi-eu has no channel to the hosts, so the command
refuses such a stack (exit 2) and says what to do instead.

Exit codes: 0 done (stored in SSM and applied on the signaling host, or no host runs now);
1 the account is not there (or already is), or the change is stored but the host failed or did
not answer; 2 bad arguments, not a secure stack, no confirmation, or no AWS credentials.`;

export type AccountsAction = 'list' | 'add' | 'reset-password' | 'remove';

export interface AccountsOptions {
  action: AccountsAction;
  stack: string;
  /** Every action but list names one account. */
  account?: string;
  json: boolean;
  yes: boolean;
  timeoutMs: number;
}

const ACTIONS: readonly AccountsAction[] = ['list', 'add', 'reset-password', 'remove'];
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
  if (action === 'list') {
    if (account !== undefined) throw new UsageError([`unexpected argument ${account}: list takes no account name`, 'run with --help for usage']);
  } else {
    if (account === undefined) throw new UsageError([`missing the account: npm run accounts -- ${action} ACCOUNT --stack ${stack}`, 'run with --help for usage']);
    const problem = accountNameProblem(account);
    if (problem) throw new UsageError(`account ${JSON.stringify(account)} ${problem} (e.g. alice or j.smith)`);
    if (account === STACK_HOST_ACCOUNT && action !== 'add') {
      throw new UsageError([
        `${action} ${account}: "${account}" is the stack's own account; its password is the stack secret /jitsi-eu/${stack}/host-password, which Pulumi manages.`,
        'Give each person an account of their own instead (npm run accounts -- add NAME), and keep "host" for the first sign-in.',
      ]);
    }
    if (account === STACK_HOST_ACCOUNT) throw new UsageError(`add ${account}: "${account}" is the stack's own account and exists already; choose another name`);
  }
  if (extra.length > 0) throw new UsageError([`unexpected argument ${extra[0]}`, 'run with --help for usage']);
  let seconds = DEFAULT_TIMEOUT_SECONDS;
  if (values.timeout !== undefined) {
    seconds = Number(values.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout ${values.timeout}: give a positive number of seconds, e.g. --timeout 90`);
  }
  return { action: action as AccountsAction, stack, ...(account !== undefined ? { account } : {}), json: Boolean(values.json), yes: Boolean(values.yes), timeoutMs: seconds * 1000 };
}

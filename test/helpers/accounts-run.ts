// npm run accounts in-process, with the parts a test stands in (the stack's spec, its credentials,
// the way to its hosts, the operator's answer) and everything it prints collected.
import { type AccountsDeps } from '../../scripts/accounts/deps.ts';
import { accountsMain } from '../../scripts/accounts/main.ts';
import { generatePassword } from '../../scripts/accounts/password.ts';
import { parseAccountsArgs } from '../../scripts/accounts/usage.ts';

export interface AccountsRun {
  code: number;
  out: string;
  /** stderr and progress together: where a password must never appear. */
  err: string;
}

export type StoodInDeps = Pick<AccountsDeps, 'loadSpec' | 'requireCredentials' | 'openStack' | 'confirm'>;

/** Runs the command with `argv`; `terminal`: whether stdout is a terminal. */
export async function runAccounts(argv: string[], stoodIn: StoodInDeps, terminal = false): Promise<AccountsRun> {
  const parsed = parseAccountsArgs(argv);
  if (!parsed) throw new Error('--help');
  const run: AccountsRun = { code: -1, out: '', err: '' };
  run.code = await accountsMain(parsed, {
    ...stoodIn,
    generatePassword,
    stdoutIsTerminal: terminal,
    out: (text) => (run.out += text),
    err: (text) => (run.err += text),
    progress: (message) => (run.err += `${message}\n`),
  });
  return run;
}

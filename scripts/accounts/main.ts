// `npm run accounts`: changes the stack's host accounts where the stack keeps them (SSM on AWS, the
// signaling node elsewhere), then asks the signaling host to apply them, and says what happened;
// or shows an operator-facing secret. A generated password or a secret goes to stdout once,
// nowhere else.
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { EXIT, UsageError, renderTable, style } from '../lib/cli.ts';
import { REAL_ACCOUNTS_DEPS, type AccountsDeps, type AccountsStack } from './deps.ts';
import { syncSignalingHost, type HostSync } from './host-sync.ts';
import { AccountStateError, type StoredAccount } from './store.ts';
import { ChannelStoreError } from './channel-store.ts';
import type { AccountsOptions, OperatorSecret } from './usage.ts';

interface ChangeReport {
  stack: string;
  action: AccountsOptions['action'];
  account: string;
  jid: string;
  /** Only for add and reset-password, and only on stdout. */
  password?: string;
  host: HostSync;
}

export async function accountsMain(options: AccountsOptions, deps: AccountsDeps = REAL_ACCOUNTS_DEPS): Promise<number> {
  const spec = deps.loadSpec(options.stack);
  const shows = options.action === 'add' || options.action === 'reset-password' ? 'the new password' : options.action === 'secret' ? 'the secret' : undefined;
  if (options.action === 'secret') refuseMissingSecret(spec, options.secret!);
  else if (spec.auth !== 'secure') {
    throw new UsageError([
      `stack ${spec.stack} signs hosts in with jitsi-eu:auth: ${spec.auth}: host accounts exist only on secure stacks.`,
      spec.auth === 'jwt' ? 'Hosts of a JWT stack arrive with a token from your platform; there is no account to manage.' : 'Set jitsi-eu:auth: secure in the stack file and deploy to give hosts accounts.',
    ]);
  }
  if (shows && !options.json && !deps.stdoutIsTerminal) {
    throw new UsageError([
      `${options.action} shows ${shows} once, on a terminal; stdout is not one, so it would go unseen into a pipe or file.`,
      `Run it on a terminal, or add --json to take it from the JSON output in a script.`,
    ]);
  }
  if (spec.cloud === 'aws') await deps.requireCredentials(spec.region);
  const stack = await deps.openStack(spec, options.timeoutMs);
  try {
    if (options.action === 'secret') return await secret(stack, options, options.secret!, deps);
    if (options.action === 'list') return await list(stack, options, spec.domain, deps);
    return await change(stack, options, spec.domain, deps);
  } catch (error) {
    if (error instanceof ChannelStoreError) {
      deps.err(`${style.fail('error:', process.stderr)} ${error.message}\n`);
      return EXIT.FAILED;
    }
    if (!(error instanceof AccountStateError)) throw error;
    deps.err(`${style.fail('error:', process.stderr)} ${error.message} in stack ${spec.stack}: npm run accounts -- list --stack ${spec.stack} shows them\n`);
    return EXIT.FAILED;
  } finally {
    stack.close();
  }
}

async function list(stack: AccountsStack, options: AccountsOptions, domain: string, deps: AccountsDeps): Promise<number> {
  const accounts = await stack.store.list();
  if (options.json) {
    deps.out(`${JSON.stringify({ stack: options.stack, accounts: accounts.map((a) => ({ ...a, jid: `${a.name}@${domain}` })) }, null, 2)}\n`);
  } else {
    const note = (a: StoredAccount) => (a.stackAccount ? "the stack's own account (Pulumi's host-password)" : '');
    deps.out(`${renderTable(['account', 'signs in as', 'last changed', 'note'], accounts.map((a) => [a.name, `${a.name}@${domain}`, a.changed ?? '', note(a)]))}\n`);
  }
  return EXIT.OK;
}

async function change(stack: AccountsStack, options: AccountsOptions, domain: string, deps: AccountsDeps): Promise<number> {
  const account = options.account!;
  const jid = `${account}@${domain}`;
  let password: string | undefined;
  if (options.action === 'add') {
    password = deps.generatePassword();
    await stack.store.add(account, password);
  } else if (options.action === 'reset-password') {
    password = deps.generatePassword();
    await stack.store.resetPassword(account, password);
  } else {
    if (!(await stack.store.exists(account))) throw new AccountStateError(`there is no account ${account}`);
    if (!options.yes) {
      const ok = await deps.confirm(`Remove ${jid} from stack ${options.stack}? Its owner is signed out and cannot sign in again. Type the account name to confirm [${account}]:`, account);
      if (!ok) throw new UsageError('not confirmed: nothing was changed');
    }
    await stack.store.remove(account);
  }
  deps.progress(`stored ${stack.storedWhere === 'SSM' ? 'in SSM' : stack.storedWhere}; asking the signaling host to apply it (accounts.sh sync)`);
  const host = await syncSignalingHost(stack.hosts, await stack.signalingHosts(), `jitsi-eu accounts ${options.action} ${account}`, options.timeoutMs);
  const report: ChangeReport = { stack: options.stack, action: options.action, account, jid, ...(password ? { password } : {}), host };
  deps.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : changeText(report));
  return host.state === 'applied' || host.state === 'no-host' ? EXIT.OK : EXIT.FAILED;
}

const DONE: Record<AccountsOptions['action'], string> = {
  list: '',
  add: 'added',
  'reset-password': 'has a new password',
  remove: 'removed',
  secret: '',
};

const SECRET_AUTH: Record<OperatorSecret, { auth: DeploymentSpec['auth']; what: string }> = {
  'host-password': { auth: 'secure', what: 'the password of the stack\'s own "host" account' },
  'jwt-app-secret': { auth: 'jwt', what: 'the secret your platform signs meeting tokens with' },
};

/** A secret the stack's auth mode does not have is a usage error, not a failed read. */
function refuseMissingSecret(spec: DeploymentSpec, name: OperatorSecret): void {
  const { auth, what } = SECRET_AUTH[name];
  if (spec.auth === auth) return;
  throw new UsageError([
    `stack ${spec.stack} uses jitsi-eu:auth: ${spec.auth}, so it has no ${name} (${what}): only stacks with jitsi-eu:auth: ${auth} have one.`,
    spec.auth === 'secure' ? `Its secret is host-password: npm run accounts -- secret host-password --stack ${spec.stack}` : spec.auth === 'jwt' ? `Its secret is jwt-app-secret: npm run accounts -- secret jwt-app-secret --stack ${spec.stack}` : 'An open stack has no operator secret.',
  ]);
}

async function secret(stack: AccountsStack, options: AccountsOptions, name: OperatorSecret, deps: AccountsDeps): Promise<number> {
  let value: string;
  try {
    value = await stack.readSecret(name);
  } catch (error) {
    deps.err(`${style.fail('error:', process.stderr)} ${name} of stack ${options.stack}: ${(error as Error).message}\n`);
    return EXIT.FAILED;
  }
  if (options.json) {
    deps.out(`${JSON.stringify({ stack: options.stack, secret: name, value }, null, 2)}\n`);
  } else {
    deps.out(`${name} of stack ${options.stack} (${SECRET_AUTH[name].what}):\n  ${value}\n  shown this once and kept nowhere on this machine: store it where your team keeps secrets\n`);
  }
  return EXIT.OK;
}

function changeText(report: ChangeReport): string {
  const lines = [`${style.ok('✓')} ${report.jid} ${DONE[report.action]} (stack ${report.stack})`];
  if (report.password) {
    lines.push(`  password: ${report.password}`, `  shown this once and kept nowhere on this machine: hand it to ${report.account} now${report.action === 'reset-password' ? '; the old one no longer works' : ''}`);
  }
  if (report.action === 'remove') lines.push(`  ${report.account} cannot sign in again; the host ends their open sessions`);
  const { host } = report;
  if (host.state === 'applied') lines.push(`${style.ok('✓')} signaling host ${host.instanceId} applied it: ${host.said.join('; ')}`);
  else if (host.state === 'no-host') lines.push(`${style.warn('!')} ${host.detail}`);
  else lines.push(`${style.fail('✗')} signaling host ${host.instanceId} did not apply it: ${host.detail}${host.state === 'failed' ? '; it tries again at its next sync or boot' : ''}`);
  return `${lines.join('\n')}\n`;
}

// Host accounts on Hetzner Cloud and OpenStack: kept on the signaling node itself, one file per
// account holding its password (0600, root only) in the folder accounts.sh reads there
// (templates/cloud/shared/host-kept.sh.hbs, cloud_accounts). Each operation is one script sent
// through the stack's channel; a password travels only inside the script body, over TLS, and the
// host logs no script. The stack's own `host` account is the host-password secret next to it.
import { STACK_HOST_ACCOUNT } from '../../infra/accounts.ts';
import { HOST_SECRETS_DIR } from '../../infra/render/cloud-layer.ts';
import type { SendScript } from '../deploy/channel-apply.ts';
import { SYNC_SCRIPT } from './host-sync.ts';
import { AccountStateError, type HostAccountStore, type StoredAccount } from './store.ts';

/** Exit codes of the scripts below that are answers, not failures. */
const EXISTS = 3;
const MISSING = 4;

/** The folders as the host's scripts find them (the same variables and defaults as host-kept.sh). */
const FOLDERS = [`secrets=\${JITSI_EU_SECRETS_DIR:-${HOST_SECRETS_DIR}}`, 'dir=${JITSI_EU_ACCOUNTS_DIR:-$secrets/accounts}'].join('\n');

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** Shell lines writing the password into the account's file at once (a temporary file renamed over it), 0600. */
function writeLines(name: string, password: string): string[] {
  return [
    `tmp=$(mktemp "$dir"/.${quote(name)}.XXXXXX)`,
    `printf '%s' ${quote(password)} >"$tmp"`,
    'chmod 600 "$tmp"',
    `mv -f "$tmp" "$dir"/${quote(name)}`,
  ];
}

function writeScript(name: string, password: string, must: 'be-new' | 'exist'): string {
  const file = `"$dir"/${quote(name)}`;
  return [
    'set -eu',
    'umask 077',
    FOLDERS,
    'mkdir -p "$dir"',
    must === 'be-new' ? `if [ -e ${file} ]; then exit ${EXISTS}; fi` : `if [ ! -f ${file} ]; then exit ${MISSING}; fi`,
    ...writeLines(name, password),
    '',
  ].join('\n');
}

/** One line per account: name, change time (UTC, ISO 8601), and `stack` for the stack's own account. */
const LIST_SCRIPT = [
  'set -eu',
  FOLDERS,
  `if [ -f "$secrets/host-password" ]; then printf '%s\\t%s\\tstack\\n' ${STACK_HOST_ACCOUNT} "$(date -u -r "$secrets/host-password" +%Y-%m-%dT%H:%M:%SZ)"; fi`,
  'if [ -d "$dir" ]; then',
  '  for file in "$dir"/*; do',
  '    [ -f "$file" ] || continue',
  `    printf '%s\\t%s\\t-\\n' "\${file##*/}" "$(date -u -r "$file" +%Y-%m-%dT%H:%M:%SZ)"`,
  '  done',
  'fi',
  '',
].join('\n');

/** An added account with its password: what a new signaling node needs to keep it. */
export interface KeptAccount {
  name: string;
  password: string;
}

/** Every added account and its password, base64-encoded so that any byte survives the way. */
const EXPORT_SCRIPT = [
  'set -eu',
  FOLDERS,
  'if [ -d "$dir" ]; then',
  '  for file in "$dir"/*; do',
  '    [ -f "$file" ] || continue',
  `    printf '%s\t%s\n' "\${file##*/}" "$(base64 -w0 <"$file")"`,
  '  done',
  'fi',
  '',
].join('\n');

/** Writes each account on a (new) signaling node, then accounts.sh gives them all to Prosody at once. */
export function restoreScript(accounts: readonly KeptAccount[]): string {
  return ['set -eu', 'umask 077', FOLDERS, 'mkdir -p "$dir"', ...accounts.flatMap((a) => writeLines(a.name, a.password)), SYNC_SCRIPT, ''].join('\n');
}

/** A script's output: one record a line, its fields separated by tabs. */
const records = (stdout: string): string[][] => stdout.split('\n').filter(Boolean).map((line) => line.split('\t'));

/** The signaling node could not be asked, or its script failed: the accounts are as they were. */
export class ChannelStoreError extends Error {}

export class ChannelAccountStore implements HostAccountStore {
  constructor(
    private readonly send: SendScript,
    private readonly timeoutMs: number,
  ) {}

  async list(): Promise<StoredAccount[]> {
    return records(await this.run(LIST_SCRIPT, 'list the accounts'))
      .map(([name = '', changed = '', kind]) => ({ name, stackAccount: kind === 'stack', ...(changed ? { changed } : {}) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async add(name: string, password: string): Promise<void> {
    await this.run(writeScript(name, password, 'be-new'), `add ${name}`, { [EXISTS]: `account ${name} exists already` });
  }

  async resetPassword(name: string, password: string): Promise<void> {
    await this.run(writeScript(name, password, 'exist'), `set a new password for ${name}`, { [MISSING]: `there is no account ${name}` });
  }

  async remove(name: string): Promise<void> {
    const script = ['set -eu', FOLDERS, `if [ ! -f "$dir"/${quote(name)} ]; then exit ${MISSING}; fi`, `rm -f -- "$dir"/${quote(name)}`, ''].join('\n');
    await this.run(script, `remove ${name}`, { [MISSING]: `there is no account ${name}` });
  }

  /** Every added account with its password (kept in memory by the caller, never printed). */
  async exportAll(): Promise<KeptAccount[]> {
    return records(await this.run(EXPORT_SCRIPT, 'read the accounts')).map(([name = '', encoded = '']) => ({ name, password: Buffer.from(encoded, 'base64').toString('utf8') }));
  }

  /** Writes the accounts on the node and syncs them into Prosody; what accounts.sh said. */
  async restoreAll(accounts: readonly KeptAccount[]): Promise<string> {
    return this.run(restoreScript(accounts), 'write the accounts back');
  }

  async exists(name: string): Promise<boolean> {
    return (await this.list()).some((a) => a.name === name && !a.stackAccount);
  }

  /** Sends a script; its answer codes become AccountStateErrors, anything else not answered an Error. */
  private async run(script: string, what: string, answers: Record<number, string> = {}): Promise<string> {
    const answer = await this.send(script, this.timeoutMs);
    if (answer.state === 'answered') return answer.stdout;
    const known = answer.exitCode === undefined ? undefined : answers[answer.exitCode];
    if (known) throw new AccountStateError(known);
    throw new ChannelStoreError(`could not ${what} on the signaling node: ${answer.detail ?? 'no answer'}`);
  }
}

// `npm run state -- backup --stack NAME --out FILE`: the stack's state from the backend in use,
// written to a file only its owner can read.
import { writeFileSync } from 'node:fs';
import { EXIT, UsageError, style } from '../lib/cli.ts';
import { chooseBackend, redactUrl } from '../lib/workspace.ts';
import type { StateDeps } from './deps.ts';
import { readStack } from './move.ts';

export interface BackupOptions {
  stack: string;
  out: string;
  json: boolean;
}

export const BACKUP_WARNING =
  'this file holds the whole state of the stack, with its secrets encrypted by the stack passphrase (or KMS key): ' +
  'keep it as safely as the passphrase itself, and never in the same place.';

export async function backupState(options: BackupOptions, deps: StateDeps): Promise<number> {
  const pulumi = deps.pulumi(deps.env, deps.projectDir);
  const backend = chooseBackend(deps.env, deps.home);
  if (!(await pulumi.stackNames(backend.url)).includes(options.stack)) {
    throw new UsageError([`stack ${options.stack} does not exist in ${redactUrl(backend.url)}`, 'check --stack, or set PULUMI_BACKEND_URL to the backend that holds it']);
  }
  deps.progress(`exporting the state of ${options.stack}`);
  const snapshot = await readStack(pulumi, backend.url, options.stack);
  try {
    // 'wx': an earlier backup is never overwritten; 0600: readable by its owner only.
    writeFileSync(options.out, snapshot.text, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`--out ${options.out} already exists: choose another file name (an earlier backup is never overwritten)`);
    throw new UsageError(`--out ${options.out} cannot be written: ${code ?? (error as Error).message}`);
  }
  deps.note(`${style.warn('warning:', process.stderr)} ${BACKUP_WARNING}\n`);
  const report = { stack: options.stack, file: options.out, resources: snapshot.resources, backend: redactUrl(backend.url) };
  if (options.json) deps.out(`${JSON.stringify(report, null, 2)}\n`);
  else deps.out(`Backed up stack ${options.stack} (${snapshot.resources} resources) to ${options.out}.\n`);
  return EXIT.OK;
}

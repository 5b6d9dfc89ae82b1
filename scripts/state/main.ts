// npm run state -- share|backup|restore: where a stack's Pulumi state lives. Arguments are
// checked here, before the AWS SDK and zx are loaded, so --help and mistakes answer at once.
import { UsageError, parseCliOrHelp, requireStackName } from '../lib/cli.ts';
import { PulumiCommandError } from '../lib/workspace.ts';

export const STATE_USAGE = `Usage: npm run state -- share   --stack NAME [--bucket NAME] [--yes] [--json]
       npm run state -- backup  --stack NAME --out FILE [--json]
       npm run state -- restore --stack NAME --from FILE [--yes] [--json]

Pulumi state is what ties a stack to its servers in AWS. By default it is kept for one person in
~/.pulumi-jitsi-eu (or wherever PULUMI_BACKEND_URL points).

  share    Sets up an S3 bucket for the team in the stack's own region (aws:region): default
           encryption (SSE-S3), versioning, all public access blocked, ACLs off, a policy that
           lets in only your AWS account and only over TLS, and the stack's tags. An existing
           bucket of your account is fixed where it falls short; one of another account is
           refused. Then copies the stack's state there, checks the copy and prints the
           PULUMI_BACKEND_URL line teammates need. The previous copy is kept until you remove it.
  backup   Writes the stack's state to FILE (mode 0600; an existing file is never overwritten).
  restore  Imports FILE as the stack's state in the current backend, replacing what is there.

Options:
  --stack NAME    the stack (Pulumi.NAME.yaml)
  --bucket NAME   bucket for share (default: jitsi-eu-state-ACCOUNT-REGION)
  --out FILE      where backup writes
  --from FILE     what restore reads
  --yes           do not ask for confirmation (needed when not on a terminal)
  --json          print one JSON object on stdout
  -h, --help      show this help

Environment: PULUMI_CONFIG_PASSPHRASE or _FILE, PULUMI_BACKEND_URL (the current backend), AWS
credentials for share. AWS_ENDPOINT_URL is honoured, e.g. for an AWS API emulator.

Exit codes: 0 done; 1 a Pulumi step failed or the copy does not match (nothing was deleted);
2 bad arguments, no confirmation, a missing Pulumi CLI, passphrase or AWS credentials, or a
bucket that cannot be used.`;

const OPTIONS = {
  stack: { type: 'string' },
  bucket: { type: 'string' },
  out: { type: 'string' },
  from: { type: 'string' },
  yes: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const ALLOWED: Record<string, readonly string[]> = {
  share: ['stack', 'bucket', 'yes', 'json'],
  backup: ['stack', 'out', 'json'],
  restore: ['stack', 'from', 'yes', 'json'],
};

export async function stateMain(argv: string[]): Promise<number> {
  try {
    return await runJob(argv);
  } catch (error) {
    // A Pulumi call that fails before anything is changed (unreadable backend, wrong passphrase):
    // an environment problem, reported as Pulumi words it.
    if (error instanceof PulumiCommandError) throw new UsageError(error.message);
    throw error;
  }
}

async function runJob(argv: string[]): Promise<number> {
  const parsed = parseCliOrHelp(argv, OPTIONS, STATE_USAGE);
  if (!parsed) return 0;
  const [job, ...rest] = parsed.positionals;
  if (!job) throw new UsageError(['missing what to do: share, backup or restore', 'run with --help for usage']);
  const allowed = ALLOWED[job];
  if (!allowed) throw new UsageError([`unknown job ${job}: use share, backup or restore`, 'run with --help for usage']);
  const v = parsed.values;
  for (const [name, value] of Object.entries(v)) {
    if (name !== 'help' && value !== undefined && value !== false && !allowed.includes(name)) {
      throw new UsageError([`--${name} does not apply to ${job}`, 'run with --help for usage']);
    }
  }
  const stack = requireStackName(v.stack, rest, `used by ${job}`);
  const { REAL_STATE_DEPS: deps } = await import('./deps.ts');
  if (job === 'share') {
    const { shareState } = await import('./share.ts');
    return shareState({ stack, bucket: v.bucket, yes: v.yes, json: v.json }, deps);
  }
  if (job === 'backup') {
    if (!v.out) throw new UsageError(['missing --out FILE: where should the backup go?', 'run with --help for usage']);
    const { backupState } = await import('./backup.ts');
    return backupState({ stack, out: v.out, json: v.json }, deps);
  }
  if (!v.from) throw new UsageError(['missing --from FILE: which backup should be restored?', 'run with --help for usage']);
  const { restoreState } = await import('./restore.ts');
  return restoreState({ stack, from: v.from, yes: v.yes, json: v.json }, deps);
}


// `npm run state -- share --stack NAME`: sets up the team's state bucket in the deployment's own
// region, then copies the stack's state there and prints the one line teammates need.
import { join } from 'node:path';
import { stackFileFor } from '../../infra/spec/index.ts';
import { PROJECT, defaultTags } from '../../infra/tags.ts';
import { EXIT, UsageError, loadSpecOrThrow, style } from '../lib/cli.ts';
import { PulumiCommandError, chooseBackend, redactUrl, type BackendChoice } from '../lib/workspace.ts';
import { bucketNameProblem, defaultBucketName, ensureStateBucket, inspectStateBucket, type BucketInspection, type StateBucket } from './bucket.ts';
import type { StateDeps } from './deps.ts';
import { StateCopyError, copyStackState, readStack, type StackSnapshot } from './move.ts';

export interface ShareOptions {
  stack: string;
  bucket?: string | undefined;
  yes: boolean;
  json: boolean;
}

export function s3BackendUrl(bucket: string, region: string): string {
  return `s3://${bucket}?region=${region}`;
}

/** The line for a shell profile; quoted because `?` is a glob character. */
export function exportLine(url: string): string {
  return `export PULUMI_BACKEND_URL='${url}'`;
}

/** Where a file backend keeps one stack's state (project-scoped layout), or the URL for others. */
export function stateLocation(backend: BackendChoice, stack: string): string {
  if (!backend.url.startsWith('file://')) return redactUrl(backend.url);
  return join(backend.url.slice('file://'.length), '.pulumi', 'stacks', PROJECT, `${stack}.json`);
}

export async function shareState(options: ShareOptions, deps: StateDeps): Promise<number> {
  const { stack } = options;
  const { spec } = loadSpecOrThrow(stackFileFor(stack, deps.projectDir), stack);
  const pulumi = deps.pulumi(deps.env, deps.projectDir);
  const who = await deps.requireCredentials(spec.region);
  const bucket = options.bucket ?? defaultBucketName(who.account, spec.region);
  const badName = bucketNameProblem(bucket);
  if (badName) throw new UsageError([badName, 'run with --help for usage']);
  const target: StateBucket = { bucket, region: spec.region, account: who.account, partition: who.partition, tags: defaultTags(spec) };
  const targetUrl = s3BackendUrl(bucket, spec.region);
  const source = chooseBackend(deps.env, deps.home);
  const sourceWhere = source.isDefault ? `the local state folder ${source.localDir}` : redactUrl(source.url);

  if (!(await pulumi.stackNames(source.url)).includes(stack)) {
    throw new UsageError([
      `stack ${stack} does not exist in ${sourceWhere}`,
      'deploy it first, or set PULUMI_BACKEND_URL to the backend that holds it',
    ]);
  }
  const s3 = deps.s3(spec.region);
  try {
    deps.progress(`checking bucket ${bucket} and exporting the state of ${stack}`);
    const inspection = await inspectStateBucket(s3, target);
    const snapshot = await readStack(pulumi, source.url, stack);
    const moving = source.url !== targetUrl;
    deps.note(preview(stack, target, inspection, snapshot, moving ? stateLocation(source, stack) : undefined));
    const changes = !inspection.exists || inspection.fixes.length > 0 || moving;
    if (changes && !options.yes) {
      const go = await deps.confirm(`Set up the bucket and copy the state of ${stack} there? Type "yes" to go ahead [yes/no]`, 'yes');
      if (!go) throw new UsageError('not confirmed: nothing was changed');
    }

    if (!inspection.exists) deps.progress(`creating bucket ${bucket} in ${spec.region}`);
    else if (inspection.fixes.length) deps.progress(`fixing bucket ${bucket}: ${inspection.fixes.map((f) => f.setting).join(', ')}`);
    const outcome = await ensureStateBucket(s3, target);
    let state: 'moved' | 'already-there' = 'already-there';
    if (moving) {
      try {
        state = await copyStackState(pulumi, targetUrl, stack, snapshot, deps.progress);
      } catch (error) {
        if (!(error instanceof PulumiCommandError || error instanceof StateCopyError)) throw error;
        deps.note(
          `${style.fail('error:', process.stderr)} ${error.message}\n` +
            `Nothing was deleted: the state of ${stack} is still in ${sourceWhere}, and jitsi-eu keeps using it.\n`,
        );
        return EXIT.FAILED;
      }
    }

    const report = {
      stack,
      region: spec.region,
      bucket,
      bucketCreated: outcome.created,
      bucketFixed: outcome.fixed.map((f) => f.setting),
      state,
      resources: snapshot.resources,
      backendUrl: targetUrl,
      ...(moving ? { previousState: stateLocation(source, stack) } : {}),
      env: exportLine(targetUrl),
    };
    if (options.json) deps.out(`${JSON.stringify(report, null, 2)}\n`);
    else deps.out(summary(report, source, stack));
    return EXIT.OK;
  } finally {
    s3.destroy();
  }
}

function preview(stack: string, target: StateBucket, inspection: BucketInspection, snapshot: StackSnapshot, keptAt: string | undefined): string {
  const lines = [`Stack ${stack}: ${snapshot.resources} resources.`];
  const where = `${target.bucket} (${target.region}, account ${target.account})`;
  if (!inspection.exists) {
    lines.push(`Bucket ${where} will be created: SSE-S3 encryption, versioning, all public access blocked, ACLs off,`);
    lines.push(`  a policy that lets in only account ${target.account} and only over TLS, and the stack's tags.`);
  } else if (inspection.fixes.length) {
    lines.push(`Bucket ${where} exists; these settings will be fixed:`);
    for (const fix of inspection.fixes) lines.push(`  - ${fix.setting}: ${fix.problem}`);
  } else {
    lines.push(`Bucket ${where} exists and is set up correctly.`);
  }
  if (keptAt) lines.push(`The state will be copied to ${s3BackendUrl(target.bucket, target.region)}; the current copy stays in ${keptAt}.`);
  else lines.push('The state is already kept in this bucket.');
  return `${lines.join('\n')}\n`;
}

function summary(
  report: { stack: string; bucket: string; bucketCreated: boolean; bucketFixed: string[]; state: string; resources: number; previousState?: string; backendUrl: string; env: string },
  source: BackendChoice,
  stack: string,
): string {
  const lines: string[] = [];
  if (report.bucketCreated) lines.push(`Bucket ${report.bucket}: created.`);
  else if (report.bucketFixed.length) lines.push(`Bucket ${report.bucket}: fixed ${report.bucketFixed.join(', ')}.`);
  else lines.push(`Bucket ${report.bucket}: already set up correctly; nothing changed.`);
  lines.push(report.state === 'moved' ? `State of ${stack}: copied and verified (${report.resources} resources).` : `State of ${stack}: already in the bucket (${report.resources} resources).`);
  if (report.previousState) {
    lines.push(
      `The previous state is kept in ${report.previousState}. From now on run every command with the line below:`,
      `the old copy no longer follows changes. Once your team works from the bucket, remove it with`,
      `  PULUMI_BACKEND_URL='${redactUrl(source.url)}' pulumi stack rm ${stack} --force --preserve-config`,
    );
  }
  lines.push('', 'Every teammate (and this shell) needs:', report.env);
  return `${lines.join('\n')}\n`;
}

// The S3 bucket that holds a team's Pulumi state: created, or brought up to the settings below,
// in the deployment's own region. Every setting only tightens access, so fixing an existing
// bucket of the caller's account is safe and is what happens; a bucket of another account is
// refused before anything is written.
//
// Encryption: SSE-S3 (AES256). The AWS-managed KMS key (aws/s3) would not narrow who can read
// the state (any principal of the account that may read the bucket may use that key through
// S3), but every state read and write would become a billed KMS call. The secrets inside the
// state are encrypted a second time by the stack's own secrets provider anyway. A bucket that
// already uses SSE-KMS is left as it is: that is at least as strong.
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { UsageError } from '../lib/cli.ts';

export interface StateBucket {
  bucket: string;
  region: string;
  /** The caller's AWS account: the only one the bucket policy lets in. */
  account: string;
  partition: string;
  tags: Record<string, string>;
}

/** One setting that is missing or weaker than required, and how to put it right. */
export interface BucketFix {
  setting: 'public access block' | 'ownership controls' | 'encryption' | 'versioning' | 'bucket policy' | 'tags';
  problem: string;
  apply: (s3: S3Client) => Promise<unknown>;
}

export interface BucketInspection {
  exists: boolean;
  fixes: BucketFix[];
}

export interface BucketOutcome {
  created: boolean;
  /** What was changed on the bucket ([] when it was already right). */
  fixed: { setting: BucketFix['setting']; problem: string }[];
}

export function defaultBucketName(account: string, region: string): string {
  return `jitsi-eu-state-${account}-${region}`;
}

/** S3's naming rules, without dots (a dotted name breaks TLS for virtual-hosted requests). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `--bucket ${name}: a bucket name has 3 to 63 characters`;
  if (!/^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(name)) return `--bucket ${name}: use lowercase letters, digits and hyphens, starting and ending with a letter or digit`;
  if (/^xn--|^sthree-|-s3alias$|--ol-s3$/.test(name)) return `--bucket ${name}: that prefix or suffix is reserved by S3`;
  return undefined;
}

export const STATEMENT_OTHER_ACCOUNTS = 'JitsiEuDenyOtherAccounts';
export const STATEMENT_INSECURE_TRANSPORT = 'JitsiEuDenyInsecureTransport';

/** The two statements the bucket policy must hold: only this account, only over TLS. */
export function requiredStatements(target: Pick<StateBucket, 'bucket' | 'account' | 'partition'>): Record<string, unknown>[] {
  const arn = `arn:${target.partition}:s3:::${target.bucket}`;
  const resource = [arn, `${arn}/*`];
  return [
    {
      Sid: STATEMENT_OTHER_ACCOUNTS,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: resource,
      Condition: { StringNotEquals: { 'aws:PrincipalAccount': target.account } },
    },
    {
      Sid: STATEMENT_INSECURE_TRANSPORT,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: resource,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ];
}

/**
 * Creates the bucket or confirms the caller owns it, refuses one in another region or account,
 * then applies whatever the inspection finds missing.
 */
export async function ensureStateBucket(s3: S3Client, target: StateBucket): Promise<BucketOutcome> {
  let created = false;
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: target.bucket,
        CreateBucketConfiguration: { LocationConstraint: target.region as BucketLocationConstraint },
        ObjectOwnership: 'BucketOwnerEnforced',
      }),
    );
    created = true;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'BucketAlreadyExists') throw foreignBucket(target.bucket);
    if (name !== 'BucketAlreadyOwnedByYou') throw error;
  }
  const inspection = await inspectStateBucket(s3, target);
  for (const fix of inspection.fixes) await fix.apply(s3);
  return { created, fixed: created ? [] : inspection.fixes.map(({ setting, problem }) => ({ setting, problem })) };
}

/** Reads the bucket's settings (nothing is written) and lists what must change. */
export async function inspectStateBucket(s3: S3Client, target: StateBucket): Promise<BucketInspection> {
  const owner = { Bucket: target.bucket, ExpectedBucketOwner: target.account };
  let location: string;
  try {
    location = (await s3.send(new GetBucketLocationCommand(owner))).LocationConstraint || 'us-east-1';
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404) return { exists: false, fixes: allFixes(target) };
    if (e.$metadata?.httpStatusCode === 403) throw foreignBucket(target.bucket);
    throw error;
  }
  if (location !== target.region) {
    throw new UsageError([
      `bucket ${target.bucket} is in ${location}, not in the deployment's region ${target.region}: state stays in the deployment's own region`,
      'choose another name with --bucket NAME',
    ]);
  }
  const fixes = allFixes(target);
  const ok: Record<BucketFix['setting'], () => Promise<boolean>> = {
    'public access block': async () => {
      const c = (await optional(() => s3.send(new GetPublicAccessBlockCommand(owner))))?.PublicAccessBlockConfiguration;
      return Boolean(c?.BlockPublicAcls && c.IgnorePublicAcls && c.BlockPublicPolicy && c.RestrictPublicBuckets);
    },
    'ownership controls': async () => {
      const rules = (await optional(() => s3.send(new GetBucketOwnershipControlsCommand(owner))))?.OwnershipControls?.Rules ?? [];
      return rules.length > 0 && rules.every((r) => r.ObjectOwnership === 'BucketOwnerEnforced');
    },
    encryption: async () => {
      const rules = (await optional(() => s3.send(new GetBucketEncryptionCommand(owner))))?.ServerSideEncryptionConfiguration?.Rules ?? [];
      return rules.some((r) => ['AES256', 'aws:kms', 'aws:kms:dsse'].includes(r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? ''));
    },
    versioning: async () => (await s3.send(new GetBucketVersioningCommand(owner))).Status === 'Enabled',
    'bucket policy': async () => {
      const text = (await optional(() => s3.send(new GetBucketPolicyCommand(owner))))?.Policy;
      const present = text ? (JSON.parse(text) as PolicyDocument).Statement ?? [] : [];
      return requiredStatements(target).every((want) => present.some((have) => sameJson(have, want)));
    },
    tags: async () => {
      const have = (await optional(() => s3.send(new GetBucketTaggingCommand(owner))))?.TagSet ?? [];
      return Object.entries(target.tags).every(([k, v]) => have.some((t) => t.Key === k && t.Value === v));
    },
  };
  const needed: BucketFix[] = [];
  for (const fix of fixes) if (!(await ok[fix.setting]())) needed.push(fix);
  return { exists: true, fixes: needed };
}

interface PolicyDocument {
  Version?: string;
  Statement?: Record<string, unknown>[];
}

/** Every setting, in the order they are applied (access is closed before anything else). */
function allFixes(target: StateBucket): BucketFix[] {
  const owner = { Bucket: target.bucket, ExpectedBucketOwner: target.account };
  return [
    {
      setting: 'public access block',
      problem: 'public access is not fully blocked',
      apply: (s3) =>
        s3.send(new PutPublicAccessBlockCommand({ ...owner, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } })),
    },
    {
      setting: 'ownership controls',
      problem: 'ACLs are not disabled (object ownership is not "bucket owner enforced")',
      apply: (s3) => s3.send(new PutBucketOwnershipControlsCommand({ ...owner, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } })),
    },
    {
      setting: 'encryption',
      problem: 'no default encryption',
      apply: (s3) =>
        s3.send(new PutBucketEncryptionCommand({ ...owner, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } })),
    },
    {
      setting: 'versioning',
      problem: 'versioning is off: an overwritten state could not be recovered',
      apply: (s3) => s3.send(new PutBucketVersioningCommand({ ...owner, VersioningConfiguration: { Status: 'Enabled' } })),
    },
    {
      setting: 'bucket policy',
      problem: 'the bucket policy does not deny other accounts and plain HTTP',
      apply: async (s3) => {
        // Statements someone else added stay; ours replace any older copy with the same Sid.
        const text = (await optional(() => s3.send(new GetBucketPolicyCommand(owner))))?.Policy;
        const ours = requiredStatements(target);
        const sids = new Set(ours.map((s) => s.Sid));
        const others = (text ? (JSON.parse(text) as PolicyDocument).Statement ?? [] : []).filter((s) => !sids.has(s.Sid));
        const policy = { Version: '2012-10-17', Statement: [...others, ...ours] };
        return s3.send(new PutBucketPolicyCommand({ ...owner, Policy: JSON.stringify(policy) }));
      },
    },
    {
      setting: 'tags',
      problem: "the stack's tags are missing",
      apply: async (s3) => {
        // PutBucketTagging replaces the whole set: keep tags that are not ours.
        const have = (await optional(() => s3.send(new GetBucketTaggingCommand(owner))))?.TagSet ?? [];
        const merged = { ...Object.fromEntries(have.map((t) => [t.Key ?? '', t.Value ?? ''])), ...target.tags };
        return s3.send(new PutBucketTaggingCommand({ ...owner, Tagging: { TagSet: Object.entries(merged).map(([Key, Value]) => ({ Key, Value })) } }));
      },
    },
  ];
}

function foreignBucket(bucket: string): UsageError {
  return new UsageError([
    `bucket ${bucket} belongs to another AWS account: jitsi-eu keeps state only in a bucket of the account it deploys into`,
    'choose another name with --bucket NAME (bucket names are shared by all AWS accounts)',
  ]);
}

/** A Get* call whose "not configured" answer (404) means undefined. */
async function optional<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
}

/** Policy JSON compared as AWS treats it: a one-element list equals its element, order of lists is free. */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.length === 1 ? items[0] : items.map((i) => JSON.stringify(i)).sort();
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

// The team state bucket against moto_server: a new bucket gets every setting; a second run changes
// nothing; a bucket of the caller's account that falls short is fixed without losing what others
// put on it; a bucket of another account, or in another region, is refused untouched.
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../scripts/lib/cli.ts';
import { ensureStateBucket, inspectStateBucket, type StateBucket } from '../../scripts/state/bucket.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';

const REGION = 'eu-central-1';
const ACCOUNT = '123456789012'; // moto's default account
const TAGS = { 'jitsi-eu:stack': 'team', 'jitsi-eu:project': 'jitsi-eu', 'jitsi-eu:owner': 'ops@example.org' };
let moto: Moto;
let s3: S3Client;

const target = (bucket: string): StateBucket => ({ bucket, region: REGION, account: ACCOUNT, partition: 'aws', tags: TAGS });

async function policyOf(bucket: string): Promise<{ Statement: Record<string, unknown>[] }> {
  return JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!);
}

async function settingsOf(bucket: string) {
  return {
    encryption: (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration?.Rules,
    versioning: (await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status,
    publicAccess: (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration,
    ownership: (await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }))).OwnershipControls?.Rules,
    policy: (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy,
    tags: (await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet,
  };
}

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, moto.env);
  s3 = new S3Client({ region: REGION });
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

describe('a new state bucket', () => {
  it('is created with encryption, versioning, public access blocked, ACLs off, the account-only TLS-only policy and the tags', async () => {
    const outcome = await ensureStateBucket(s3, target('state-new'));
    expect(outcome).toEqual({ created: true, fixed: [] });
    const got = await settingsOf('state-new');
    expect(got.encryption).toEqual([expect.objectContaining({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } })]);
    expect(got.versioning).toBe('Enabled');
    expect(got.publicAccess).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(got.ownership).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    expect(Object.fromEntries(got.tags!.map((t) => [t.Key, t.Value]))).toEqual(TAGS);

    const statements = JSON.parse(got.policy!).Statement as Record<string, unknown>[];
    const resources = ['arn:aws:s3:::state-new', 'arn:aws:s3:::state-new/*'];
    expect(statements).toHaveLength(2);
    expect(statements).toContainEqual({
      Sid: 'JitsiEuDenyOtherAccounts',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: resources,
      Condition: { StringNotEquals: { 'aws:PrincipalAccount': ACCOUNT } },
    });
    expect(statements).toContainEqual({
      Sid: 'JitsiEuDenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: resources,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  it('is left exactly as it is by a second run', async () => {
    await ensureStateBucket(s3, target('state-again'));
    const before = await settingsOf('state-again');
    expect((await inspectStateBucket(s3, target('state-again'))).fixes).toEqual([]);
    expect(await ensureStateBucket(s3, target('state-again'))).toEqual({ created: false, fixed: [] });
    expect(await settingsOf('state-again')).toEqual(before);
  });
});

describe('an existing bucket', () => {
  it('of this account that falls short is fixed, keeping the policy statements and tags others added', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'state-weak', CreateBucketConfiguration: { LocationConstraint: REGION } }));
    const audit = { Sid: 'AuditRead', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/audit` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::state-weak/*' };
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'state-weak', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [audit] }) }));
    await s3.send(new PutBucketTaggingCommand({ Bucket: 'state-weak', Tagging: { TagSet: [{ Key: 'cost-centre', Value: 'it-42' }] } }));

    const found = await inspectStateBucket(s3, target('state-weak'));
    expect(found.exists).toBe(true);
    expect(found.fixes.map((f) => f.setting)).toEqual(['public access block', 'ownership controls', 'encryption', 'versioning', 'bucket policy', 'tags']);

    const outcome = await ensureStateBucket(s3, target('state-weak'));
    expect(outcome.created).toBe(false);
    expect(outcome.fixed.map((f) => f.setting)).toEqual(['public access block', 'ownership controls', 'encryption', 'versioning', 'bucket policy', 'tags']);
    const got = await settingsOf('state-weak');
    expect(got.versioning).toBe('Enabled');
    expect(got.ownership).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    const sids = (await policyOf('state-weak')).Statement.map((s) => s.Sid);
    expect(sids.sort()).toEqual(['AuditRead', 'JitsiEuDenyInsecureTransport', 'JitsiEuDenyOtherAccounts']);
    expect(Object.fromEntries(got.tags!.map((t) => [t.Key, t.Value]))).toEqual({ 'cost-centre': 'it-42', ...TAGS });
    expect(await ensureStateBucket(s3, target('state-weak'))).toEqual({ created: false, fixed: [] });
  });

  it('that already uses SSE-KMS keeps it: never downgraded to SSE-S3', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'state-kms', CreateBucketConfiguration: { LocationConstraint: REGION } }));
    await s3.send(new PutBucketEncryptionCommand({ Bucket: 'state-kms', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }] } }));
    const outcome = await ensureStateBucket(s3, target('state-kms'));
    expect(outcome.fixed.map((f) => f.setting)).not.toContain('encryption');
    expect((await settingsOf('state-kms')).encryption).toEqual([expect.objectContaining({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } })]);
  });

  it('whose policy names another account is fixed to this one', async () => {
    await ensureStateBucket(s3, { ...target('state-moved'), account: '999999999999' });
    const outcome = await ensureStateBucket(s3, target('state-moved'));
    expect(outcome.fixed.map((f) => f.setting)).toEqual(['bucket policy']);
    const statements = (await policyOf('state-moved')).Statement;
    expect(statements).toHaveLength(2);
    expect(JSON.stringify(statements)).toContain(ACCOUNT);
    expect(JSON.stringify(statements)).not.toContain('999999999999');
  });

  it('of another account is refused, and left untouched', async () => {
    const sts = new STSClient({ region: REGION });
    const role = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111111111111:role/other', RoleSessionName: 'other' }));
    sts.destroy();
    const c = role.Credentials!;
    const theirs = new S3Client({ region: REGION, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
    await theirs.send(new CreateBucketCommand({ Bucket: 'state-theirs', CreateBucketConfiguration: { LocationConstraint: REGION } }));

    const error = await ensureStateBucket(s3, target('state-theirs')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/state-theirs belongs to another AWS account[\s\S]*--bucket NAME/);
    const versioning = await theirs.send(new GetBucketVersioningCommand({ Bucket: 'state-theirs' }));
    expect(versioning.Status).toBeUndefined();
    await expect(theirs.send(new GetBucketPolicyCommand({ Bucket: 'state-theirs' }))).rejects.toThrow();
    theirs.destroy();
  });

  it('in another region is refused', async () => {
    const west = new S3Client({ region: 'eu-west-1' });
    await west.send(new CreateBucketCommand({ Bucket: 'state-west', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    west.destroy();
    await expect(ensureStateBucket(s3, target('state-west'))).rejects.toThrow(/state-west is in eu-west-1, not in the deployment's region eu-central-1/);
  });
});

// The orphan check and --purge against moto_server: resources made with the AWS SDK (regional ones
// and IAM's global roles, policies and instance profiles), some with the project's tags for a
// stack, some for another stack, some with no or partial tags. Only the stack's own are found,
// only those are removed, and a second run finds nothing.
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateLaunchTemplateCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateSubnetCommand,
  CreateVolumeCommand,
  CreateNetworkInterfaceCommand,
  CreateVpcCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
  EC2Client,
  RunInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { CreateAutoScalingGroupCommand, AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  GetInstanceProfileCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesCommand,
  ListPoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClients, callerIdentity, closeClients, type AwsClients } from '../../scripts/teardown/aws.ts';
import { findOrphans } from '../../scripts/teardown/find.ts';
import { purgeOrphans, type PurgeOutcome } from '../../scripts/teardown/purge.ts';
import { deleteVersionedBucket } from '../../scripts/teardown/s3.ts';
import type { Orphan } from '../../scripts/teardown/orphans.ts';
import { requireAwsCredentials } from '../../scripts/deploy/credentials.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import { checkOrphans, purge } from '../../scripts/teardown/check.ts';
import { teardownMain, type TeardownDeps, type TeardownReport } from '../../scripts/teardown/main.ts';
import { accountParameterName } from '../../infra/accounts.ts';
import { defaultTags } from '../../infra/tags.ts';
import { AccountStore } from '../../scripts/accounts/store.ts';
import { makeSpec } from '../helpers/spec.ts';
import { MemoryWorkspace } from '../fixtures/fake-pulumi/memory-workspace.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';
import { pathWithoutPulumi, runNpmScript } from '../helpers/npm-run.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';
import { memoryDeps } from '../fixtures/fake-pulumi/memory-deps.ts';
import { sandboxMain } from '../../scripts/sandbox/main.ts';
import { LEFTOVER_FILE, leftoverFileStore } from '../../scripts/sandbox/leftovers.ts';
import { PROJECT_DIR } from '../../infra/spec/index.ts';

const REGION = 'eu-central-1';
const AMI = 'ami-12c6146b';
let moto: Moto;
let ec2: EC2Client;
let ssm: SSMClient;
let route53: Route53Client;
let iam: IAMClient;
let s3: S3Client;
let clients: AwsClients;

const projectTags = (stack: string): Tag[] => [
  { Key: 'jitsi-eu:stack', Value: stack },
  { Key: 'jitsi-eu:project', Value: 'jitsi-eu' },
  { Key: 'jitsi-eu:owner', Value: 'ops@example.org' },
];
function tagSpec(type: 'vpc' | 'subnet' | 'internet-gateway' | 'route-table' | 'security-group' | 'instance' | 'volume' | 'elastic-ip' | 'launch-template' | 'snapshot', tags: Tag[]) {
  return tags.length ? { TagSpecifications: [{ ResourceType: type, Tags: tags }] } : {};
}

/** A policy every role uses and nobody's stack owns (as AWS's Session Manager policy is, on AWS). */
const SHARED_POLICY = 'shared-session-manager';
let sharedPolicyArn: string;

/**
 * The host's IAM side as the Pulumi program makes it: a role with a managed policy of its own (here
 * on its second version), a shared policy and an inline policy, in an instance profile. Returns the
 * role, policy and profile names.
 */
async function instanceRole(stack: string, tags: Tag[]): Promise<string[]> {
  const tagged = tags.length ? { Tags: tags.map((t) => ({ Key: t.Key!, Value: t.Value! })) } : {};
  const role = `${stack}-signaling-role`;
  const policy = `${stack}-secrets-read`;
  const profile = `${stack}-signaling-profile`;
  const document = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
  await iam.send(
    new CreateRoleCommand({
      RoleName: role,
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
      ...tagged,
    }),
  );
  const policyArn = (await iam.send(new CreatePolicyCommand({ PolicyName: policy, PolicyDocument: document('ssm:GetParameter'), ...tagged }))).Policy!.Arn!;
  await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: document('ssm:GetParameters'), SetAsDefault: true }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: policyArn }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: sharedPolicyArn }));
  await iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'lifecycle', PolicyDocument: document('autoscaling:CompleteLifecycleAction') }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: profile, ...tagged }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: profile, RoleName: role }));
  return [role, policy, profile];
}

/** What the deployment of `stack` would leave if `pulumi destroy` never ran; returns the ids made. */
async function deployment(stack: string, tags: Tag[]): Promise<string[]> {
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16', ...tagSpec('vpc', tags) }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.20.1.0/24', AvailabilityZone: `${REGION}a`, ...tagSpec('subnet', tags) }))).Subnet!.SubnetId!;
  const igw = (await ec2.send(new CreateInternetGatewayCommand({ ...tagSpec('internet-gateway', tags) }))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
  const table = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc, ...tagSpec('route-table', tags) }))).RouteTable!.RouteTableId!;
  await ec2.send(new AssociateRouteTableCommand({ RouteTableId: table, SubnetId: subnet }));
  const web = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: `${stack}-web`, Description: 'web', VpcId: vpc, ...tagSpec('security-group', tags) }))).GroupId!;
  const bridges = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: `${stack}-bridges`, Description: 'bridges', VpcId: vpc, ...tagSpec('security-group', tags) }))).GroupId!;
  // The signaling group admits XMPP from the bridges' group: a reference the purge must undo first.
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: web, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5222, ToPort: 5222, UserIdGroupPairs: [{ GroupId: bridges }] }] }));
  const instance = (await ec2.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, SubnetId: subnet, SecurityGroupIds: [web], ...tagSpec('instance', tags) }))).Instances![0]!.InstanceId!;
  const eip = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc', ...tagSpec('elastic-ip', tags) }))).AllocationId!;
  await ec2.send(new AssociateAddressCommand({ AllocationId: eip, InstanceId: instance }));
  const volume = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${REGION}a`, Size: 8, Encrypted: true, ...tagSpec('volume', tags) }))).VolumeId!;
  const snapshot = (await ec2.send(new CreateSnapshotCommand({ VolumeId: volume, ...tagSpec('snapshot', tags) }))).SnapshotId!;
  const template = (await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: `${stack}-bridge`, LaunchTemplateData: { ImageId: AMI, InstanceType: 'c6i.large' }, ...tagSpec('launch-template', tags) }))).LaunchTemplate!.LaunchTemplateId!;
  const autoscaling = new AutoScalingClient({ region: REGION });
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: `${stack}-bridges`,
      LaunchTemplate: { LaunchTemplateId: template },
      MinSize: 0,
      MaxSize: 2,
      VPCZoneIdentifier: subnet,
      Tags: tags.map((t) => ({ Key: t.Key!, Value: t.Value!, PropagateAtLaunch: true })),
    }),
  );
  autoscaling.destroy();
  await ssm.send(new PutParameterCommand({ Name: `/jitsi-eu/${stack}/jvb-password`, Value: 'not-a-real-secret', Type: 'SecureString', ...(tags.length ? { Tags: tags.map((t) => ({ Key: t.Key!, Value: t.Value! })) } : {}) }));
  const iamNames = await instanceRole(stack, tags);
  return [vpc, subnet, igw, table, web, bridges, instance, eip, volume, snapshot, template, `${stack}-bridges`, `/jitsi-eu/${stack}/jvb-password`, ...iamNames];
}

/**
 * A configuration-bundle bucket as the Pulumi program makes it (versioned, tagged), left behind
 * holding two revisions of the signaling bundle (two versions of one key) and a bridge bundle
 * that was deleted afterwards (a version under a delete marker). Returns its name.
 */
async function bundleBucket(name: string, tags: Tag[]): Promise<string> {
  await s3.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }));
  await s3.send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: tags.map((t) => ({ Key: t.Key!, Value: t.Value! })) } }));
  await s3.send(new PutObjectCommand({ Bucket: name, Key: 'bundles/signaling/current.tar.gz', Body: 'revision one' }));
  await s3.send(new PutObjectCommand({ Bucket: name, Key: 'bundles/signaling/current.tar.gz', Body: 'revision two' }));
  await s3.send(new PutObjectCommand({ Bucket: name, Key: 'bundles/bridge/r1.tar.gz', Body: 'bridge' }));
  await s3.send(new DeleteObjectCommand({ Bucket: name, Key: 'bundles/bridge/r1.tar.gz' }));
  return name;
}

/** Versions and delete markers the bucket holds. */
async function versionsIn(bucket: string): Promise<{ versions: number; deleteMarkers: number }> {
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  return { versions: listed.Versions?.length ?? 0, deleteMarkers: listed.DeleteMarkers?.length ?? 0 };
}

async function bucketExists(bucket: string): Promise<boolean> {
  return s3.send(new HeadBucketCommand({ Bucket: bucket })).then(
    () => true,
    (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => {
      if (error.name === 'NotFound' || error.$metadata?.httpStatusCode === 404) return false;
      throw error;
    },
  );
}

let alpha: string[];
let beta: string[];
let untagged: string[];
let zoneId: string;

async function record(name: string, type: 'A' | 'TXT', value: string) {
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: name, Type: type, TTL: 60, ResourceRecords: [{ Value: value }] } }] },
    }),
  );
}

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, moto.env, { AWS_REGION: REGION });
  ec2 = new EC2Client({ region: REGION });
  ssm = new SSMClient({ region: REGION });
  route53 = new Route53Client({ region: REGION });
  iam = new IAMClient({ region: REGION });
  s3 = new S3Client({ region: REGION });
  clients = awsClients(REGION);
  sharedPolicyArn = (await iam.send(new CreatePolicyCommand({ PolicyName: SHARED_POLICY, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssmmessages:*', Resource: '*' }] }) }))).Policy!.Arn!;

  alpha = await deployment('alpha', projectTags('alpha'));
  beta = await deployment('beta', projectTags('beta'));
  untagged = await deployment('loose', []);
  // An untagged parameter elsewhere, and one that merely looks like ours.
  await ssm.send(new PutParameterCommand({ Name: '/other-app/alpha/password', Value: 'x', Type: 'SecureString' }));

  zoneId = (await route53.send(new CreateHostedZoneCommand({ Name: 'sandbox.example.org', CallerReference: `ref-${Date.now()}` }))).HostedZone!.Id!.replace('/hostedzone/', '');
  // Each site record with its ownership record, as the Pulumi program writes them.
  await record('alpha.sandbox.example.org', 'A', '192.0.2.10');
  await record('_jitsi-eu.alpha.sandbox.example.org', 'TXT', '"jitsi-eu:stack=alpha"');
  await record('beta.sandbox.example.org', 'A', '192.0.2.20');
  await record('_jitsi-eu.beta.sandbox.example.org', 'TXT', '"jitsi-eu:stack=beta"');
}, 120_000);

afterAll(async () => {
  closeClients(clients);
  ec2?.destroy();
  ssm?.destroy();
  route53?.destroy();
  iam?.destroy();
  s3?.destroy();
  await moto?.stop();
});

const ids = (orphans: readonly Orphan[]) => orphans.map((o) => o.resourceId).sort();

function teardown(args: string[]) {
  return runNpmScript('teardown', args, { ...moto.env, AWS_REGION: REGION }, 120_000);
}

/** TeardownDeps on moto_server, with the Pulumi side in memory and the output captured. */
function deps(workspace: MemoryWorkspace, answer = false) {
  const stdout: string[] = [];
  const questions: string[] = [];
  /** Progress lines and questions, in the order they were said. */
  const said: string[] = [];
  const d: TeardownDeps & { stdout: string[]; questions: string[]; said: string[] } = {
    stdout,
    questions,
    said,
    openWorkspace: async () => workspace,
    requireCredentials: requireAwsCredentials,
    findOrphans: checkOrphans,
    purge,
    readStackConfig: (stack) => workspace.files.get(stack)?.config,
    confirm: async (question) => (questions.push(question), said.push(question), answer),
    env: {},
    out: (t) => stdout.push(t),
    progress: (message) => said.push(message),
    onOutput: () => {},
  };
  return d;
}

/** teardown in this process (faster than a child process) for a stack whose Pulumi side is gone. */
async function teardownHere(args: string[]): Promise<{ code: number; report: { orphans: Orphan[]; purged?: PurgeOutcome[]; remaining: Orphan[] } }> {
  const d = deps(new MemoryWorkspace());
  const code = await teardownMain([...args, '--json'], d);
  return { code, report: JSON.parse(d.stdout.join('')) };
}

describe('orphan check and purge against moto_server', () => {
  it('finds exactly what carries the stack tag, plus its DNS records, and nothing of other stacks or untagged', async () => {
    const found = await findOrphans(clients, await callerIdentity(clients), { stack: 'alpha', region: REGION, domain: 'alpha.sandbox.example.org' });
    expect(ids(found.filter((o) => o.kind !== 'route53:record'))).toEqual([...alpha].sort());
    expect(ids(found.filter((o) => o.kind === 'route53:record'))).toEqual(['_jitsi-eu.alpha.sandbox.example.org TXT', 'alpha.sandbox.example.org A']);
    expect(found.every((o) => o.purgeable)).toBe(true);
    for (const other of [...beta, ...untagged]) expect(ids(found)).not.toContain(other);
    // Kinds are named after the service and type, in removal order (dependents first).
    expect(found.map((o) => o.kind).slice(0, 3)).toEqual(['autoscaling:autoScalingGroup', 'ec2:instance', 'ec2:elastic-ip']);
  });

  it('finds IAM roles, policies and instance profiles tagged for the stack, which the tagging API does not return', async () => {
    const found = await findOrphans(clients, await callerIdentity(clients), { stack: 'alpha', region: REGION });
    const fromIam = found.filter((o) => o.kind.startsWith('iam:'));
    expect(fromIam.map((o) => [o.kind, o.resourceId])).toEqual([
      ['iam:instance-profile', 'alpha-signaling-profile'],
      ['iam:role', 'alpha-signaling-role'],
      ['iam:policy', 'alpha-secrets-read'],
    ]);
    for (const orphan of fromIam) {
      expect(orphan).toMatchObject({ region: 'global', foundBy: ['iam'], purgeable: true, tags: { 'jitsi-eu:stack': 'alpha', 'jitsi-eu:project': 'jitsi-eu' } });
      expect(orphan.id).toMatch(/^arn:aws:iam::\d{12}:(role|policy|instance-profile)\/alpha-/);
    }
  });

  it('npm run teardown -- --stack alpha --orphans --json lists exactly the tagged resources (exit 1: something is left)', () => {
    const result = teardown(['--stack', 'alpha', '--orphans', '--json']);
    expect(result.stderr).not.toMatch(/error:/);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ stack: 'alpha', region: REGION });
    expect(ids(report.orphans)).toEqual([...alpha].sort());
    for (const orphan of report.orphans) expect(orphan.tags['jitsi-eu:stack']).toBe('alpha');
  });

  it('--purge without --yes off a terminal asks nobody, removes nothing, and exits 2', () => {
    const result = teardown(['--stack', 'alpha', '--orphans', '--purge', '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Pass --yes/);
  });

  it('--purge --yes removes the tagged resources and nothing else; a second run finds nothing', async () => {
    const result = teardown(['--stack', 'alpha', '--orphans', '--purge', '--yes', '--json', '--domain', 'alpha.sandbox.example.org']);
    expect(result.stderr).not.toMatch(/error:/);
    const report = JSON.parse(result.stdout);
    expect(report.purged.filter((p: { removed: boolean }) => !p.removed)).toEqual([]);
    expect(report.purged).toHaveLength(alpha.length + 2);
    expect(report.remaining).toEqual([]);
    expect(result.code).toBe(0);

    const again = teardown(['--stack', 'alpha', '--orphans', '--json', '--domain', 'alpha.sandbox.example.org']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).orphans).toEqual([]);

    // Everything of the other stack and everything untagged is still there.
    const running = (await ec2.send(new DescribeInstancesCommand({}))).Reservations!.flatMap((r) => r.Instances!).filter((i) => i.State!.Name !== 'terminated').map((i) => i.InstanceId);
    expect(running).toEqual(expect.arrayContaining([beta[6], untagged[6]]));
    expect(running).not.toContain(alpha[6]);
    const volumes = (await ec2.send(new DescribeVolumesCommand({}))).Volumes!.map((v) => v.VolumeId);
    expect(volumes).toEqual(expect.arrayContaining([beta[8], untagged[8]]));
    expect(volumes).not.toContain(alpha[8]);
    const addresses = (await ec2.send(new DescribeAddressesCommand({}))).Addresses!.map((a) => a.AllocationId);
    expect(addresses).toEqual(expect.arrayContaining([beta[7], untagged[7]]));
    expect(addresses).not.toContain(alpha[7]);
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!.map((g) => g.GroupId);
    expect(groups).toEqual(expect.arrayContaining([beta[4], beta[5], untagged[4], untagged[5]]));
    const parameters = (await ssm.send(new GetParametersByPathCommand({ Path: '/', Recursive: true }))).Parameters!.map((p) => p.Name).sort();
    expect(parameters).toEqual(['/jitsi-eu/beta/jvb-password', '/jitsi-eu/loose/jvb-password', '/other-app/alpha/password']);
    const records = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets!.map((r) => `${r.Name} ${r.Type}`);
    expect(records).toEqual(expect.arrayContaining(['beta.sandbox.example.org. A', '_jitsi-eu.beta.sandbox.example.org. TXT']));
    expect(records.filter((r) => r.includes('alpha.'))).toEqual([]);

    // IAM: alpha's role, policy and profile are gone; beta's and the untagged ones are intact,
    // attachments, inline policy and profile membership included.
    const roles = (await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName);
    expect(roles).toEqual(expect.arrayContaining(['beta-signaling-role', 'loose-signaling-role']));
    expect(roles).not.toContain('alpha-signaling-role');
    const policies = (await iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies!.map((p) => p.PolicyName);
    expect(policies).toEqual(expect.arrayContaining(['beta-secrets-read', 'loose-secrets-read', SHARED_POLICY]));
    expect(policies).not.toContain('alpha-secrets-read');
    const profiles = (await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles!.map((p) => p.InstanceProfileName);
    expect(profiles).toEqual(expect.arrayContaining(['beta-signaling-profile', 'loose-signaling-profile']));
    expect(profiles).not.toContain('alpha-signaling-profile');
    for (const stack of ['beta', 'loose']) {
      const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: `${stack}-signaling-role` }))).AttachedPolicies!.map((p) => p.PolicyName).sort();
      expect(attached).toEqual([`${stack}-secrets-read`, SHARED_POLICY]);
      expect((await iam.send(new ListRolePoliciesCommand({ RoleName: `${stack}-signaling-role` }))).PolicyNames).toEqual(['lifecycle']);
      const profile = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: `${stack}-signaling-profile` }))).InstanceProfile!;
      expect(profile.Roles!.map((r) => r.RoleName)).toEqual([`${stack}-signaling-role`]);
    }
  });

  it('reports but never removes what lacks the project tag, or a DNS record without the ownership record', async () => {
    // Tagged for the stack but not for the project; an untagged parameter under the stack's path; a bare record.
    const stackOnly = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${REGION}a`, Size: 1, TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'jitsi-eu:stack', Value: 'gamma' }] }] }))).VolumeId!;
    await ssm.send(new PutParameterCommand({ Name: '/jitsi-eu/gamma/turn-secret', Value: 'x', Type: 'SecureString' }));
    await record('gamma.sandbox.example.org', 'A', '192.0.2.30');
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'gamma-role',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
        Tags: [{ Key: 'jitsi-eu:stack', Value: 'gamma' }],
      }),
    );

    const result = teardown(['--stack', 'gamma', '--orphans', '--purge', '--yes', '--json', '--domain', 'gamma.sandbox.example.org']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.purged ?? []).toEqual([]);
    const byId = Object.fromEntries(report.remaining.map((o: Orphan) => [o.resourceId, o]));
    expect(Object.keys(byId).sort()).toEqual(['/jitsi-eu/gamma/turn-secret', 'gamma-role', 'gamma.sandbox.example.org A', stackOnly].sort());
    expect(byId[stackOnly]).toMatchObject({ purgeable: false, note: expect.stringMatching(/lacks the tag jitsi-eu:project=jitsi-eu/) });
    expect(byId['gamma-role']).toMatchObject({ kind: 'iam:role', purgeable: false, note: expect.stringMatching(/lacks the tag jitsi-eu:project=jitsi-eu/) });
    expect((await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName)).toContain('gamma-role');
    expect(byId['/jitsi-eu/gamma/turn-secret']).toMatchObject({ purgeable: false, foundBy: ['ssm-path'], note: expect.stringMatching(/lacks the tag jitsi-eu:stack=gamma/) });
    expect(byId['gamma.sandbox.example.org A']).toMatchObject({ purgeable: false, note: expect.stringMatching(/ownership record/) });
    expect((await ec2.send(new DescribeVolumesCommand({ VolumeIds: [stackOnly] }))).Volumes).toHaveLength(1);
  });

  it('prints a readable table and the purge hint without --json', () => {
    const result = teardown(['--stack', 'beta', '--orphans']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`${beta.length} resources left for stack beta`));
    expect(result.stdout).toMatch(/ec2:instance\s+i-\w+\s+ec2, tagging-api\s+yes/);
    expect(result.stdout).toMatch(/iam:role\s+beta-signaling-role\s+iam\s+yes/);
    expect(result.stdout).not.toMatch(/need a look by hand/);
    // Complete as printed: the stack file that names the region may be gone by the time it is run.
    expect(result.stdout).toContain(`npm run teardown -- --stack beta --orphans --purge --region ${REGION} removes the ${beta.length} marked "yes"`);
  });
});

describe('teardown: pulumi destroy, stack removal, then the orphan check on moto_server', () => {
  it('destroys and removes the stack, then lists what is still tagged for it (exit 1)', async () => {
    // The Pulumi side stands in memory; the AWS side is moto with stack delta's resources still there.
    const made = await deployment('delta', projectTags('delta'));
    const ws = new MemoryWorkspace();
    ws.seed('delta', { 'aws:region': REGION, 'jitsi-eu:domain': 'delta.sandbox.example.org' }, { resources: 13 });
    const d = deps(ws);
    expect(await teardownMain(['--stack', 'delta', '--yes', '--json'], d)).toBe(1);
    expect(ws.opsFor('delta')).toEqual(['destroy', 'removeStack']);
    expect(d.questions).toEqual([]);
    const report = JSON.parse(d.stdout.join(''));
    expect(report.stackTeardown).toEqual({ existed: true, destroyed: true, removed: true });
    expect(ids(report.orphans)).toEqual([...made].sort());
  });

  it('purges after destroy with --purge --yes and exits 0 when nothing is left', async () => {
    const ws = new MemoryWorkspace();
    const d = deps(ws);
    // delta is no longer in the backend: teardown says so and goes on to the orphans.
    expect(await teardownMain(['--stack', 'delta', '--yes', '--purge', '--region', REGION, '--json'], d)).toBe(0);
    const report = JSON.parse(d.stdout.join(''));
    expect(report.stackTeardown).toEqual({ existed: false, destroyed: false, removed: false });
    expect(report.orphans.length).toBeGreaterThan(0);
    expect(report.remaining).toEqual([]);
  });

  it('lists what is left and exits 1 when pulumi destroy fails', async () => {
    const made = await deployment('eta', projectTags('eta'));
    const ws = new MemoryWorkspace();
    ws.seed('eta', { 'aws:region': REGION }, { resources: 13 });
    ws.failOn('eta', 'destroy');
    const d = deps(ws);
    expect(await teardownMain(['--stack', 'eta', '--yes'], d)).toBe(1);
    const text = d.stdout.join('');
    expect(text).toMatch(/stack eta was not removed: destroy of eta failed/);
    expect(text).toMatch(new RegExp(`${made.length} resources left for stack eta`));
    expect(ws.stacks.has('eta')).toBe(true);
  });

  it("removes the stack's host accounts after the destroy; one made by hand without the tags stays, listed (exit 1)", async () => {
    const spec = makeSpec({ stack: 'acct-one', region: REGION });
    const store = new AccountStore(ssm, 'acct-one', defaultTags(spec));
    await store.add('alice', 'alice-password-1');
    await store.add('bob', 'bob-password-1');
    await ssm.send(new PutParameterCommand({ Name: accountParameterName('acct-one', 'byhand'), Value: 'x', Type: 'SecureString' }));
    const ws = new MemoryWorkspace();
    ws.seed('acct-one', { 'aws:region': REGION }, { resources: 2 });

    const refused = deps(ws, false);
    await expect(teardownMain(['--stack', 'acct-one'], refused)).rejects.toThrow(/not confirmed/);
    expect(refused.said.join('\n')).toContain('its host accounts (npm run accounts -- list --stack acct-one shows them)');
    expect((await store.list()).map((a) => a.name)).toEqual(['alice', 'bob', 'byhand']);

    const d = deps(ws);
    expect(await teardownMain(['--stack', 'acct-one', '--yes', '--json'], d)).toBe(1);
    const report = JSON.parse(d.stdout.join('')) as TeardownReport;
    expect(report.accountsRemoved!.map((o) => [o.resourceId, o.removed])).toEqual([
      [accountParameterName('acct-one', 'alice'), true],
      [accountParameterName('acct-one', 'bob'), true],
    ]);
    // The orphan proof after the removal lists what is left: the untagged one, never purged.
    expect(report.remaining.map((o) => [o.resourceId, o.purgeable])).toEqual([[accountParameterName('acct-one', 'byhand'), false]]);
    expect((await store.list()).map((a) => a.name)).toEqual(['byhand']);
  });

  it('--orphans lists the host accounts and leaves them; --purge removes them', async () => {
    const store = new AccountStore(ssm, 'acct-two', defaultTags(makeSpec({ stack: 'acct-two', region: REGION })));
    await store.add('carol', 'carol-password-1');
    const ws = new MemoryWorkspace();
    const check = deps(ws);
    expect(await teardownMain(['--stack', 'acct-two', '--orphans', '--region', REGION, '--json'], check)).toBe(1);
    const report = JSON.parse(check.stdout.join('')) as TeardownReport;
    expect(report.remaining.map((o) => [o.kind, o.resourceId, o.purgeable])).toEqual([['ssm:parameter', accountParameterName('acct-two', 'carol'), true]]);
    expect(report.accountsRemoved).toBeUndefined();
    expect((await store.list()).map((a) => a.name)).toEqual(['carol']);

    expect(await teardownMain(['--stack', 'acct-two', '--orphans', '--purge', '--yes', '--region', REGION, '--json'], deps(ws))).toBe(0);
    expect(await store.list()).toEqual([]);
  });

  it('keeps the stack with --keep-state, and asks before destroying without --yes', async () => {
    const ws = new MemoryWorkspace();
    ws.seed('epsilon', { 'aws:region': REGION }, { resources: 2 });
    const refused = deps(ws, false);
    await expect(teardownMain(['--stack', 'epsilon'], refused)).rejects.toThrow(UsageError);
    expect(refused.questions[0]).toMatch(/Destroy every resource of stack epsilon in eu-central-1/);
    expect(ws.opsFor('epsilon')).toEqual([]);

    const confirmed = deps(ws, true);
    expect(await teardownMain(['--stack', 'epsilon', '--keep-state'], confirmed)).toBe(0);
    expect(ws.opsFor('epsilon')).toEqual(['destroy']);
    expect(ws.stacks.has('epsilon')).toBe(true);
    expect(confirmed.stdout.join('')).toMatch(/no orphans/);
  });

  it('says before asking that the stack file goes too (it is git-ignored), and reports it removed', async () => {
    const ws = new MemoryWorkspace();
    ws.seed('nu', { 'aws:region': REGION }, { resources: 2 });
    const file = '/memory/Pulumi.nu.yaml';
    const refused = deps(ws, false);
    await expect(teardownMain(['--stack', 'nu'], refused)).rejects.toThrow(/not confirmed/);
    const asked = refused.said.indexOf(refused.questions[0]!);
    const preview = refused.said.slice(0, asked).join('\n');
    expect(preview).toContain(`its stack file ${file}, which git ignores: no copy stays`);
    expect(preview).toContain('the stack and its history in the in-memory backend');
    expect(refused.questions[0]).toMatch(/then the stack and Pulumi\.nu\.yaml\? Type the stack name/);
    expect(ws.files.has('nu')).toBe(true);

    const kept = deps(ws, true);
    await teardownMain(['--stack', 'nu', '--keep-state'], kept);
    expect(kept.said.join('\n')).toContain(`its stack file ${file} stay (--keep-state)`);
    expect(ws.files.has('nu')).toBe(true);

    const removed = deps(ws);
    expect(await teardownMain(['--stack', 'nu', '--yes', '--json'], removed)).toBe(0);
    expect(removed.said.join('\n')).toContain(`its stack file ${file}, which git ignores`);
    expect(JSON.parse(removed.stdout.join('')).stackFileRemoved).toBe(file);
    expect(ws.files.has('nu')).toBe(false);
  });

  it('needs a region when the stack file is gone, and refuses contradictions', async () => {
    const ws = new MemoryWorkspace();
    await expect(teardownMain(['--stack', 'ghost', '--orphans'], deps(ws))).rejects.toThrow(/no region for stack ghost[\s\S]*--region/);
    ws.seed('zeta', { 'aws:region': 'eu-north-1' });
    await expect(teardownMain(['--stack', 'zeta', '--orphans', '--region', REGION], deps(ws))).rejects.toThrow(/differs from aws:region eu-north-1/);
    await expect(teardownMain(['--stack', 'zeta', '--orphans', '--keep-state'], deps(ws))).rejects.toThrow(/--keep-state has no effect/);
    await expect(teardownMain([], deps(ws))).rejects.toThrow(/missing --stack NAME/);
  });

  it('refuses --config with where the stack file has to be, before anything else happens', async () => {
    const ws = new MemoryWorkspace();
    for (const args of [['--config', 'elsewhere/Pulumi.zeta.yaml'], ['--config=Pulumi.zeta.yaml', '--orphans'], ['--stack', 'zeta', '--config']]) {
      const refused = teardownMain(args, deps(ws));
      await expect(refused).rejects.toThrow(UsageError);
      await expect(refused).rejects.toThrow(/^teardown works on the stack whose file is Pulumi\.NAME\.yaml next to Pulumi\.yaml \(Pulumi reads it there\): use --stack NAME/);
    }
    await expect(teardownMain(['--config', 'elsewhere/Pulumi.zeta.yaml'], deps(ws))).rejects.toThrow(/cp elsewhere\/Pulumi\.zeta\.yaml \S+\/Pulumi\.zeta\.yaml, then use --stack zeta/);
    expect(ws.opsFor('zeta')).toEqual([]);
  });
});

describe('--purge: already gone is done', () => {
  it('counts a volume deleted together with its instance as removed, and exits 0 when nothing is left', async () => {
    // The root volume carries the stack's tags (as the launch template gives them), so the check
    // lists it; terminating the instance deletes it before its turn comes.
    const instance = (await ec2.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, TagSpecifications: [{ ResourceType: 'instance', Tags: projectTags('iota') }, { ResourceType: 'volume', Tags: projectTags('iota') }] }))).Instances![0]!.InstanceId!;
    const rootVolume = (await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instance] }] }))).Volumes![0]!.VolumeId!;

    const result = teardown(['--stack', 'iota', '--orphans', '--purge', '--yes', '--json']);
    expect(result.stderr).not.toMatch(/error:/);
    expect(result.stderr).toMatch(/removing 1 ec2:volume/);
    const report = JSON.parse(result.stdout);
    expect(ids(report.orphans)).toEqual([instance, rootVolume].sort());
    expect(report.purged).toEqual([
      { id: expect.stringContaining(instance), kind: 'ec2:instance', resourceId: instance, removed: true },
      { id: expect.stringContaining(rootVolume), kind: 'ec2:volume', resourceId: rootVolume, removed: true, alreadyGone: true },
    ]);
    expect(report.remaining).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('counts every kind the purge handles as removed when it is gone by the time the purge comes to it', async () => {
    const made = await deployment('kappa', projectTags('kappa'));
    const eni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: made[1]!, TagSpecifications: [{ ResourceType: 'network-interface', Tags: projectTags('kappa') }] }))).NetworkInterface!.NetworkInterfaceId!;
    const bucket = await bundleBucket('jitsi-eu-kappa-bundles-20261206a', projectTags('kappa'));
    await record('kappa.sandbox.example.org', 'A', '192.0.2.50');
    await record('_jitsi-eu.kappa.sandbox.example.org', 'TXT', '"jitsi-eu:stack=kappa"');
    const found = await findOrphans(clients, await callerIdentity(clients), { stack: 'kappa', region: REGION, domain: 'kappa.sandbox.example.org' });
    expect(found.every((o) => o.purgeable)).toBe(true);
    expect(ids(found)).toEqual(expect.arrayContaining([eni, bucket, ...made]));
    const options = { progress: () => {}, pollMs: 50 };

    const first = await purgeOrphans(clients, found, options);
    expect(first.filter((o) => !o.removed)).toEqual([]);

    // The same list again: everything on it is gone now.
    const second = await purgeOrphans(clients, found, options);
    const failures = second.filter((o) => !o.removed);
    expect(failures).toEqual([]);
    const kinds = (outcomes: PurgeOutcome[]) => [...new Set(outcomes.map((o) => o.kind))];
    expect(kinds(second)).toEqual([
      'autoscaling:autoScalingGroup', 'ec2:instance', 'ec2:elastic-ip', 'ec2:launch-template', 'ec2:network-interface', 'ec2:volume', 'ec2:snapshot',
      'ec2:security-group', 'ec2:subnet', 'ec2:route-table', 'ec2:internet-gateway', 'ec2:vpc', 's3:bucket', 'ssm:parameter',
      'iam:instance-profile', 'iam:role', 'iam:policy', 'route53:record',
    ]);
    // A terminated instance can still be terminated (EC2 keeps it listed for a while); everything else says it is gone.
    expect(kinds(second.filter((o) => !o.alreadyGone))).toEqual(['ec2:instance']);
  });
});

describe('the configuration-bundle bucket left behind', () => {
  it("is listed as s3:bucket and purged with every version and delete marker; another stack's look-alike bucket keeps its objects", async () => {
    const own = await bundleBucket('jitsi-eu-mu-bundles-20261206a', projectTags('mu'));
    // Same name prefix, another stack's tags: never touched.
    const decoy = await bundleBucket('jitsi-eu-mu-bundles-20261206b', projectTags('mu-old'));
    expect(await versionsIn(own)).toEqual({ versions: 3, deleteMarkers: 1 });

    const { code, report } = await teardownHere(['--stack', 'mu', '--orphans', '--purge', '--yes', '--region', REGION]);
    expect(report.orphans).toEqual([
      expect.objectContaining({ id: `arn:aws:s3:::${own}`, kind: 's3:bucket', resourceId: own, purgeable: true, tags: expect.objectContaining({ 'jitsi-eu:stack': 'mu' }) }),
    ]);
    expect(report.purged).toEqual([{ id: `arn:aws:s3:::${own}`, kind: 's3:bucket', resourceId: own, removed: true }]);
    expect(report.remaining).toEqual([]);
    expect(code).toBe(0);
    expect(await bucketExists(own)).toBe(false);

    expect(await bucketExists(decoy)).toBe(true);
    expect(await versionsIn(decoy)).toEqual({ versions: 3, deleteMarkers: 1 });
    const again = await teardownHere(['--stack', 'mu', '--orphans', '--region', REGION]);
    expect(again.report.orphans).toEqual([]);
    expect(again.code).toBe(0);
  });

  it('purging the same bucket twice succeeds: the second time it is already gone', async () => {
    const own = await bundleBucket('jitsi-eu-nu-bundles-20261206a', projectTags('nu'));
    const found = await findOrphans(clients, await callerIdentity(clients), { stack: 'nu', region: REGION });
    expect(found.map((o) => [o.kind, o.resourceId, o.purgeable])).toEqual([['s3:bucket', own, true]]);
    const options = { progress: () => {}, pollMs: 50 };

    expect(await purgeOrphans(clients, found, options)).toEqual([{ id: `arn:aws:s3:::${own}`, kind: 's3:bucket', resourceId: own, removed: true }]);
    expect(await purgeOrphans(clients, found, options)).toEqual([{ id: `arn:aws:s3:::${own}`, kind: 's3:bucket', resourceId: own, removed: true, alreadyGone: true }]);
    expect(await bucketExists(own)).toBe(false);
  });

  it('empties a bucket whose versions span several listing pages', async () => {
    const bucket = await bundleBucket('jitsi-eu-xi-bundles-20261206a', projectTags('xi'));
    for (const revision of ['r2', 'r3', 'r4']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `bundles/bridge/${revision}.tar.gz`, Body: revision }));
    expect(await versionsIn(bucket)).toEqual({ versions: 6, deleteMarkers: 1 });
    // Two entries a page: four pages, each deleted before the next is listed.
    const firstPage = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 2 }));
    expect(firstPage.IsTruncated).toBe(true);
    expect((firstPage.Versions?.length ?? 0) + (firstPage.DeleteMarkers?.length ?? 0)).toBe(2);
    await deleteVersionedBucket(clients.s3, bucket, 2);
    expect(await bucketExists(bucket)).toBe(false);
  });
});

describe('DNS records: the site record and its ownership record, never one without the proof', () => {
  it('purges the stack\'s site record and its ownership record, and leaves what the proof does not cover', async () => {
    await record('theta.sandbox.example.org', 'A', '192.0.2.60');
    await record('_jitsi-eu.theta.sandbox.example.org', 'TXT', '"jitsi-eu:stack=theta"');
    // The operator's own TXT at the same name, and a host below it: jitsi-eu wrote neither.
    await record('theta.sandbox.example.org', 'TXT', '"v=spf1 -all"');
    await record('www.theta.sandbox.example.org', 'A', '192.0.2.61');

    const { code, report } = await teardownHere(['--stack', 'theta', '--orphans', '--purge', '--yes', '--region', REGION, '--domain', 'theta.sandbox.example.org']);
    expect(report.purged!.map((p) => [p.resourceId, p.removed])).toEqual([
      ['theta.sandbox.example.org A', true],
      ['_jitsi-eu.theta.sandbox.example.org TXT', true],
    ]);
    expect(Object.fromEntries(report.orphans.filter((o) => !o.purgeable).map((o) => [o.resourceId, o.note]))).toEqual({
      'theta.sandbox.example.org TXT': expect.stringMatching(/jitsi-eu writes only A and AAAA records/),
      'www.theta.sandbox.example.org A': expect.stringMatching(/_jitsi-eu\.www\.theta\.sandbox\.example\.org does not hold the ownership record/),
    });
    expect(report.remaining.map((o) => [o.resourceId, o.purgeable])).toEqual([
      ['theta.sandbox.example.org TXT', false],
      ['www.theta.sandbox.example.org A', false],
    ]);
    expect(code).toBe(1);
    const left = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets!.map((r) => `${r.Name} ${r.Type}`);
    expect(left).toEqual(expect.arrayContaining(['theta.sandbox.example.org. TXT', 'www.theta.sandbox.example.org. A', 'beta.sandbox.example.org. A', '_jitsi-eu.beta.sandbox.example.org. TXT']));
    expect(left).not.toContain('theta.sandbox.example.org. A');
    expect(left).not.toContain('_jitsi-eu.theta.sandbox.example.org. TXT');
  });

  it('keeps the ownership record while the record it proves could not be deleted', async () => {
    await record('omicron.sandbox.example.org', 'A', '192.0.2.90');
    await record('_jitsi-eu.omicron.sandbox.example.org', 'TXT', '"jitsi-eu:stack=omicron"');
    const found = await findOrphans(clients, await callerIdentity(clients), { stack: 'omicron', region: REGION, domain: 'omicron.sandbox.example.org' });
    // Route53 refuses to delete the site record (as it does for a caller without the permission).
    const refusing = new Route53Client({ region: REGION });
    refusing.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { ChangeBatch?: { Changes?: { ResourceRecordSet?: { Type?: string } }[] } };
        if (input.ChangeBatch?.Changes?.some((c) => c.ResourceRecordSet?.Type === 'A')) throw Object.assign(new Error('not allowed to change this record'), { name: 'AccessDenied' });
        return next(args);
      },
      { step: 'initialize' },
    );
    const outcomes = await purgeOrphans({ ...clients, route53: refusing }, found, { progress: () => {} });
    refusing.destroy();
    expect(outcomes.map((o) => [o.resourceId, o.removed, o.error])).toEqual([
      ['omicron.sandbox.example.org A', false, 'AccessDenied: not allowed to change this record'],
      ['_jitsi-eu.omicron.sandbox.example.org TXT', false, 'kept: it proves ownership of a record that could not be deleted'],
    ]);
    const left = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets!.map((r) => `${r.Name} ${r.Type}`);
    expect(left).toEqual(expect.arrayContaining(['omicron.sandbox.example.org. A', '_jitsi-eu.omicron.sandbox.example.org. TXT']));

    // The next purge, allowed again, removes both.
    const again = await findOrphans(clients, await callerIdentity(clients), { stack: 'omicron', region: REGION, domain: 'omicron.sandbox.example.org' });
    expect((await purgeOrphans(clients, again, { progress: () => {} })).map((o) => o.removed)).toEqual([true, true]);
  });

  it("never purges another stack's records, nor a name whose ownership record is shared", async () => {
    await record('lambda.sandbox.example.org', 'A', '192.0.2.70');
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: '_jitsi-eu.lambda.sandbox.example.org', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"jitsi-eu:stack=lambda"' }, { Value: '"jitsi-eu:stack=mu"' }] } }] },
      }),
    );
    for (const domain of ['beta.sandbox.example.org', 'lambda.sandbox.example.org']) {
      const { code, report } = await teardownHere(['--stack', 'lambda', '--orphans', '--purge', '--yes', '--region', REGION, '--domain', domain]);
      expect(code).toBe(1);
      expect(report.purged ?? []).toEqual([]);
      expect(report.remaining.filter((o) => o.kind === 'route53:record').map((o) => o.purgeable)).toEqual([false, false]);
    }
    const left = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets!.map((r) => `${r.Name} ${r.Type}`);
    expect(left).toEqual(expect.arrayContaining(['beta.sandbox.example.org. A', '_jitsi-eu.beta.sandbox.example.org. TXT', 'lambda.sandbox.example.org. A', '_jitsi-eu.lambda.sandbox.example.org. TXT']));
  });
});

describe('stack names with wildcards', () => {
  it("refuses --stack 'bet*' (a usage error) instead of listing the resources of stack beta", async () => {
    const d = deps(new MemoryWorkspace());
    await expect(teardownMain(['--stack', 'bet*', '--orphans', '--json', '--region', REGION], d)).rejects.toThrow(/^--stack "bet\*": the name contains "\*"/);
    expect(d.stdout).toEqual([]);
  });
});

describe('sandbox reap: what it leaves behind is remembered, and the printed command works as printed', () => {
  it('reports the leftovers on every reap, and the printed purge command removes them from a shell without AWS_REGION', async () => {
    const made = await deployment('xi', projectTags('xi'));
    await record('xi.sandbox.example.org', 'A', '192.0.2.80');
    await record('_jitsi-eu.xi.sandbox.example.org', 'TXT', '"jitsi-eu:stack=xi"');
    const ws = new MemoryWorkspace();
    ws.seed('xi', { 'aws:region': REGION, 'jitsi-eu:domain': 'xi.sandbox.example.org', 'jitsi-eu:sandbox': 'true', 'jitsi-eu:expiresAt': '2026-05-01T00:00:00Z' }, { resources: 13 });
    const state = tempDir();
    const reap = async () => {
      // Each reap a fresh process as far as the code can tell: only the leftover file carries over.
      const deps = { ...memoryDeps(new Date('2026-05-04T08:00:00Z'), ws), findOrphans: checkOrphans, requireCredentials: requireAwsCredentials, leftoverStore: leftoverFileStore(state.path) };
      const code = await sandboxMain(['reap'], deps);
      return { code, text: deps.stdout.join('') };
    };
    try {
      const first = await reap();
      expect(first.code).toBe(1);
      expect(first.text).toMatch(/reaped\s+xi\s+expired at .*; \d+ resource\(s\) still tagged for it: remove them with npm run teardown -- --stack xi/);
      expect(ws.stacks.has('xi')).toBe(false);
      expect(existsSync(join(state.path, LEFTOVER_FILE))).toBe(true);

      const second = await reap();
      expect(second.code).toBe(1);
      const hint = /left behind\s+xi\s+(\d+) resource\(s\) left behind by its teardown \(.*?\); remove them with (npm run teardown -- .*)$/m.exec(second.text);
      expect(hint?.[2]).toBe('npm run teardown -- --stack xi --orphans --purge --region eu-central-1 --domain xi.sandbox.example.org');
      expect(Number(hint![1])).toBe(made.length + 2);

      // Exactly as printed, in a terminal (script(1) gives it one) whose user answers the question.
      const { AWS_REGION: _region, ...withoutRegion } = moto.env;
      const home = tempDir();
      const shell = spawnSync(requireTool('script'), ['-qec', hint![2]!, '/dev/null'], {
        cwd: PROJECT_DIR,
        input: 'y\n',
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...withoutRegion, PATH: pathWithoutPulumi(), HOME: home.path, NO_COLOR: '1' },
      });
      home.remove();
      expect(shell.stdout).toMatch(/Remove the \d+ resources marked for purge\? \[y\/N\]/);
      expect(shell.stdout).toMatch(/removed\s+route53:record xi\.sandbox\.example\.org A/);
      expect(shell.stdout).toMatch(/nothing carries jitsi-eu:stack=xi any more/);
      expect(shell.status).toBe(0);

      const third = await reap();
      expect(third.code).toBe(0);
      expect(third.text).toMatch(/cleaned up\s+xi\s+what its teardown left behind \(.*\) is gone now/);
      expect(existsSync(join(state.path, LEFTOVER_FILE))).toBe(false);
      expect((await reap()).text).not.toMatch(/\bxi\b/);
    } finally {
      state.remove();
    }
  });
});

// verify --aws against moto_server (moto's AWS API emulator on loopback): a compliant deployment
// and a non-compliant one, created through the AWS SDK, are judged by the AWS checks; the SSM
// Run Command path runs end to end (moto runs no real command, so the health checks must fail
// with "no answer", which is what verify reports for a silent host).
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateKeyPairCommand,
  CreateSecurityGroupCommand,
  EC2Client,
  EnableEbsEncryptionByDefaultCommand,
  RunInstancesCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../scripts/verify/run.ts';
import type { CheckResult, VerifyReport } from '../../scripts/verify/types.ts';
import { startLoopbackDns, type LoopbackDns } from '../helpers/dns-server.ts';
import { makeSpec } from '../helpers/spec.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';
import { tempDir } from '../helpers/tools.ts';

const execFileAsync = promisify(execFile);

const REGION = 'eu-central-1';
let moto: Moto;
let ec2: EC2Client;
/** Answers the Elastic IP's reverse lookup with AWS's default name for it. */
let dns: LoopbackDns;
/** An address in AWS's published eu-central-1 EC2 ranges, given to the good node as its Elastic IP. */
const ELASTIC_IP = '52.28.0.10';

const world = (protocol: 'tcp' | 'udp', from: number, to = from): IpPermission => ({ IpProtocol: protocol, FromPort: from, ToPort: to, IpRanges: [{ CidrIp: '0.0.0.0/0' }] });

async function securityGroup(name: string, permissions: IpPermission[]): Promise<string> {
  const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name }));
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: permissions }));
  return GroupId!;
}

async function instance(stack: string, options: { groupId: string; tokens: 'required' | 'optional'; encrypted: boolean; keyName?: string }): Promise<string> {
  const result = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12c6146b',
      InstanceType: 'c6i.large',
      MinCount: 1,
      MaxCount: 1,
      SecurityGroupIds: [options.groupId],
      MetadataOptions: { HttpTokens: options.tokens, HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', Encrypted: options.encrypted } }],
      ...(options.keyName ? { KeyName: options.keyName } : {}),
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'jitsi-eu:stack', Value: stack }, { Key: 'jitsi-eu:project', Value: 'jitsi-eu' }] }],
    }),
  );
  return result.Instances![0]!.InstanceId!;
}

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, moto.env);
  dns = await startLoopbackDns({ ptr: { [ELASTIC_IP]: [`ec2-${ELASTIC_IP.replaceAll('.', '-')}.${REGION}.compute.amazonaws.com`] } });
  ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint });
  await ec2.send(new EnableEbsEncryptionByDefaultCommand({}));
  // As designed for a single node with TURN: web, media, STUN/TURN and the relay range.
  const good = await securityGroup('good-signaling', [
    world('tcp', 443), world('tcp', 80), world('udp', 10000),
    world('udp', 3478), world('tcp', 3478), world('tcp', 5349), world('udp', 49152, 49407),
  ]);
  // SSH open to the world, media port missing.
  const bad = await securityGroup('bad-signaling', [world('tcp', 443), world('tcp', 80), world('tcp', 22)]);
  await ec2.send(new CreateKeyPairCommand({ KeyName: 'someone-laptop' }));
  const goodId = await instance('good', { groupId: good, tokens: 'required', encrypted: true });
  const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc', Address: ELASTIC_IP }));
  await ec2.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId, InstanceId: goodId }));
  await instance('bad', { groupId: bad, tokens: 'optional', encrypted: false, keyName: 'someone-laptop' });
});

afterAll(async () => {
  await moto?.stop();
  await dns?.stop();
});

function byId(report: VerifyReport): Map<string, CheckResult> {
  return new Map(report.checks.map((c) => [c.id, c]));
}

const EC2_CHECKS = ['aws-instance-region', 'aws-imdsv2', 'aws-ebs-encrypted', 'aws-no-key-pair', 'aws-security-groups'];

function verifyStack(stack: string, only: string[]): Promise<VerifyReport> {
  return runVerify({
    spec: makeSpec({ stack, domain: 'meet.example.org', region: REGION, turn: true }),
    aws: true,
    only,
    awsEndpoint: moto.endpoint,
    timeoutSeconds: 60,
  });
}

describe('verify --aws', () => {
  it('passes a deployment built as designed', async () => {
    const checks = byId(await verifyStack('good', EC2_CHECKS));
    for (const id of EC2_CHECKS) expect([id, checks.get(id)?.status, checks.get(id)?.detail]).toEqual([id, 'PASS', checks.get(id)?.detail]);
    expect(checks.get('aws-instance-region')?.detail).toContain(`${REGION}`);
  });

  it('fails optional IMDS tokens, an unencrypted volume, a key pair and SSH open to the world', async () => {
    const checks = byId(await verifyStack('bad', EC2_CHECKS));
    expect(checks.get('aws-instance-region')?.status).toBe('PASS');
    expect(checks.get('aws-imdsv2')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('HttpTokens optional') });
    expect(checks.get('aws-ebs-encrypted')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('unencrypted') });
    expect(checks.get('aws-no-key-pair')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('someone-laptop') });
    const groups = checks.get('aws-security-groups')!;
    expect(groups.status).toBe('FAIL');
    expect(groups.detail).toContain('admin port 22');
    expect(groups.detail).toContain('udp/10000 is not open to the world');
  });

  it('fails every AWS check when the stack has no instances', async () => {
    const report = await verifyStack('nothing-here', EC2_CHECKS);
    for (const check of report.checks) expect(check).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('no instances found by tag jitsi-eu:stack=nothing-here') });
  });

  it('asks the hosts through SSM Run Command and reports a host whose health script prints nothing', async () => {
    const checks = byId(await verifyStack('good', ['aws-jvb-health', 'aws-jicofo-health', 'aws-bridge-count']));
    expect(checks.get('aws-jvb-health')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('no answer (command Success)') });
    expect(checks.get('aws-jicofo-health')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('gave no answer') });
    expect(checks.get('aws-bridge-count')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('no bridge count') });
  });

  it('without a stack, finds the deployment by the address its domain resolves to', async () => {
    // The SDK's default region is elsewhere: only the address's reverse DNS name can lead to REGION.
    const sdkRegion = process.env.AWS_REGION;
    process.env.AWS_REGION = 'us-west-2';
    let report: VerifyReport;
    try {
      report = await runVerify({
        url: 'https://meet.example.org',
        resolve: [`meet.example.org:${ELASTIC_IP}`],
        aws: true,
        only: ['aws-imdsv2', 'aws-no-key-pair', 'aws-instance-region'],
        awsEndpoint: moto.endpoint,
        dnsServers: [dns.server],
        timeoutSeconds: 60,
      });
    } finally {
      process.env.AWS_REGION = sdkRegion;
    }
    const checks = byId(report);
    expect(checks.get('aws-imdsv2')?.status).toBe('PASS');
    expect(checks.get('aws-no-key-pair')?.status).toBe('PASS');
    // The region came from the address's EC2 reverse DNS name; the instances from its stack tag.
    expect(dns.queries).toContain(`PTR ${ELASTIC_IP.split('.').reverse().join('.')}.in-addr.arpa`);
    expect(checks.get('aws-instance-region')).toMatchObject({
      status: 'PASS',
      detail: expect.stringContaining(`public address ${ELASTIC_IP} → stack good in ${REGION}`),
    });
  });

  it('without AWS credentials: exit 2 and one line saying what is missing, before any check runs', async () => {
    const home = tempDir('jitsi-eu-verify-no-aws-');
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home.path, AWS_CONFIG_FILE: join(home.path, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(home.path, 'none') };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[name];
    try {
      const run = await execFileAsync(
        'npx',
        ['tsx', 'scripts/verify.ts', '--url', 'https://meet.example.org', '--resolve', `meet.example.org:${ELASTIC_IP}`, '--dns', dns.server, '--aws', '--only', 'aws', '--timeout', '30'],
        { encoding: 'utf8', env },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      );
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      // Besides progress lines (and the SDK's notice about Node versions), one error line.
      const errors = run.stderr.split('\n').filter((line) => /error|FAIL/i.test(line));
      expect(errors).toEqual([expect.stringMatching(/^error: --aws: no AWS credentials were found; set AWS_PROFILE \(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\), or leave out --aws$/)]);
    } finally {
      home.remove();
    }
  });
});

// status against moto_server: a scalable stack (a signaling instance and a bridge Auto Scaling
// group, tagged as the Pulumi program tags them) read through the real AWS SDK calls. moto's SSM
// runs no commands, so the hosts answer through RecordedHostCommands (the real probe script in
// bash, with recorded tool output); the public certificate comes from a real TLS handshake with a
// loopback server.
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { AutoScalingClient, CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, CreateSubnetCommand, CreateVpcCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand, type Instance, type Tag } from '@aws-sdk/client-ec2';
import { ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBundle } from '../../infra/render/bundle.ts';
import { requireAwsCredentials } from '../../scripts/deploy/credentials.ts';
import { openAwsStack, type StatusDeps } from '../../scripts/status/deps.ts';
import { SsmHostCommands } from '../../scripts/lib/host-commands.ts';
import { statusMain } from '../../scripts/status/main.ts';
import { readPublicCertificate } from '../../scripts/status/public-certificate.ts';
import { bundleRevision } from '../../scripts/status/revision.ts';
import type { StatusReport } from '../../scripts/status/types.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';
import { RECORDED, RecordedHostCommands, type RecordedHost } from '../helpers/recorded-hosts.ts';
import { makeSpec } from '../helpers/spec.ts';
import { createTestCa, type IssuedCertificate, type TestCa } from '../helpers/test-ca.ts';
import { tempDir } from '../helpers/tools.ts';

const REGION = 'eu-central-1';
const AMI = 'ami-12c6146b';
const STACK = 'status-prod';
const DOMAIN = 'meet.example.org';
const DAY = 86_400_000;
const spec = makeSpec({ stack: STACK, region: REGION, domain: DOMAIN, topology: 'scalable', bridges: { min: 2, max: 4, instanceType: 'c6i.2xlarge' } });

let moto: Moto;
let ec2: EC2Client;
let ssm: SSMClient;
let signaling: Instance;
let bridges: Instance[];
let ca: TestCa;
let leaf: IssuedCertificate;
let server: Server;
let tlsPort: number;
const dir = tempDir();

const stackTags: Tag[] = [
  { Key: 'jitsi-eu:stack', Value: STACK },
  { Key: 'jitsi-eu:project', Value: 'jitsi-eu' },
];

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, moto.env, { AWS_REGION: REGION });
  ec2 = new EC2Client({ region: REGION });
  ssm = new SSMClient({ region: REGION });
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.30.1.0/24', AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!;
  await ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 'c6i.xlarge', MinCount: 1, MaxCount: 1, SubnetId: subnet, TagSpecifications: [{ ResourceType: 'instance', Tags: stackTags }] }));
  // Another stack's instance: status must not see it.
  await ec2.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, SubnetId: subnet, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'jitsi-eu:stack', Value: 'other' }] }] }));
  const template = (await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: `${STACK}-bridge`, LaunchTemplateData: { ImageId: AMI, InstanceType: 'c6i.2xlarge' } }))).LaunchTemplate!.LaunchTemplateId!;
  const autoscaling = new AutoScalingClient({ region: REGION });
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: `${STACK}-bridges`,
      LaunchTemplate: { LaunchTemplateId: template },
      MinSize: 2,
      MaxSize: 4,
      DesiredCapacity: 2,
      VPCZoneIdentifier: subnet,
      Tags: stackTags.map((t) => ({ Key: t.Key!, Value: t.Value!, PropagateAtLaunch: true })),
    }),
  );
  autoscaling.destroy();
  const described = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:jitsi-eu:stack', Values: [STACK] }] }));
  const instances = (described.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  signaling = instances.find((i) => !i.Tags?.some((t) => t.Key === 'aws:autoscaling:groupName'))!;
  bridges = instances.filter((i) => i !== signaling).sort((a, b) => a.InstanceId!.localeCompare(b.InstanceId!));
  expect(bridges).toHaveLength(2);

  ca = createTestCa(dir.path);
  leaf = ca.issue({ names: [DOMAIN], notAfter: new Date(Date.now() + 90 * DAY) });
  server = createServer({ key: leaf.keyPem, cert: leaf.fullchainPem }, (socket) => socket.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  tlsPort = (server.address() as AddressInfo).port;
}, 60_000);

afterAll(async () => {
  server?.close();
  ec2?.destroy();
  ssm?.destroy();
  await moto?.stop();
  dir.remove();
});

const revision = (role: 'signaling' | 'bridge') => bundleRevision(renderBundle(spec), role);

function healthyHosts(): Map<string, RecordedHost> {
  return new Map<string, RecordedHost>([
    [signaling.InstanceId!, { dpkg: RECORDED.signalingDpkg(spec.jitsiVersion), revisionFile: `${revision('signaling')}\n`, jicofoStats: RECORDED.jicofoStats(3, 10, 2), certificateFile: leaf.certPath }],
    [bridges[0]!.InstanceId!, { dpkg: RECORDED.bridgeDpkg(), revisionFile: `${revision('bridge')}\n`, colibriStats: RECORDED.colibriStats(2, 7) }],
    [bridges[1]!.InstanceId!, { dpkg: RECORDED.bridgeDpkg(), revisionFile: `${revision('bridge')}\n`, colibriStats: RECORDED.colibriStats(1, 3) }],
  ]);
}

/** One hour after the last launch: every instance has run about an hour this month. */
const anHourIn = () => new Date(Math.max(signaling.LaunchTime!.getTime(), ...bridges.map((b) => b.LaunchTime!.getTime())) + 3_600_000);

async function runStatus(hosts: Map<string, RecordedHost>, json = true) {
  let out = '';
  const progress: string[] = [];
  const deps: StatusDeps = {
    loadSpec: () => spec,
    requireCredentials: (region) => requireAwsCredentials(region),
    openStack: (region) => ({ ...openAwsStack(region), hosts: new RecordedHostCommands(hosts, DOMAIN) }),
    openChannel: async () => {
      throw new Error('no channel is opened for an AWS stack');
    },
    publicCertificate: (domain, timeoutMs) => readPublicCertificate({ host: domain, ip: '127.0.0.1', port: tlsPort }, timeoutMs, [ca.caCertPem]),
    now: anHourIn,
    out: (text) => (out += text),
    progress: (message) => progress.push(message),
  };
  const code = await statusMain({ stack: STACK, json, timeoutMs: 5000 }, deps);
  return { code, out, progress, report: json ? (JSON.parse(out) as StatusReport) : undefined };
}

describe('status against moto_server', () => {
  it('reports a healthy stack: hosts, bridge group, conferences, certificate, revisions, cost; exit 0', async () => {
    const { code, report, progress } = await runStatus(healthyHosts());
    expect(report!.problems).toEqual([]);
    expect(code).toBe(0);
    expect(report!.hosts.map((h) => [h.instanceId, h.role, h.answer])).toEqual([
      [signaling.InstanceId, 'signaling', 'answered'],
      [bridges[0]!.InstanceId, 'bridge', 'answered'],
      [bridges[1]!.InstanceId, 'bridge', 'answered'],
    ]);
    expect(report!.versions).toEqual({ release: spec.jitsiVersion, expectedPackage: `2.0.${spec.jitsiVersion}-1` });
    expect(report!.hosts[0]!.packages).toContainEqual({ name: 'jitsi-meet', version: `2.0.${spec.jitsiVersion}-1` });
    expect(report!.bridgeGroup).toEqual({ name: `${STACK}-bridges`, min: 2, max: 4, desired: 2, inService: 2, draining: 0, starting: 0 });
    expect(report!.conferences).toEqual({ conferences: 3, participants: 10, source: 'videobridges' });
    expect(report!.hosts[0]!.focus).toEqual({ conferences: 3, participants: 10, bridges: 2, operationalBridges: 2 });
    const notAfter = new Date(new X509Certificate(leaf.certPem).validTo).toISOString();
    expect(report!.certificate).toEqual({ domain: DOMAIN, hostNotAfter: notAfter, publicNotAfter: notAfter, publicTrusted: true, daysLeft: 89 });
    expect(report!.hosts.map((h) => h.revision)).toEqual([revision('signaling'), revision('bridge'), revision('bridge')]);
    // An hour each: 0.1738 € for the signaling node, 0.3401 € per bridge (see status-cost.test.ts).
    expect(report!.cost.totalEur).toBeCloseTo(0.1738 + 2 * 0.3401, 2);
    expect(report!.sandbox).toBeUndefined();
    expect(progress.some((line) => line.includes('through SSM Run Command'))).toBe(true);
  });

  it('prints a readable report', async () => {
    const { code, out } = await runStatus(healthyHosts(), false);
    expect(code).toBe(0);
    expect(out).toContain(`Jitsi release pinned: ${spec.jitsiVersion}`);
    expect(out).toContain(`Bridges: 2 in service, 0 draining, 0 starting; desired 2 (min 2, max 4) in ${STACK}-bridges; jicofo uses 2`);
    expect(out).toContain('Conferences now: 3, participants: 10 (from the videobridges)');
    expect(out).toContain('89 days left');
    expect(out).toContain('✓ every host answered and runs what the stack says');
    for (const id of [signaling.InstanceId!, ...bridges.map((b) => b.InstanceId!)]) expect(out).toContain(id);
  });

  it('names the silent host and the mismatched revision, reports the rest, and exits 1', async () => {
    const hosts = healthyHosts();
    hosts.set(bridges[0]!.InstanceId!, { ...hosts.get(bridges[0]!.InstanceId!)!, silent: true });
    hosts.set(bridges[1]!.InstanceId!, { ...hosts.get(bridges[1]!.InstanceId!)!, revisionFile: '0123456789ab\n' });
    const signalingHost = hosts.get(signaling.InstanceId!)!;
    delete signalingHost.revisionFile;
    const { code, report } = await runStatus(hosts);
    expect(code).toBe(1);
    expect(report!.problems.map((p) => p.message)).toEqual([
      `bridge ${bridges[0]!.InstanceId} did not answer: no answer through SSM within 5000 ms`,
      `bridge ${bridges[1]!.InstanceId} runs configuration revision 0123456789ab; the stack renders ${revision('bridge')}`,
    ]);
    expect(report!.notes).toEqual([`configuration revision unknown on ${signaling.InstanceId}: the host records none in /etc/jitsi-eu/revision`]);
    expect(report!.conferences).toEqual({ conferences: 1, participants: 3, source: 'videobridges' });
    expect(report!.hosts[1]!.answer).toBe('no-answer');
  });

  it('reports a certificate expiring within 14 days on the host and as served', async () => {
    const soon = ca.issue({ names: [DOMAIN], notAfter: new Date(Date.now() + 10 * DAY) });
    const shortServer = createServer({ key: soon.keyPem, cert: soon.fullchainPem }, (socket) => socket.end());
    shortServer.listen(0, '127.0.0.1');
    await once(shortServer, 'listening');
    const previousPort = tlsPort;
    tlsPort = (shortServer.address() as AddressInfo).port;
    try {
      const hosts = healthyHosts();
      hosts.set(signaling.InstanceId!, { ...hosts.get(signaling.InstanceId!)!, certificateFile: soon.certPath });
      const { code, report } = await runStatus(hosts);
      expect(code).toBe(1);
      expect(report!.problems.map((p) => p.message)).toEqual([`the certificate of ${DOMAIN} expires in 9 days`]);
    } finally {
      tlsPort = previousPort;
      shortServer.close();
    }
  });
});

describe('SSM Run Command requests', () => {
  it('sends AWS-RunShellScript with the probe to the instances and reads each invocation within the bound', async () => {
    // What the SDK sends, recorded before serialisation; moto then accepts (or refuses) it.
    const client = new SSMClient({ region: REGION });
    const requests: { command: string; input: Record<string, unknown> }[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        requests.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
        return next(args);
      },
      { step: 'initialize' },
    );
    const commands = new SsmHostCommands(client, { pollMs: 10 });
    const ids = bridges.map((b) => b.InstanceId!);
    const answered: string[] = [];
    const answers = await commands.run(ids, 'echo probe', { timeoutMs: 3000, onAnswer: (id) => answered.push(id), comment: 'jitsi-eu status: versions, statistics, certificate (read only)' });
    client.destroy();

    const send = requests.filter((r) => r.command === 'SendCommandCommand');
    expect(send).toEqual([
      {
        command: 'SendCommandCommand',
        input: { DocumentName: 'AWS-RunShellScript', InstanceIds: ids, Parameters: { commands: ['echo probe'] }, TimeoutSeconds: 30, Comment: 'jitsi-eu status: versions, statistics, certificate (read only)' },
      },
    ]);
    const commandId = (await ssm.send(new ListCommandsCommand({}))).Commands!.find((c) => c.Comment?.startsWith('jitsi-eu status'))!.CommandId;
    const reads = requests.filter((r) => r.command === 'GetCommandInvocationCommand').map((r) => r.input);
    expect(reads.length).toBeGreaterThanOrEqual(ids.length);
    for (const read of reads) expect(read).toEqual({ CommandId: commandId, InstanceId: expect.stringMatching(/^i-/) });
    expect(new Set(reads.map((r) => r.InstanceId))).toEqual(new Set(ids));
    // Every instance has an answer (moto reports each invocation as done), told as it came.
    expect([...answers.keys()].sort()).toEqual([...ids].sort());
    expect(answered.sort()).toEqual([...ids].sort());
    for (const answer of answers.values()) expect(answer.state).toBe('answered');
  });
});

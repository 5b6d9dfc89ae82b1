// rotate's AWS side against moto_server, with the stand-in Pulumi CLI: the stack's hosts found by
// their tags through the real EC2 and Auto Scaling calls, the agent asked through real SSM Run
// Command calls. moto's SSM runs no command and answers with empty output, which is not the
// agent's report: rotate must say so, stop before the bridges, and exit 1 with the retry. And
// nothing it prints contains a value of the stack's SSM parameters.
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AutoScalingClient, CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, CreateSubnetCommand, CreateVpcCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand, type Tag } from '@aws-sdk/client-ec2';
import { ListCommandsCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretUrns } from '../../infra/aws/secret-urns.ts';
import { SECRET_NAMES, ssmParameterName } from '../../infra/secrets.ts';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import { requireAwsCredentials } from '../../scripts/deploy/credentials.ts';
import { openPulumiWorkspace } from '../../scripts/lib/workspace.ts';
import { openAwsStackHosts } from '../../scripts/rotate/aws.ts';
import { APPLY_SCRIPT } from '../../scripts/rotate/hosts.ts';
import { rotateMain, type RotateDeps } from '../../scripts/rotate/main.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';
import { writeOwnNamesStack } from '../helpers/own-names-stack.ts';
import { tempDir } from '../helpers/tools.ts';

const STACK = 'own-motorotate';
// The region of Pulumi.example-scalable.yaml, which the stack file is made from.
const REGION = 'eu-north-1';
const AMI = 'ami-12c6146b';
const STUB_BIN = resolve(PROJECT_DIR, 'test/fixtures/fake-pulumi/bin');
const stackTags: Tag[] = [
  { Key: 'jitsi-eu:stack', Value: STACK },
  { Key: 'jitsi-eu:project', Value: 'jitsi-eu' },
];

let moto: Moto;
let ssm: SSMClient;
let signalingId: string;
let removeStack = () => {};
const dir = tempDir();
/** The values a deployed stack keeps in SSM; none may ever be printed. */
const values = new Map<string, string>();

beforeAll(async () => {
  removeStack = writeOwnNamesStack('scalable', STACK);
  moto = await startMoto();
  Object.assign(process.env, moto.env, { AWS_REGION: REGION });
  const ec2 = new EC2Client({ region: REGION });
  ssm = new SSMClient({ region: REGION });
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.40.1.0/24', AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!;
  await ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 'c6i.xlarge', MinCount: 1, MaxCount: 1, SubnetId: subnet, TagSpecifications: [{ ResourceType: 'instance', Tags: stackTags }] }));
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
  signalingId = instances.find((i) => !i.Tags?.some((t) => t.Key === 'aws:autoscaling:groupName'))!.InstanceId!;
  expect(instances).toHaveLength(3);
  ec2.destroy();
  for (const [i, name] of SECRET_NAMES.entries()) {
    const value = `Zq${i}x7${name.replace(/-/g, '')}Wk3Lm9Pt`;
    values.set(name, value);
    await ssm.send(new PutParameterCommand({ Name: ssmParameterName(STACK, name), Type: 'SecureString', Value: value }));
  }
}, 90_000);

afterAll(async () => {
  removeStack();
  ssm?.destroy();
  await moto?.stop();
  dir.remove();
});

describe('rotate against moto_server', () => {
  it('asks the signaling host first through SSM, reports an answer that is not the agent\'s as a failure, and prints no secret', async () => {
    const project = join(dir.path, 'project');
    const state = join(dir.path, 'state');
    mkdirSync(project);
    mkdirSync(join(state, '.pulumi/stacks/jitsi-eu'), { recursive: true });
    copyFileSync(join(PROJECT_DIR, 'Pulumi.yaml'), join(project, 'Pulumi.yaml'));
    writeFileSync(join(state, `.pulumi/stacks/jitsi-eu/${STACK}.json`), JSON.stringify({ secretsProvider: 'passphrase', resources: 40, outputs: {}, history: [] }));
    chmodSync(join(STUB_BIN, 'pulumi'), 0o755);
    const { password, parameter } = secretUrns(STACK, 'focus-password');
    const events = [
      ['replace', password, 'random:index/randomPassword:RandomPassword'],
      ['update', parameter, 'aws:ssm/parameter:Parameter'],
    ].map(([op, urn, type], i) => ({ sequence: i + 1, timestamp: 1_780_000_000, resourcePreEvent: { metadata: { op, urn, type, provider: '' }, planning: true } }));
    const summary = { sequence: 3, timestamp: 1_780_000_000, summaryEvent: { maybeCorrupt: false, durationSeconds: 2, resourceChanges: { replace: 1, update: 1, same: 38 }, policyPacks: {} } };
    writeFileSync(join(dir.path, 'events.json'), JSON.stringify([...events, summary]));
    process.env.FAKE_PULUMI_EVENTS = join(dir.path, 'events.json');
    process.env.FAKE_PULUMI_LOG = join(dir.path, 'calls.jsonl');

    const printed: string[] = [];
    const deps: RotateDeps = {
      openWorkspace: () =>
        openPulumiWorkspace({
          projectDir: project,
          env: { PATH: `${STUB_BIN}:${dirname(process.execPath)}:/usr/bin:/bin`, PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: 'stub-test-passphrase' },
          home: dir.path,
        }),
      requireCredentials: (region) => requireAwsCredentials(region),
      out: (text) => void printed.push(text),
      progress: (message) => void printed.push(message),
      onOutput: (text) => void printed.push(text),
      interactive: () => false,
      ask: async () => '',
      openHosts: async (region) => openAwsStackHosts(region),
      now: () => new Date('2026-12-06T16:40:00.000Z'),
    };
    expect(await rotateMain(['--stack', STACK, '--only', 'focus-password', '--yes', '--json', '--host-timeout', '1m'], deps)).toBe(1);

    const report = JSON.parse(printed.find((p) => p.startsWith('{'))!);
    expect(report.hosts.map((h: { role: string; state: string }) => [h.role, h.state])).toEqual([
      ['signaling', 'failed'],
      ['bridge', 'not-run'],
      ['bridge', 'not-run'],
    ]);
    expect(report.hosts[0].instanceId).toBe(signalingId);
    expect(report.hosts[0].detail).toContain("not with the agent's report");
    expect(report.retry).toBe(`npm run rotate -- --stack ${STACK} --only focus-password --hosts-only --yes`);

    // Exactly one command reached SSM: the agent, for the signaling host; the bridges were not
    // asked. (moto lists every instance of the region under a command sent without targets, so
    // its InstanceIds only show that the signaling host is among them.)
    const commands = (await ssm.send(new ListCommandsCommand({}))).Commands ?? [];
    expect(commands.map((c) => ({ document: c.DocumentName, commands: c.Parameters?.commands, comment: c.Comment }))).toEqual([
      { document: 'AWS-RunShellScript', commands: [APPLY_SCRIPT], comment: `jitsi-eu rotate ${STACK}: pick up new focus-password` },
    ]);
    expect(commands[0]!.InstanceIds).toContain(signalingId);

    const everything = printed.join('\n');
    for (const [name, value] of values) expect(everything.includes(value), name).toBe(false);
  }, 60_000);
});

// A sandbox its expiry has stopped, against moto_server (AWS's APIs on loopback): `list` reads
// the stopped state from EC2 and prices only the address and disk; `extend` starts the signaling
// node again and gives the bridge pool back its minimum; `reap` still removes it.
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, CreateSubnetCommand, CreateVpcCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specFromConfig } from '../../infra/spec/index.ts';
import type { StackConfig } from '../../scripts/lib/workspace.ts';
import { AWS_SANDBOX_HOSTS } from '../../scripts/sandbox/hosts.ts';
import { sandboxMain } from '../../scripts/sandbox/main.ts';
import { stoppedCost } from '../../scripts/sandbox/stopped-cost.ts';
import { memoryDeps, type MemoryDeps } from '../fixtures/fake-pulumi/memory-deps.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';

const REGION = 'eu-central-1';
const AMI = 'ami-12c6146b';
const NOW = new Date('2026-05-04T08:00:00Z');

let moto: Moto;
let ec2: EC2Client;
let autoscaling: AutoScalingClient;
const savedEnv = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, moto.env, { AWS_REGION: REGION });
  ec2 = new EC2Client({ region: REGION });
  autoscaling = new AutoScalingClient({ region: REGION });
}, 60_000);

afterAll(async () => {
  ec2?.destroy();
  autoscaling?.destroy();
  await moto?.stop();
  for (const key of Object.keys(moto?.env ?? {})) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

async function launch(): Promise<string> {
  return (await ec2.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, InstanceType: 'c6i.large' }))).Instances![0]!.InstanceId!;
}

/** What the expiry schedule's StopInstances call leaves behind. */
async function stop(instanceId: string): Promise<void> {
  await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
}

async function stateOf(instanceId: string): Promise<string | undefined> {
  return (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

function sandbox(expiresAt: string, extra: StackConfig = {}): StackConfig {
  return {
    'aws:region': REGION,
    'jitsi-eu:domain': 'course.example.org',
    'jitsi-eu:acmeEmail': 'it@uni.example',
    'jitsi-eu:instanceType': 'c6i.large',
    'jitsi-eu:sandbox': true,
    'jitsi-eu:expiresAt': expiresAt,
    ...extra,
  };
}

function deployedDeps(): MemoryDeps {
  const deps = memoryDeps(NOW);
  deps.hosts = AWS_SANDBOX_HOSTS;
  return deps;
}

const outputs = (instanceId: string, groupName?: string) => ({
  signalingInstanceId: { value: instanceId, secret: false },
  region: { value: REGION, secret: false },
  ...(groupName ? { bridgeAsgName: { value: groupName, secret: false } } : {}),
});

describe('sandbox list against EC2', () => {
  it('shows a sandbox its expiry stopped as stopped, costing only its address and disk; a running one as running', async () => {
    const stopped = await launch();
    await stop(stopped);
    const running = await launch();
    const deps = deployedDeps();
    deps.workspace.seed('old', sandbox('2026-05-04T06:00:00Z'), { resources: 20, outputs: outputs(stopped), firstUpdate: new Date('2026-05-01T08:00:00Z') });
    deps.workspace.seed('new', sandbox('2026-05-06T08:00:00Z'), { resources: 20, outputs: outputs(running), firstUpdate: new Date('2026-05-04T07:00:00Z') });
    expect(await sandboxMain(['list', '--json'], deps)).toBe(0);
    const rows = JSON.parse(deps.stdout.join('')).sandboxes as { stack: string; state: string; hourlyCostEur: number; accruedCostEur: number; whenStopped: { billing: string } }[];
    const spec = specFromConfig(sandbox('2026-05-04T06:00:00Z'), { stack: 'old', now: NOW });
    if (!spec.ok) throw new Error('test config invalid');
    const idle = stoppedCost(spec.spec).hourlyCostEur!;
    expect(rows.map((r) => [r.stack, r.state, r.hourlyCostEur])).toEqual([['new', 'running', 0.1], ['old', 'stopped', idle]]);
    expect(rows.map((r) => r.whenStopped.billing)).toEqual(['disk-and-address', 'disk-and-address']);
    // An Elastic IP and a 20 GiB gp3 volume: well under a cent an hour, far below a running c6i.large.
    expect(idle).toBeGreaterThan(0.005);
    expect(idle).toBeLessThan(0.01);
    // Running from 05-01 08:00 until its expiry 05-04 06:00 (70 h at 0.1), idle since (2 h).
    expect(rows.find((r) => r.stack === 'old')!.accruedCostEur).toBe(Math.round((70 * 0.1 + 2 * idle) * 100) / 100);

    const table = deployedDeps();
    table.workspace.seed('old', sandbox('2026-05-04T06:00:00Z'), { resources: 20, outputs: outputs(stopped) });
    await sandboxMain(['list'], table);
    expect(table.stdout.join('')).toMatch(/old\s+https:\/\/course\.example\.org\s+stopped\s+expired 2h ago/);
    expect(table.stdout.join('')).toMatch(/stopped: its expiry stopped it/);
  });
});

describe('sandbox extend after the expiry stopped it', () => {
  it('starts the signaling node again and gives the bridge pool back its minimum', async () => {
    const instanceId = await launch();
    await stop(instanceId);
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.30.1.0/24', AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!;
    const template = (await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'course-bridge', LaunchTemplateData: { ImageId: AMI, InstanceType: 'c6i.xlarge' } }))).LaunchTemplate!.LaunchTemplateId!;
    // As the schedule's UpdateAutoScalingGroup left it: minimum and desired 0.
    await autoscaling.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'course-bridges', LaunchTemplate: { LaunchTemplateId: template }, MinSize: 0, DesiredCapacity: 0, MaxSize: 4, VPCZoneIdentifier: subnet }));

    const deps = deployedDeps();
    const config = sandbox('2026-05-04T06:00:00Z', { 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': '{"min":2,"max":4,"instanceType":"c6i.xlarge"}' });
    deps.workspace.seed('course', config, { resources: 40, outputs: outputs(instanceId, 'course-bridges') });
    expect(await sandboxMain(['extend', 'course', '--ttl', '2d', '--json'], deps)).toBe(0);
    const extended = JSON.parse(deps.stdout.join(''));
    expect(extended).toMatchObject({ stack: 'course', expiresAt: '2026-05-06T08:00:00Z', scheduleMoved: true });
    expect(extended.restarted).toHaveLength(2);
    expect(['pending', 'running']).toContain(await stateOf(instanceId));
    const group = (await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['course-bridges'] }))).AutoScalingGroups![0]!;
    expect([group.MinSize, group.DesiredCapacity]).toEqual([2, 2]);

    // Extending a sandbox that is running starts nothing.
    const again = deployedDeps();
    again.workspace.seed('course', { ...config, 'jitsi-eu:expiresAt': '2026-05-06T08:00:00Z' }, { resources: 40, outputs: outputs(instanceId, 'course-bridges') });
    expect(await sandboxMain(['extend', 'course', '--ttl', '3d', '--json'], again)).toBe(0);
    expect(JSON.parse(again.stdout.join('')).restarted).toEqual([]);
  });
});

describe('sandbox reap', () => {
  it('still removes a sandbox its expiry has stopped', async () => {
    const instanceId = await launch();
    await stop(instanceId);
    const deps = deployedDeps();
    deps.workspace.seed('gone', sandbox('2026-05-04T06:00:00Z'), { resources: 20, outputs: outputs(instanceId) });
    expect(await sandboxMain(['reap', '--json'], deps)).toBe(0);
    expect(deps.workspace.opsFor('gone')).toEqual(expect.arrayContaining(['destroy', 'removeStack']));
    expect(JSON.parse(deps.stdout.join('')).entries).toEqual([expect.objectContaining({ stack: 'gone', action: 'reaped' })]);
  });
});

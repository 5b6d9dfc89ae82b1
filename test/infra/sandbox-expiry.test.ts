// The sandbox's own expiry under Pulumi's mocks: schedules exist only for sandboxes, fire at
// expiresAt in UTC, stop exactly this stack's hosts through a role scoped to them, live in the
// stack's region, and move when the expiry moves without touching any host.
import { beforeAll, describe, expect, it } from 'vitest';
import { type RecordedResource, type Recording, providerUrn, recordProgram } from '../../scripts/plan/record.ts';
import { specFromConfig } from '../../infra/spec/index.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { userDataFor } from '../../infra/aws/user-data.ts';
import { SIGNALING_PRIVATE_IP } from '../../infra/aws/layout.ts';
import { expiryTargets } from '../../scripts/sandbox/expiry-targets.ts';

const ACCOUNT = '210987654321';
const SCHEDULE = 'aws:scheduler/schedule:Schedule';
const INSTANCE = 'aws:ec2/instance:Instance';
const TEMPLATE = 'aws:ec2/launchTemplate:LaunchTemplate';
const GROUP = 'aws:autoscaling/group:Group';

function sandboxConfig(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'aws:region': 'eu-central-1',
    'jitsi-eu:domain': 'course.sandbox.example.org',
    'jitsi-eu:tls': 'letsencrypt-staging',
    'jitsi-eu:acmeEmail': 'it@example.org',
    'jitsi-eu:instanceType': 'c6i.large',
    'jitsi-eu:auth': 'secure',
    'jitsi-eu:sandbox': 'true',
    // Given with an offset on purpose: the schedule must fire at the same instant in UTC.
    'jitsi-eu:expiresAt': '2027-03-31T20:00:00+02:00',
    'jitsi-eu:owner': 'lecturer@example.org',
    'jitsi-eu:organization': 'Example University',
    'jitsi-eu:privacyContact': 'dpo@example.org',
    ...overrides,
  };
}
const SCALABLE = { 'aws:region': 'eu-north-1', 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': JSON.stringify({ min: 2, max: 4, instanceType: 'c6i.xlarge' }) };

let single: Recording;
let scalable: Recording;
let notSandbox: Recording;
let extended: Recording;
let extendedScalable: Recording;

beforeAll(async () => {
  const record = (stack: string, config: Record<string, string>) => recordProgram({ stack, config, accountId: ACCOUNT });
  single = await record('course', sandboxConfig());
  scalable = await record('big-course', sandboxConfig(SCALABLE));
  // A production stack may carry an expiresAt (a reminder): nothing stops it.
  notSandbox = await record('prod', sandboxConfig({ 'jitsi-eu:sandbox': 'false' }));
  extended = await record('course', sandboxConfig({ 'jitsi-eu:expiresAt': '2027-04-30T18:00:00Z' }));
  extendedScalable = await record('big-course', sandboxConfig({ ...SCALABLE, 'jitsi-eu:expiresAt': '2027-04-30T18:00:00Z' }));
});

const all = (r: Recording, type: string) => r.resources.filter((x) => x.type === type);
function one(r: Recording, type: string, name?: string): RecordedResource {
  const found = all(r, type).filter((x) => name === undefined || x.name === name);
  expect(found, `${type} ${name ?? ''}`).toHaveLength(1);
  return found[0]!;
}
const obj = (v: unknown) => v as Record<string, unknown>;
const target = (s: RecordedResource) => obj(s.inputs.target);
const inputOf = (s: RecordedResource) => JSON.parse(target(s).input as string) as Record<string, unknown>;

describe('which stacks stop themselves', () => {
  it('a sandbox with expiresAt gets a schedule per kind of host; a stack that is not a sandbox gets none', () => {
    expect(all(single, SCHEDULE).map((s) => s.name)).toEqual(['expiry-stop-signaling']);
    expect(all(scalable, SCHEDULE).map((s) => s.name).sort()).toEqual(['expiry-stop-bridges', 'expiry-stop-signaling']);
    expect(all(notSandbox, SCHEDULE)).toEqual([]);
    expect(all(notSandbox, 'aws:scheduler/scheduleGroup:ScheduleGroup')).toEqual([]);
    expect(notSandbox.resources.some((r) => r.type === 'jitsi-eu:aws:SandboxExpiry')).toBe(false);
  });
});

describe('when', () => {
  it('fires once at expiresAt, in UTC, at that exact minute, and stays for Pulumi to move or delete', () => {
    for (const r of [single, scalable]) {
      expect(all(r, SCHEDULE).length).toBeGreaterThan(0);
      for (const s of all(r, SCHEDULE)) {
        expect(s.inputs.scheduleExpression).toBe('at(2027-03-31T18:00:00)');
        expect(s.inputs.scheduleExpressionTimezone).toBe('UTC');
        expect(s.inputs.flexibleTimeWindow).toEqual({ mode: 'OFF' });
        expect(s.inputs.actionAfterCompletion).toBe('NONE');
      }
    }
  });
});

describe('what it stops', () => {
  it('the signaling node: EC2 StopInstances on this stack\'s instance, and nothing else', () => {
    const schedule = one(single, SCHEDULE, 'expiry-stop-signaling');
    expect(target(schedule).arn).toBe('arn:aws:scheduler:::aws-sdk:ec2:stopInstances');
    expect(inputOf(schedule)).toEqual({ InstanceIds: [one(single, INSTANCE).id] });
  });

  it('the bridge pool: minimum and desired size 0 on this stack\'s Auto Scaling group', () => {
    const schedule = one(scalable, SCHEDULE, 'expiry-stop-bridges');
    expect(target(schedule).arn).toBe('arn:aws:scheduler:::aws-sdk:autoscaling:updateAutoScalingGroup');
    expect(inputOf(schedule)).toEqual({ AutoScalingGroupName: one(scalable, GROUP).id, MinSize: 0, DesiredCapacity: 0 });
  });

  it('acts as a role only EventBridge Scheduler of this account may assume, allowed exactly those two actions on exactly those hosts', () => {
    for (const r of [single, scalable]) {
      const role = one(r, 'aws:iam/role:Role', 'expiry-role');
      const trust = JSON.parse(role.inputs.assumeRolePolicy as string);
      expect(trust.Statement).toEqual([{
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      }]);
      const region = r === single ? 'eu-central-1' : 'eu-north-1';
      const policy = one(r, 'aws:iam/rolePolicy:RolePolicy', 'expiry-stop');
      const statements = JSON.parse(policy.inputs.policy as string).Statement as { Action: string; Resource: string }[];
      const expected = [{ Action: 'ec2:StopInstances', Resource: `arn:aws:ec2:${region}:${ACCOUNT}:instance/${one(r, INSTANCE).id}` }];
      if (r === scalable) {
        expected.push({ Action: 'autoscaling:UpdateAutoScalingGroup', Resource: `arn:aws:autoscaling:${region}:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/${one(r, GROUP).id}` });
      }
      expect(statements.map(({ Action, Resource }) => ({ Action, Resource }))).toEqual(expected);
      for (const s of all(r, SCHEDULE)) expect(target(s).roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/${role.id}`);
    }
  });
});

describe('where', () => {
  it('every expiry resource is made by the stack\'s EU provider, in the stack\'s region, with its tags on the schedule group', () => {
    for (const [r, region] of [[single, 'eu-central-1'], [scalable, 'eu-north-1']] as const) {
      const provider = one(r, 'pulumi:providers:aws');
      const mine = r.resources.filter((x) => x.custom && x.urn.includes('jitsi-eu:aws:SandboxExpiry$'));
      expect(mine.length).toBe(r === single ? 4 : 5);
      for (const x of mine) {
        expect(providerUrn(x.provider!)).toBe(provider.urn);
        expect(x.inputs.region).toBeUndefined();
      }
      expect(provider.inputs.region).toBe(region);
      const group = one(r, 'aws:scheduler/scheduleGroup:ScheduleGroup');
      expect(group.inputs.name).toBe(`jitsi-eu-${r.stack}`);
      for (const s of all(r, SCHEDULE)) expect(s.inputs.groupName).toBe(`jitsi-eu-${r.stack}`);
    }
  });
});

describe('sandbox extend', () => {
  it('moves every schedule to the new expiry', () => {
    for (const r of [extended, extendedScalable]) {
      expect(all(r, SCHEDULE).length).toBeGreaterThan(0);
      for (const s of all(r, SCHEDULE)) expect(s.inputs.scheduleExpression).toBe('at(2027-04-30T18:00:00)');
    }
  });

  it('changes no replacement-forcing input of any host: image, type, network, and user data that is the bundle\'s alone', () => {
    for (const [before, after] of [[single, extended], [scalable, extendedScalable]] as const) {
      const pick = (x: RecordedResource) => ({ ami: x.inputs.ami, instanceType: x.inputs.instanceType, nic: x.inputs.primaryNetworkInterface, imageId: x.inputs.imageId, ni: x.inputs.networkInterfaces });
      for (const type of [INSTANCE, TEMPLATE]) {
        expect(all(after, type).map(pick)).toEqual(all(before, type).map(pick));
      }
      // User data is rendered from the spec only: nothing of the schedules reaches it.
      for (const r of [before, after]) {
        const result = specFromConfig(configOf(r), { stack: r.stack });
        if (!result.ok) throw new Error('test config invalid');
        const bundle = renderBundle(result.spec);
        expect(one(r, INSTANCE).inputs.userDataBase64).toBe(userDataFor(bundle, 'signaling', { signalingPrivateIp: SIGNALING_PRIVATE_IP }).base64);
      }
    }
  });

  it('targets exactly the expiry resources the program registers, so no other resource is updated', () => {
    for (const r of [single, scalable]) {
      // The engine leaves the root stack's type out of a top-level component's URN; the mock monitor keeps it.
      const urns = r.resources.filter((x) => x.urn.includes('jitsi-eu:aws:SandboxExpiry')).map((x) => x.urn.replace('::pulumi:pulumi:Stack$', '::')).sort();
      expect(urns.length).toBe(r === single ? 5 : 6);
      expect(expiryTargets(r.stack, r === scalable ? 'scalable' : 'single').sort()).toEqual(urns);
    }
  });
});

function configOf(r: Recording): Record<string, string> {
  if (r === single) return sandboxConfig();
  if (r === scalable) return sandboxConfig(SCALABLE);
  if (r === extended) return sandboxConfig({ 'jitsi-eu:expiresAt': '2027-04-30T18:00:00Z' });
  return sandboxConfig({ ...SCALABLE, 'jitsi-eu:expiresAt': '2027-04-30T18:00:00Z' });
}

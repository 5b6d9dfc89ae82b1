// The Debian image is a recorded choice of the stack: once pinned, a newer image published
// upstream changes no instance or launch template input; a new pinned image, a new Jitsi release
// or a new instance type does. Bridges roll through the group's instance refresh.
import { describe, expect, it } from 'vitest';
import { type RecordedResource, type Recording, recordProgram } from '../../scripts/plan/record.ts';

const BASE: Record<string, string> = {
  'aws:region': 'eu-central-1',
  'jitsi-eu:domain': 'meet.example.org',
  'jitsi-eu:acmeEmail': 'ops@example.org',
  'jitsi-eu:organization': 'Example University',
  'jitsi-eu:privacyContact': 'dpo@example.org',
  'jitsi-eu:topology': 'scalable',
  'jitsi-eu:bridges': '{"min":1,"max":3,"instanceType":"c6i.xlarge"}',
};
const PINNED = 'ami-0aaaaaaaaaaaaaaa1';
const UPSTREAM_OLD = 'ami-0bbbbbbbbbbbbbbb1';
const UPSTREAM_NEW = 'ami-0bbbbbbbbbbbbbbb2';

const HOST_TYPES = ['aws:ec2/instance:Instance', 'aws:ec2/launchTemplate:LaunchTemplate'];
/** Every input of every instance and launch template: what decides whether hosts are replaced. */
const hostInputs = (rec: Recording) =>
  Object.fromEntries(rec.resources.filter((r) => HOST_TYPES.includes(r.type)).map((r) => [`${r.type} ${r.name}`, r.inputs]));
const one = (rec: Recording, type: string): RecordedResource => {
  const found = rec.resources.filter((r) => r.type === type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const run = (config: Record<string, string>, newest: string, newestArm = 'ami-0cccccccccccccc01') =>
  recordProgram({ stack: 'pinned', config: { ...BASE, ...config }, newestImages: { x86_64: newest, arm64: newestArm } });

describe('a stack with its image recorded', () => {
  it('changes no instance or launch template input when a newer Debian image is published', async () => {
    const before = await run({ 'jitsi-eu:amiId': PINNED }, UPSTREAM_OLD);
    const after = await run({ 'jitsi-eu:amiId': PINNED }, UPSTREAM_NEW);
    expect(Object.keys(hostInputs(before))).toHaveLength(2);
    expect(hostInputs(after)).toEqual(hostInputs(before));
    expect(one(after, 'aws:ec2/instance:Instance').inputs.ami).toBe(PINNED);
    expect(one(after, 'aws:ec2/launchTemplate:LaunchTemplate').inputs.imageId).toBe(PINNED);
    // Found by its id alone, even once AWS has marked it deprecated (two years after publication).
    const lookups = after.invokes.filter((i) => i.token === 'aws:ec2/getAmi:getAmi');
    expect(lookups.map((l) => l.inputs)).toEqual([{ filters: [{ name: 'image-id', values: [PINNED] }], includeDeprecated: true }]);
  });

  it('keeps a Graviton pool on its own recorded image and the signaling node on the x86 one', async () => {
    const config = { 'jitsi-eu:bridges': '{"min":1,"max":3,"instanceType":"c7g.xlarge"}', 'jitsi-eu:amiId': PINNED, 'jitsi-eu:bridgeAmiId': 'ami-0dddddddddddddd01' };
    const before = await run(config, UPSTREAM_OLD, 'ami-0cccccccccccccc01');
    const after = await run(config, UPSTREAM_NEW, 'ami-0cccccccccccccc02');
    expect(hostInputs(after)).toEqual(hostInputs(before));
    expect(one(after, 'aws:ec2/instance:Instance').inputs.ami).toBe(PINNED);
    expect(one(after, 'aws:ec2/launchTemplate:LaunchTemplate').inputs.imageId).toBe('ami-0dddddddddddddd01');
  });

  it('without a recorded image follows upstream: the reason images are recorded', async () => {
    const before = await run({}, UPSTREAM_OLD);
    const after = await run({}, UPSTREAM_NEW);
    expect(one(after, 'aws:ec2/instance:Instance').inputs.ami).toBe(UPSTREAM_NEW);
    expect(hostInputs(after)).not.toEqual(hostInputs(before));
  });
});

describe('changes that need new hosts', () => {
  it('a new recorded image changes the instance image and the launch template image, nothing else of them', async () => {
    const before = await run({ 'jitsi-eu:amiId': PINNED }, UPSTREAM_OLD);
    const after = await run({ 'jitsi-eu:amiId': UPSTREAM_NEW }, UPSTREAM_OLD);
    const instance = [before, after].map((r) => one(r, 'aws:ec2/instance:Instance').inputs);
    expect(instance[1]!.ami).toBe(UPSTREAM_NEW);
    expect({ ...instance[1], ami: PINNED }).toEqual(instance[0]);
    const template = [before, after].map((r) => one(r, 'aws:ec2/launchTemplate:LaunchTemplate').inputs);
    expect(template[1]!.imageId).toBe(UPSTREAM_NEW);
    expect({ ...template[1], imageId: PINNED }).toEqual(template[0]);
  });

  it('a new Jitsi release changes the user data of the signaling node and of the bridges', async () => {
    const before = await run({ 'jitsi-eu:amiId': PINNED }, UPSTREAM_OLD);
    const after = await run({ 'jitsi-eu:amiId': PINNED, 'jitsi-eu:jitsiVersion': '10655' }, UPSTREAM_OLD);
    const instance = [before, after].map((r) => one(r, 'aws:ec2/instance:Instance').inputs);
    expect(instance[1]!.userDataBase64).not.toEqual(instance[0]!.userDataBase64);
    expect(instance[1]!.userDataReplaceOnChange).toBe(true);
    const template = [before, after].map((r) => one(r, 'aws:ec2/launchTemplate:LaunchTemplate').inputs);
    expect(template[1]!.userData).not.toEqual(template[0]!.userData);
    expect(instance[1]!.ami).toBe(PINNED);
  });

  it('a new instance type changes only the type of the host of that role', async () => {
    const before = await run({ 'jitsi-eu:amiId': PINNED }, UPSTREAM_OLD);
    const after = await run({ 'jitsi-eu:amiId': PINNED, 'jitsi-eu:bridges': '{"min":1,"max":3,"instanceType":"c6i.2xlarge"}' }, UPSTREAM_OLD);
    expect(one(after, 'aws:ec2/launchTemplate:LaunchTemplate').inputs.instanceType).toBe('c6i.2xlarge');
    expect(one(after, 'aws:ec2/instance:Instance').inputs).toEqual(one(before, 'aws:ec2/instance:Instance').inputs);
  });
});

describe('the bridge group', () => {
  it('rolls a new launch template version through an instance refresh that keeps 100 % healthy and drains leaving bridges', async () => {
    const rec = await run({ 'jitsi-eu:amiId': PINNED }, UPSTREAM_OLD);
    const group = one(rec, 'aws:autoscaling/group:Group').inputs as Record<string, any>;
    expect(group.instanceRefresh.strategy).toBe('Rolling');
    expect(group.instanceRefresh.preferences.minHealthyPercentage).toBe(100);
    // Room above 100 % is what lets new bridges start before old ones leave.
    expect(group.instanceRefresh.preferences.maxHealthyPercentage).toBeGreaterThan(100);
    // A refresh starts when the group's launchTemplate changes; "$Latest" would never change.
    const template = one(rec, 'aws:ec2/launchTemplate:LaunchTemplate');
    expect(group.launchTemplate).toEqual({ id: template.id, version: '1' });
    expect(template.inputs.updateDefaultVersion).toBe(true);
    const hook = one(rec, 'aws:autoscaling/lifecycleHook:LifecycleHook').inputs;
    expect(hook.lifecycleTransition).toBe('autoscaling:EC2_INSTANCE_TERMINATING');
  });
});

// A configuration change never forces a new host: under Pulumi's mocks, the inputs that replace
// the signaling instance or roll the bridges (user data, image, instance type, subnet) stay
// byte-identical for every kind of configuration change, which travels in the bundle instead
// (a new object and pointer). A new Jitsi release does change them.
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Recording, recordProgram } from '../../scripts/plan/record.ts';
import { type PulumiConfig, readStackConfig } from '../../scripts/plan/config.ts';

const BASE = readStackConfig('Pulumi.example-scalable.yaml');
const STACK = 'example-scalable';

/** Each kind of configuration change the issue names, as a change of the stack file. */
const CHANGES: Record<string, PulumiConfig> = {
  'a privacy setting (peer-to-peer on)': { 'jitsi-eu:p2p': 'true' },
  'the notice organisation': { 'jitsi-eu:organization': 'Another University' },
  'the notice contact and legal basis': { 'jitsi-eu:privacyContact': 'privacy@example.org', 'jitsi-eu:legalBasis': 'public-task' },
  'the notice translations': { 'jitsi-eu:noticeTranslations': JSON.stringify(['de', 'fr']) },
  'the lobby off': { 'jitsi-eu:lobby': 'false' },
  'TURN off': { 'jitsi-eu:turn': 'false' },
  'sandbox expiry': { 'jitsi-eu:expiresAt': '2027-06-30T18:00:00Z' },
  'bridge pool size': { 'jitsi-eu:bridges': JSON.stringify({ min: 3, max: 12, instanceType: 'c6i.2xlarge' }) },
  'the embedding origins': { 'jitsi-eu:embedOrigins': JSON.stringify(['https://lms.example.org']) },
};

interface HostInputs {
  signaling: Record<string, unknown>;
  bridges: Record<string, unknown>;
  bundles: Record<string, string>;
}

function hostInputs(rec: Recording): HostInputs {
  const instance = rec.resources.find((r) => r.type === 'aws:ec2/instance:Instance')!.inputs;
  const template = rec.resources.find((r) => r.type === 'aws:ec2/launchTemplate:LaunchTemplate')!.inputs;
  const objects = rec.resources.filter((r) => r.type === 'aws:s3/bucketObjectv2:BucketObjectv2');
  return {
    signaling: { userDataBase64: instance.userDataBase64, ami: instance.ami, instanceType: instance.instanceType, network: instance.primaryNetworkInterface },
    bridges: { userData: template.userData, imageId: template.imageId, instanceType: template.instanceType, networkInterfaces: template.networkInterfaces },
    bundles: Object.fromEntries(objects.map((o) => [String(o.inputs.key).split('/')[1]!, String(o.inputs.key)])),
  };
}

const record = (config: PulumiConfig) => recordProgram({ stack: STACK, config, warn: () => {} });

let before: Recording;
beforeAll(async () => {
  before = await record(BASE);
}, 120_000);

describe('a configuration change keeps every host', () => {
  it.each(Object.keys(CHANGES))('%s: user data, image, instance type and subnet of every host stay byte-identical; a new bundle carries it', async (label) => {
    const after = await record({ ...BASE, ...CHANGES[label] });
    const was = hostInputs(before);
    const now = hostInputs(after);
    expect(now.signaling).toEqual(was.signaling);
    expect(now.bridges).toEqual(was.bridges);
    // The bootstrap holds no configuration at all.
    expect(gunzipSync(Buffer.from(String(now.signaling.userDataBase64), 'base64')).toString('utf8')).toContain('jitsi-eu-apply');
    // The bundle of at least one role is a new object (its key names the new revision).
    const pool = label === 'bridge pool size' || label === 'sandbox expiry';
    if (!pool) expect(now.bundles).not.toEqual(was.bundles);
  }, 120_000);
});

describe('a new Jitsi release', () => {
  it('changes the user data of the signaling node and of the bridges (new hosts, rolled)', async () => {
    const after = await record({ ...BASE, 'jitsi-eu:jitsiVersion': '10888' });
    const was = hostInputs(before);
    const now = hostInputs(after);
    expect(now.signaling.userDataBase64).not.toEqual(was.signaling.userDataBase64);
    expect(now.bridges.userData).not.toEqual(was.bridges.userData);
  }, 120_000);
});

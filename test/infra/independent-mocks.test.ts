// The Pulumi program for the production and the scalable example stacks, under mocks written
// here and nowhere else: neither `npm run plan` nor the other infra tests share them, so a fault
// in plan's mock layer cannot hide the same fault in what these tests see. The resources they
// record must be the ones `plan --json` lists.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR, loadStackFile } from '../../infra/spec/index.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { DEPLOY_VALUES } from '../../infra/placeholders.ts';
import { TURN_RELAY_PORTS } from '../../infra/ports.ts';
import { secretsFor } from '../../infra/secrets.ts';
import { runNpmScript } from '../helpers/npm-run.ts';

const ACCOUNT_ID = '123456789012';
const ELASTIC_IP = '192.0.2.44';
const IMAGE_ID = 'ami-0aaaabbbbccccdddd';
const ZONE_ID = 'Z00INDEPENDENT';
/** EC2 refuses user data over 16 KB; what it receives is the gzip. */
const EC2_USER_DATA_LIMIT = 16 * 1024;
const WORLD = ['0.0.0.0/0', '::/0'];

interface Registered {
  type: string;
  name: string;
  custom: boolean;
  provider?: string;
  inputs: Record<string, unknown>;
  /** The id these mocks answered with. */
  id: string;
}

interface Lookup {
  token: string;
  inputs: Record<string, unknown>;
  provider?: string;
}

interface StackRun {
  file: string;
  spec: DeploymentSpec;
  resources: Registered[];
  lookups: Lookup[];
  /** Every value these mocks generated for a random password. */
  secrets: string[];
  outputs: Record<string, unknown>;
}

/** `config:` of a stack file as the Pulumi CLI hands it to a program: strings, mappings as JSON. */
function stackConfig(file: string): Record<string, string> {
  const document = parse(readFileSync(file, 'utf8')) as { config: Record<string, unknown> };
  return Object.fromEntries(Object.entries(document.config).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
}

/** Mocks of the cloud: each resource gets an id and the computed outputs the program reads. */
function answerRegistration(args: pulumi.runtime.MockResourceArgs, secrets: string[]): { id: string; state: Record<string, unknown> } {
  const inputs = args.inputs as Record<string, unknown>;
  const id = `${args.type.split(':').pop()!.toLowerCase()}-${args.name}`;
  const arn = (resource: string) => `arn:aws:iam::${ACCOUNT_ID}:${resource}`;
  switch (args.type) {
    case 'random:index/randomPassword:RandomPassword': {
      const result = randomBytes(Number(inputs.length)).toString('hex').slice(0, Number(inputs.length));
      secrets.push(result);
      return { id, state: { ...inputs, result } };
    }
    case 'aws:ec2/eip:Eip':
      return { id, state: { ...inputs, publicIp: ELASTIC_IP, allocationId: id } };
    case 'aws:ec2/launchTemplate:LaunchTemplate':
      return { id, state: { ...inputs, latestVersion: 3 } };
    case 'aws:autoscaling/group:Group':
      return { id, state: { ...inputs, name: `${String(inputs.namePrefix)}20260101` } };
    case 'aws:iam/role:Role':
      return { id, state: { ...inputs, name: args.name, arn: arn(`role/${args.name}`) } };
    case 'aws:iam/instanceProfile:InstanceProfile':
      return { id, state: { ...inputs, name: args.name, arn: arn(`instance-profile/${args.name}`) } };
    case 'aws:iam/policy:Policy':
      return { id: arn(`policy/${args.name}`), state: { ...inputs, arn: arn(`policy/${args.name}`) } };
    default:
      return { id, state: inputs };
  }
}

/** Mocks of the lookups the program makes; any other lookup is a failure. */
function answerLookup(args: pulumi.runtime.MockCallArgs, region: string): Record<string, unknown> {
  const inputs = args.inputs as Record<string, unknown>;
  switch (args.token) {
    case 'aws:index/getPartition:getPartition':
      return { id: 'aws', partition: 'aws', dnsSuffix: 'amazonaws.com' };
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { id: ACCOUNT_ID, accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/ops`, userId: 'AIDAEXAMPLE' };
    case 'aws:index/getServicePrincipal:getServicePrincipal':
      return { id: String(inputs.serviceName), name: `${String(inputs.serviceName)}.amazonaws.com`, serviceName: inputs.serviceName, suffix: 'amazonaws.com' };
    case 'aws:index/getAvailabilityZones:getAvailabilityZones':
      // Out of order on purpose: the program picks the first two by name.
      return { id: region, names: [`${region}c`, `${region}a`, `${region}b`], zoneIds: [] };
    case 'aws:ec2/getAmi:getAmi':
      return { id: IMAGE_ID, imageId: IMAGE_ID, rootDeviceName: '/dev/xvda', architecture: 'x86_64' };
    case 'aws:route53/getZone:getZone':
      return { id: ZONE_ID, zoneId: ZONE_ID, name: inputs.name };
    default:
      throw new Error(`these mocks do not answer the lookup ${args.token}`);
  }
}

/** Runs the program once for a stack file. Runs must not overlap: Pulumi's runtime is process-wide. */
async function runStack(stack: string): Promise<StackRun> {
  const file = join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
  const loaded = loadStackFile(file);
  if (!loaded.ok) throw new Error(`${file} is invalid: ${JSON.stringify(loaded.problems)}`);
  const resources: Registered[] = [];
  const lookups: Lookup[] = [];
  const secrets: string[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const answer = answerRegistration(args, secrets);
        resources.push({
          type: args.type,
          name: args.name,
          custom: args.custom ?? false,
          ...(args.provider ? { provider: args.provider } : {}),
          inputs: args.inputs as Record<string, unknown>,
          id: answer.id,
        });
        return answer;
      },
      call(args) {
        lookups.push({ token: args.token, inputs: args.inputs as Record<string, unknown>, ...(args.provider ? { provider: args.provider } : {}) });
        return answerLookup(args, loaded.spec.region);
      },
    },
    'jitsi-eu',
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(stackConfig(file));
  // Imported once the mocks are in place.
  const { jitsiEuProgram } = await import('../../infra/program.ts');
  const outputs = (await pulumi.runtime.runInPulumiStack(() => jitsiEuProgram({ warn: () => {} }))) as Record<string, unknown>;
  // Lets every registration still in flight reach the mocks.
  await pulumi.runtime.disconnect();
  return { file, spec: loaded.spec, resources, lookups, secrets, outputs };
}

const runs = new Map<string, StackRun>();
const STACKS = ['example-production', 'example-scalable'] as const;

beforeAll(async () => {
  for (const stack of STACKS) runs.set(stack, await runStack(stack));
});

const ofType = (run: StackRun, type: string) => run.resources.filter((r) => r.type === type);
const hosts = (run: StackRun) => [...ofType(run, 'aws:ec2/instance:Instance'), ...ofType(run, 'aws:ec2/launchTemplate:LaunchTemplate')];

/** A secret input arrives as Pulumi's secret envelope `{<signature key>: <secret signature>, value}`. */
function plain(value: unknown): unknown {
  if (value && typeof value === 'object' && 'value' in value && Object.keys(value).length === 2) return (value as { value: unknown }).value;
  return value;
}

function userDataOf(host: Registered): Buffer {
  const encoded = host.type === 'aws:ec2/instance:Instance' ? host.inputs.userDataBase64 : host.inputs.userData;
  expect(typeof encoded, `${host.name} user data`).toBe('string');
  return Buffer.from(String(encoded), 'base64');
}

describe.each(STACKS)('%s under independent mocks', (stack) => {
  it('is the scalable or the single topology the stack file asks for', () => {
    const run = runs.get(stack)!;
    expect(ofType(run, 'aws:ec2/instance:Instance')).toHaveLength(1);
    expect(ofType(run, 'aws:ec2/launchTemplate:LaunchTemplate')).toHaveLength(run.spec.topology === 'scalable' ? 1 : 0);
    expect(ofType(run, 'aws:autoscaling/group:Group')).toHaveLength(run.spec.topology === 'scalable' ? 1 : 0);
  });

  it('creates everything through one provider in the stack region, and looks up through it too', () => {
    const run = runs.get(stack)!;
    const providers = ofType(run, 'pulumi:providers:aws');
    expect(providers).toHaveLength(1);
    const [provider] = providers;
    expect(provider!.inputs.region).toBe(run.spec.region);
    // A provider reference is `<provider urn>::<provider id>`.
    const reference = new RegExp(`pulumi:providers:aws::${provider!.name}::${provider!.id}$`);
    const awsResources = run.resources.filter((r) => r.type.startsWith('aws:'));
    expect(awsResources.length).toBeGreaterThan(20);
    for (const resource of awsResources) expect(resource.provider, `${resource.type} ${resource.name}`).toMatch(reference);
    const awsLookups = run.lookups.filter((l) => l.token.startsWith('aws:'));
    expect(awsLookups.map((l) => l.token)).toEqual(expect.arrayContaining(['aws:index/getCallerIdentity:getCallerIdentity', 'aws:ec2/getAmi:getAmi']));
    for (const lookup of awsLookups) expect(lookup.provider, lookup.token).toMatch(reference);
  });

  it('hardens every instance and launch template: IMDSv2, hop limit 1, encrypted gp3, no key pair', () => {
    const run = runs.get(stack)!;
    expect(ofType(run, 'aws:ec2/keyPair:KeyPair')).toEqual([]);
    for (const host of hosts(run)) {
      const metadata = host.inputs.metadataOptions as Record<string, unknown>;
      expect(metadata.httpTokens, host.name).toBe('required');
      expect(metadata.httpPutResponseHopLimit, host.name).toBe(1);
      expect(host.inputs.keyName, host.name).toBeUndefined();
      const volumes = host.type === 'aws:ec2/instance:Instance'
        ? [host.inputs.rootBlockDevice as Record<string, unknown>]
        : (host.inputs.blockDeviceMappings as { ebs: Record<string, unknown> }[]).map((mapping) => mapping.ebs);
      expect(volumes.length, host.name).toBeGreaterThan(0);
      for (const volume of volumes) {
        // Launch templates take booleans as strings.
        expect(String(volume.encrypted), host.name).toBe('true');
        expect(volume.volumeType, host.name).toBe('gp3');
      }
    }
  });

  it('opens only HTTPS, HTTP, the media port and TURN to the world', () => {
    const run = runs.get(stack)!;
    // Rules outside the security groups would escape this look.
    expect(ofType(run, 'aws:ec2/securityGroupRule:SecurityGroupRule')).toEqual([]);
    expect(ofType(run, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule')).toEqual([]);
    const allowed = new Set(['tcp 443', 'tcp 80', 'udp 10000']);
    if (run.spec.turn) for (const port of ['udp 3478', 'tcp 3478', 'tcp 5349', `udp ${TURN_RELAY_PORTS.min}-${TURN_RELAY_PORTS.max}`]) allowed.add(port);
    const open = new Map<string, string[]>();
    for (const group of ofType(run, 'aws:ec2/securityGroup:SecurityGroup')) {
      for (const rule of group.inputs.ingress as Record<string, unknown>[]) {
        const sources = [...((rule.cidrBlocks as string[] | undefined) ?? []), ...((rule.ipv6CidrBlocks as string[] | undefined) ?? [])];
        if (!sources.some((cidr) => WORLD.includes(cidr))) continue;
        const ports = rule.fromPort === rule.toPort ? String(rule.fromPort) : `${String(rule.fromPort)}-${String(rule.toPort)}`;
        open.set(group.name, [...(open.get(group.name) ?? []), `${String(rule.protocol)} ${ports}`]);
      }
    }
    for (const [group, rules] of open) for (const rule of rules) expect(allowed.has(rule), `${group}: ${rule}`).toBe(true);
    const signaling = open.get('signaling-sg') ?? [];
    expect(signaling).toEqual(expect.arrayContaining(['tcp 443', 'tcp 80']));
    // The media port is open where the videobridge runs.
    expect(open.get(run.spec.topology === 'scalable' ? 'bridges-sg' : 'signaling-sg')).toContain('udp 10000');
    if (run.spec.topology === 'scalable') expect(signaling).not.toContain('udp 10000');
    expect(signaling.includes('udp 3478')).toBe(run.spec.turn);
  });

  it('sends each host its role\'s rendered bootstrap cloud-init, gzipped under EC2\'s limit, and its files in the role\'s bundle', () => {
    const run = runs.get(stack)!;
    const bundle = renderBundle(run.spec);
    // The bridges log in to the signaling node at the private address its network interface has.
    const eni = ofType(run, 'aws:ec2/networkInterface:NetworkInterface');
    expect(eni).toHaveLength(1);
    const signalingIp = (eni[0]!.inputs.privateIps as string[])[0]!;
    expect(signalingIp).toMatch(/^10\.\d+\.\d+\.\d+$/);
    for (const host of hosts(run)) {
      const role = host.type === 'aws:ec2/instance:Instance' ? 'signaling' : 'bridge';
      const gzip = userDataOf(host);
      expect(gzip.subarray(0, 2).toString('hex'), `${host.name} is gzip`).toBe('1f8b');
      expect(gzip.length, host.name).toBeLessThan(EC2_USER_DATA_LIMIT);
      const rendered = bundle.files.find((f) => f.path === `etc/jitsi-eu/cloud-init/${role}.yaml`);
      expect(rendered, `rendered cloud-init for ${role}`).toBeDefined();
      const expected = rendered!.content.split(DEPLOY_VALUES.signalingPrivateIp).join(signalingIp);
      const received = gunzipSync(gzip).toString('utf8');
      expect(received).toBe(expected);
      expect(received).not.toContain(DEPLOY_VALUES.signalingPrivateIp);
      // The files travel in the role's bundle object, deploy values filled in.
      const objects = ofType(run, 'aws:s3/bucketObjectv2:BucketObjectv2').filter((o) => String(o.inputs.key).startsWith(`bundles/${role}/`));
      expect(objects, `${role} bundle`).toHaveLength(1);
      const archive = gunzipSync(Buffer.from(String(objects[0]!.inputs.contentBase64), 'base64')).toString('utf8');
      expect(archive).not.toContain(DEPLOY_VALUES.signalingPrivateIp);
      if (role === 'bridge') expect(archive).toContain(`HOSTNAME = "${signalingIp}"`);
    }
  });

  it('keeps every generated secret in SSM and out of every other resource, user data and output', () => {
    const run = runs.get(stack)!;
    expect(run.secrets).toHaveLength(secretsFor(run.spec).length);
    expect(new Set(run.secrets).size).toBe(run.secrets.length);
    // Each secret is the value of exactly one SecureString parameter.
    const parameters = ofType(run, 'aws:ssm/parameter:Parameter');
    for (const secret of run.secrets) {
      const holders = parameters.filter((p) => plain(p.inputs.value) === secret);
      expect(holders, 'one parameter per secret').toHaveLength(1);
      expect(holders[0]!.inputs.type).toBe('SecureString');
    }
    const texts = run.resources
      .filter((r) => r.type !== 'aws:ssm/parameter:Parameter')
      .map((r) => ({ what: `${r.type} ${r.name}`, text: JSON.stringify(r.inputs) }));
    for (const host of hosts(run)) texts.push({ what: `${host.name} user data`, text: gunzipSync(userDataOf(host)).toString('utf8') });
    for (const object of ofType(run, 'aws:s3/bucketObjectv2:BucketObjectv2')) {
      texts.push({ what: `${object.name} bundle`, text: gunzipSync(Buffer.from(String(object.inputs.contentBase64), 'base64')).toString('utf8') });
    }
    texts.push({ what: 'stack outputs', text: JSON.stringify(run.outputs) });
    for (const { what, text } of texts) for (const secret of run.secrets) expect(text.includes(secret), what).toBe(false);
  });

  it('records the same resources, by type and name, as `npm run plan -- --json` lists', () => {
    const run = runs.get(stack)!;
    const planned = runNpmScript('plan', ['--config', run.file, '--json']);
    expect(planned.stderr).not.toMatch(/error/i);
    expect(planned.code).toBe(0);
    const listed = (JSON.parse(planned.stdout) as { resources: { type: string; name: string }[] }).resources;
    const key = (r: { type: string; name: string }) => `${r.type} ${r.name}`;
    // The root stack resource is Pulumi's own bookkeeping, not something plan would create.
    const recorded = run.resources.filter((r) => r.type !== 'pulumi:pulumi:Stack');
    expect(recorded.length).toBeGreaterThan(30);
    expect(listed.map(key).sort()).toEqual(recorded.map(key).sort());
  });
});

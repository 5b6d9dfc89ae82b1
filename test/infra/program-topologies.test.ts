// The Pulumi program under Pulumi's mocks, for both topologies and every auth mode: which
// resources it registers, with which properties, and what its user data carries.
import { gunzipSync } from 'node:zlib';
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Recording,
  type RecordedResource,
  finishRecording,
  installMocks,
  isSecretValue,
  providerUrn,
  recordProgram,
} from '../../scripts/plan/record.ts';
import { specFromConfig } from '../../infra/spec/index.ts';
import type { AuthMode, DeploymentSpec, Topology } from '../../infra/spec/types.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { DEPLOY_VALUES } from '../../infra/placeholders.ts';
import { TURN_RELAY_PORTS } from '../../infra/ports.ts';
import { DRAIN_HEARTBEAT_SECONDS, DRAIN_HOOK_NAME } from '../../infra/lifecycle.ts';

const ACCOUNT = '210987654321';
const WORLD = '0.0.0.0/0';

function configFor(topology: Topology, auth: AuthMode): Record<string, string> {
  return {
    'aws:region': topology === 'single' ? 'eu-west-3' : 'eu-north-1',
    'jitsi-eu:domain': `${topology}-${auth}.meet.example.org`,
    'jitsi-eu:acmeEmail': 'ops@example.org',
    'jitsi-eu:organization': 'Example University',
    'jitsi-eu:privacyContact': 'dpo@example.org',
    'jitsi-eu:owner': 'ops@example.org',
    'jitsi-eu:expiresAt': '2030-01-01T00:00:00Z',
    'jitsi-eu:topology': topology,
    'jitsi-eu:instanceType': 'c6i.large',
    'jitsi-eu:auth': auth,
    'jitsi-eu:lobby': auth === 'anonymous' ? 'false' : 'true',
    ...(topology === 'scalable' ? { 'jitsi-eu:bridges': JSON.stringify({ min: 2, max: 5, instanceType: 'c6i.2xlarge' }) } : {}),
  };
}

interface Run {
  topology: Topology;
  auth: AuthMode;
  spec: DeploymentSpec;
  recording: Recording;
}

const runs: Run[] = [];
/** Resource options (`<type>::<name>` → options) as the program passed them, from one scalable run. */
let resourceOptions: Map<string, pulumi.CustomResourceOptions>;

/**
 * Resource options never reach the mocks; a stack transformation sees them as the program gives
 * them. Runs the program once more under the same mocks to collect them.
 */
async function recordResourceOptions(stack: string, config: Record<string, string>): Promise<Map<string, pulumi.CustomResourceOptions>> {
  const mocks = await installMocks({ stack, config, accountId: ACCOUNT });
  const { jitsiEuProgram } = await import('../../infra/program.ts');
  const seen = new Map<string, pulumi.CustomResourceOptions>();
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      seen.set(`${args.type}::${args.name}`, args.opts);
      return undefined;
    });
    await jitsiEuProgram({ warn: () => {} });
    return {};
  });
  await finishRecording(mocks, stack, {} as never);
  return seen;
}

beforeAll(async () => {
  for (const topology of ['single', 'scalable'] as const) {
    for (const auth of ['anonymous', 'secure', 'jwt'] as const) {
      const stack = `${topology}-${auth}`;
      const config = configFor(topology, auth);
      const result = specFromConfig(config, { stack });
      if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.problems)}`);
      runs.push({ topology, auth, spec: result.spec, recording: await recordProgram({ stack, config, accountId: ACCOUNT }) });
    }
  }
  resourceOptions = await recordResourceOptions('options', configFor('scalable', 'jwt'));
});

const all = (r: Run, type: string) => r.recording.resources.filter((x) => x.type === type);
function one(r: Run, type: string, name?: string): RecordedResource {
  const found = all(r, type).filter((x) => name === undefined || x.name === name);
  expect(found, `${type} ${name ?? ''}`).toHaveLength(1);
  return found[0]!;
}
const obj = (v: unknown) => v as Record<string, unknown>;
const unwrap = (v: unknown) => (isSecretValue(v) ? v.value : v);

function ingress(sg: RecordedResource) {
  return (sg.inputs.ingress as Record<string, unknown>[]).map((rule) => ({
    protocol: rule.protocol,
    from: rule.fromPort,
    to: rule.toPort,
    sources: [...((rule.cidrBlocks as string[] | undefined) ?? []), ...((rule.securityGroups as string[] | undefined) ?? [])].sort(),
  }));
}

const sortRules = <T extends { protocol: unknown; from: unknown }>(rules: T[]) =>
  [...rules].sort((a, b) => `${String(a.protocol)}${String(a.from)}`.localeCompare(`${String(b.protocol)}${String(b.from)}`));

function cloudInit(spec: DeploymentSpec, role: 'signaling' | 'bridge'): string {
  const file = renderBundle(spec).files.find((f) => f.path === `etc/jitsi-eu/cloud-init/${role}.yaml`);
  if (!file) throw new Error(`render produced no cloud-init document for ${role}`);
  return file.content;
}

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: unknown;
}
interface PolicyDocument {
  Statement: PolicyStatement[];
}

/** The parameter actions of AWS's AmazonSSMManagedInstanceCore (its published policy document). */
const SESSION_MANAGER_PARAMETER_STATEMENTS: PolicyStatement[] = [{ Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: '*' }];

/** IAM's wildcard match: `*` is any run of characters. */
const matches = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);

/** IAM's rule for statements without conditions: an explicit deny wins, then any allow. */
function allowed(statements: PolicyStatement[], action: string, resource: string): boolean {
  const applies = (s: PolicyStatement) =>
    [s.Action].flat().some((a) => matches(a, action)) &&
    (s.Resource !== undefined ? [s.Resource].flat().some((r) => matches(r, resource)) : ![s.NotResource ?? []].flat().some((r) => matches(r, resource)));
  if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return false;
  return statements.some((s) => s.Effect === 'Allow' && applies(s));
}

/** The policies that apply to one role: managed policy ARNs, their documents, and its inline documents. */
function rolePolicies(r: Run, roleName: string): { managed: string[]; documents: PolicyDocument[]; inline: PolicyDocument[] } {
  const role = one(r, 'aws:iam/role:Role', roleName);
  const managed = all(r, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment')
    .filter((a) => a.inputs.role === role.id)
    .map((a) => String(a.inputs.policyArn));
  const documents = all(r, 'aws:iam/policy:Policy')
    .filter((p) => managed.includes(p.id))
    .map((p) => JSON.parse(String(p.inputs.policy)) as PolicyDocument);
  const inline = all(r, 'aws:iam/rolePolicy:RolePolicy')
    .filter((p) => p.inputs.role === role.id)
    .map((p) => JSON.parse(String(p.inputs.policy)) as PolicyDocument);
  return { managed, documents, inline };
}

const variants = (['single', 'scalable'] as const).flatMap((topology) => (['anonymous', 'secure', 'jwt'] as const).map((auth) => ({ topology, auth })));
const runFor = (topology: Topology, auth: AuthMode) => runs.find((r) => r.topology === topology && r.auth === auth)!;

describe.each(variants)('$topology topology, $auth auth', ({ topology, auth }) => {
  it('uses one explicit provider in the spec region, with jitsi-eu tags, for every AWS resource and lookup', () => {
    const r = runFor(topology, auth);
    const provider = one(r, 'pulumi:providers:aws');
    expect(provider.inputs.region).toBe(r.spec.region);
    // Provider inputs reach the mocks JSON-encoded.
    expect(JSON.parse(provider.inputs.defaultTags as string)).toEqual({
      tags: {
        'jitsi-eu:stack': r.spec.stack,
        'jitsi-eu:project': 'jitsi-eu',
        'jitsi-eu:owner': 'ops@example.org',
        'jitsi-eu:expires-at': '2030-01-01T00:00:00.000Z',
      },
    });
    const awsResources = r.recording.resources.filter((x) => x.type.startsWith('aws:'));
    expect(awsResources.length).toBeGreaterThan(15);
    for (const resource of awsResources) expect(providerUrn(resource.provider ?? ''), resource.name).toBe(provider.urn);
    const awsLookups = r.recording.invokes.filter((i) => i.token.startsWith('aws:'));
    for (const lookup of awsLookups) expect(providerUrn(lookup.provider ?? ''), lookup.token).toBe(provider.urn);
  });

  it('builds components with jitsi-eu:aws type tokens and parents their children', () => {
    const r = runFor(topology, auth);
    const components = r.recording.resources.filter((x) => !x.custom && x.type.startsWith('jitsi-eu:')).map((x) => x.type).sort();
    const expected = ['jitsi-eu:aws:BundleDelivery', 'jitsi-eu:aws:Dns', 'jitsi-eu:aws:Network', 'jitsi-eu:aws:Secrets', 'jitsi-eu:aws:SignalingNode'];
    if (topology === 'scalable') expected.push('jitsi-eu:aws:BridgePool');
    expect(components).toEqual(expected.sort());
    expect(one(r, 'aws:ec2/vpc:Vpc').urn).toContain('jitsi-eu:aws:Network$aws:ec2/vpc:Vpc');
    expect(one(r, 'aws:ec2/instance:Instance').urn).toContain('jitsi-eu:aws:SignalingNode$aws:ec2/instance:Instance');
    for (const parameter of all(r, 'aws:ssm/parameter:Parameter')) {
      // Secrets, and the pointers to the configuration bundles (not secret).
      expect(parameter.urn).toMatch(String(parameter.inputs.name).includes('/bundle/') ? /jitsi-eu:aws:BundleDelivery\$/ : /jitsi-eu:aws:Secrets\$/);
    }
    if (topology === 'scalable') expect(one(r, 'aws:autoscaling/group:Group').urn).toContain('jitsi-eu:aws:BridgePool$');
  });

  it('lays out a VPC with public subnets in two availability zones, an internet gateway and a default route', () => {
    const r = runFor(topology, auth);
    one(r, 'aws:ec2/vpc:Vpc');
    one(r, 'aws:ec2/internetGateway:InternetGateway');
    const subnets = all(r, 'aws:ec2/subnet:Subnet');
    expect(subnets).toHaveLength(2);
    expect(new Set(subnets.map((s) => s.inputs.availabilityZone)).size).toBe(2);
    for (const subnet of subnets) expect(String(subnet.inputs.availabilityZone).startsWith(r.spec.region)).toBe(true);
    const routes = one(r, 'aws:ec2/routeTable:RouteTable').inputs.routes as Record<string, unknown>[];
    expect(routes.map((route) => route.cidrBlock)).toEqual([WORLD]);
    expect(routes[0]!.gatewayId).toBe(one(r, 'aws:ec2/internetGateway:InternetGateway').id);
    expect(all(r, 'aws:ec2/routeTableAssociation:RouteTableAssociation')).toHaveLength(2);
    expect(all(r, 'aws:ec2/natGateway:NatGateway')).toHaveLength(0);
  });

  it('creates hosts only once their subnets are routed to the Internet', async () => {
    // The mocks answer route table associations late: whatever waits for them registers after.
    const slow = await recordProgram({
      stack: `${topology}-${auth}-slow`,
      config: configFor(topology, auth),
      slowTypes: ['aws:ec2/routeTableAssociation:RouteTableAssociation'],
    });
    const at = (event: string) => slow.events.indexOf(event);
    const association = 'aws:ec2/routeTableAssociation:RouteTableAssociation';
    const routedFirst = at(`created ${association} network-public-1`);
    const routedBoth = Math.max(routedFirst, at(`created ${association} network-public-2`));
    expect(routedFirst).toBeGreaterThan(0);
    // The signaling node lives in the first subnet; the bridge pool spans both.
    for (const type of ['aws:ec2/networkInterface:NetworkInterface', 'aws:ec2/eip:Eip', 'aws:ec2/instance:Instance']) {
      const [host] = slow.resources.filter((x) => x.type === type);
      expect(at(`create ${type} ${host!.name}`), type).toBeGreaterThan(routedFirst);
    }
    for (const group of slow.resources.filter((x) => x.type === 'aws:autoscaling/group:Group')) {
      expect(at(`create ${group.type} ${group.name}`)).toBeGreaterThan(routedBoth);
    }
  });

  it('runs a hardened signaling node: IMDSv2 with hop limit 1, encrypted gp3 root, no key pair, an Elastic IP', () => {
    const r = runFor(topology, auth);
    const instance = one(r, 'aws:ec2/instance:Instance');
    expect(instance.inputs.instanceType).toBe('c6i.large');
    expect(obj(instance.inputs.metadataOptions)).toMatchObject({ httpTokens: 'required', httpPutResponseHopLimit: 1 });
    expect(obj(instance.inputs.rootBlockDevice)).toMatchObject({ encrypted: true, volumeType: 'gp3' });
    expect(instance.inputs.keyName).toBeUndefined();
    expect(all(r, 'aws:ec2/keyPair:KeyPair')).toHaveLength(0);
    expect(instance.inputs.iamInstanceProfile).toBe(one(r, 'aws:iam/instanceProfile:InstanceProfile', 'signaling-profile').id);
    expect(instance.inputs.ami).toMatch(/^ami-/);
    const eni = one(r, 'aws:ec2/networkInterface:NetworkInterface');
    expect(obj(instance.inputs.primaryNetworkInterface).networkInterfaceId).toBe(eni.id);
    const eip = one(r, 'aws:ec2/eip:Eip');
    expect(eip.inputs).toMatchObject({ domain: 'vpc', networkInterface: eni.id });
    // The Debian image comes from Debian's own account.
    const ami = r.recording.invokes.find((i) => i.token === 'aws:ec2/getAmi:getAmi')!;
    expect(ami.inputs.owners).toEqual(['136693071363']);
    expect(JSON.stringify(ami.inputs.filters)).toContain('debian-12-amd64-');
  });

  it('opens exactly what Jitsi needs on the signaling node', () => {
    const r = runFor(topology, auth);
    const expected = [
      { protocol: 'tcp', from: 443, to: 443, sources: [WORLD] },
      { protocol: 'tcp', from: 80, to: 80, sources: [WORLD] },
      // TURN is on by default: STUN/TURN on 3478 (udp and tcp), TURN over TLS on 5349, the relay range.
      { protocol: 'udp', from: 3478, to: 3478, sources: [WORLD] },
      { protocol: 'tcp', from: 3478, to: 3478, sources: [WORLD] },
      { protocol: 'tcp', from: 5349, to: 5349, sources: [WORLD] },
      { protocol: 'udp', from: TURN_RELAY_PORTS.min, to: TURN_RELAY_PORTS.max, sources: [WORLD] },
    ];
    if (topology === 'single') expected.push({ protocol: 'udp', from: 10000, to: 10000, sources: [WORLD] });
    else expected.push({ protocol: 'tcp', from: 5222, to: 5222, sources: [one(r, 'aws:ec2/securityGroup:SecurityGroup', 'bridges-sg').id] });
    expect(sortRules(ingress(one(r, 'aws:ec2/securityGroup:SecurityGroup', 'signaling-sg')))).toEqual(sortRules(expected));
  });

  it('stores every component secret as an SSM SecureString under the stack path, generated and kept secret', () => {
    const r = runFor(topology, auth);
    const expected = ['focus-password', 'jvb-password', 'turn-secret'];
    if (auth === 'secure') expected.push('host-password');
    if (auth === 'jwt') expected.push('jwt-app-secret');
    const parameters = all(r, 'aws:ssm/parameter:Parameter').filter((p) => p.name !== 'secrets-tls-certificate' && p.inputs.type !== 'String');
    expect(parameters.map((p) => p.inputs.name).sort()).toEqual(expected.map((n) => `/jitsi-eu/${r.spec.stack}/${n}`).sort());
    for (const parameter of parameters) {
      expect(parameter.inputs.type).toBe('SecureString');
      expect(isSecretValue(parameter.inputs.value), `${String(parameter.inputs.name)} is a Pulumi secret`).toBe(true);
      expect(r.recording.generatedSecrets).toContain(unwrap(parameter.inputs.value));
    }
    expect(all(r, 'random:index/randomPassword:RandomPassword')).toHaveLength(expected.length);
    expect(r.recording.outputs.hostAccountParameter).toBe(auth === 'secure' ? `/jitsi-eu/${r.spec.stack}/host-password` : undefined);
  });

  it('keeps the TLS certificate in a SecureString the program creates but never overwrites, with the stack tags', () => {
    const r = runFor(topology, auth);
    const parameter = one(r, 'aws:ssm/parameter:Parameter', 'secrets-tls-certificate');
    expect(parameter.inputs).toMatchObject({
      name: `/jitsi-eu/${r.spec.stack}/tls-certificate`,
      type: 'SecureString',
      tier: 'Intelligent-Tiering',
    });
    // A stand-in until the host stores its certificate (the AWS provider keeps it secret anyway).
    expect(unwrap(parameter.inputs.value)).toBe('none');
    expect(parameter.urn).toContain('jitsi-eu:aws:Secrets$');
    // Tagged through the provider's default tags, like every other resource.
    const provider = one(r, 'pulumi:providers:aws');
    expect(providerUrn(parameter.provider ?? '')).toBe(provider.urn);
    const tags = (JSON.parse(String(provider.inputs.defaultTags)) as { tags: Record<string, string> }).tags;
    expect(tags).toMatchObject({ 'jitsi-eu:stack': r.spec.stack, 'jitsi-eu:project': 'jitsi-eu' });
    expect(parameter.inputs.tags).toBeUndefined();
  });

  it('lets the signaling node read its stack path and write only its certificate, through ARNs of the account and partition AWS reports', () => {
    const r = runFor(topology, auth);
    const signaling = rolePolicies(r, 'signaling-role');
    expect(signaling.managed).toContain('arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
    const ssmRead = signaling.documents.flatMap((d) => d.Statement).filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Action).includes('ssm:Get'));
    expect(ssmRead).toHaveLength(1);
    expect([ssmRead[0]!.Resource].flat().sort()).toEqual([
      `arn:aws:ssm:${r.spec.region}:${ACCOUNT}:parameter/jitsi-eu/${r.spec.stack}`,
      `arn:aws:ssm:${r.spec.region}:${ACCOUNT}:parameter/jitsi-eu/${r.spec.stack}/*`,
    ]);
    const writes = [...signaling.documents, ...signaling.inline].flatMap((d) => d.Statement).filter((s) => JSON.stringify(s.Action).includes('ssm:Put'));
    expect(writes).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'ssm:PutParameter', Resource: `arn:aws:ssm:${r.spec.region}:${ACCOUNT}:parameter/jitsi-eu/${r.spec.stack}/tls-certificate` }),
    ]);
    for (const role of all(r, 'aws:iam/role:Role')) {
      const trust = JSON.parse(role.inputs.assumeRolePolicy as string) as { Statement: { Principal: { Service: string } }[] };
      expect(trust.Statement.map((s) => s.Principal.Service)).toEqual(['ec2.amazonaws.com']);
    }
  });

  it('sends the bundle that render produces as gzipped user data under 16 KB, without any generated secret', () => {
    const r = runFor(topology, auth);
    const instance = one(r, 'aws:ec2/instance:Instance');
    const gzip = Buffer.from(instance.inputs.userDataBase64 as string, 'base64');
    expect(gzip.length).toBeLessThan(16 * 1024);
    expect(gunzipSync(gzip).toString('utf8')).toBe(cloudInit(r.spec, 'signaling'));
    expect(instance.inputs.userDataReplaceOnChange).toBe(true);
    // Nothing but the SSM parameters carries a generated secret.
    const elsewhere = JSON.stringify(r.recording.resources.filter((x) => x.type !== 'aws:ssm/parameter:Parameter').map((x) => x.inputs));
    const userData = [gunzipSync(gzip).toString('utf8')];
    if (topology === 'scalable') userData.push(gunzipSync(Buffer.from(one(r, 'aws:ec2/launchTemplate:LaunchTemplate').inputs.userData as string, 'base64')).toString('utf8'));
    for (const secret of r.recording.generatedSecrets) {
      expect(secret.length).toBeGreaterThanOrEqual(24);
      expect(elsewhere.includes(secret)).toBe(false);
      for (const text of userData) expect(text.includes(secret)).toBe(false);
    }
  });

  it('reports the stack outputs deploy and sandbox read', () => {
    const r = runFor(topology, auth);
    const o = r.recording.outputs;
    const instance = one(r, 'aws:ec2/instance:Instance');
    expect(o.url).toBe(`https://${r.spec.domain}/`);
    expect(o.region).toBe(r.spec.region);
    expect(o.publicIp).toBe('203.0.113.10');
    expect(o.signalingInstanceId).toBe(instance.id);
    expect(o.ssmShellCommand).toBe(`aws ssm start-session --target ${instance.id} --region ${r.spec.region}`);
    expect(o.hourlyCostEur).toBeGreaterThan(0);
    expect(o.dnsRecords).toEqual([{ name: r.spec.domain, type: 'A', value: '203.0.113.10', ttl: 300 }]);
    expect(o.dnsManaged).toBe(false);
    expect(all(r, 'aws:route53/record:Record')).toHaveLength(0);
    if (topology === 'scalable') expect(o.bridgeAsgName).toBe(one(r, 'aws:autoscaling/group:Group').id);
    else expect(o.bridgeAsgName).toBeUndefined();
  });
});

describe('resource options', () => {
  it('never lets Pulumi overwrite the certificate a host stored, and removes the parameter with the stack', () => {
    const options = resourceOptions.get('aws:ssm/parameter:Parameter::secrets-tls-certificate');
    expect(options?.ignoreChanges).toEqual(['value']);
    expect(options?.retainOnDelete).toBeFalsy();
    expect(options?.protect).toBeFalsy();
    // The generated secrets stay under Pulumi's control.
    expect(resourceOptions.get('aws:ssm/parameter:Parameter::secrets-jvb-password')?.ignoreChanges).toBeUndefined();
  });
});

describe('single topology', () => {
  it('creates no bridge pool', () => {
    const r = runFor('single', 'secure');
    expect(all(r, 'aws:ec2/launchTemplate:LaunchTemplate')).toHaveLength(0);
    expect(all(r, 'aws:autoscaling/group:Group')).toHaveLength(0);
    expect(all(r, 'aws:ec2/securityGroup:SecurityGroup')).toHaveLength(1);
  });
});

describe.each(['anonymous', 'secure', 'jwt'] as const)('scalable topology, %s auth: the bridge pool', (auth) => {
  it('launches hardened bridges with their own public address and the jitsi-eu tags', () => {
    const r = runFor('scalable', auth);
    const template = one(r, 'aws:ec2/launchTemplate:LaunchTemplate');
    expect(template.inputs.instanceType).toBe('c6i.2xlarge');
    expect(obj(template.inputs.metadataOptions)).toMatchObject({ httpTokens: 'required', httpPutResponseHopLimit: 1 });
    const mappings = template.inputs.blockDeviceMappings as Record<string, unknown>[];
    expect(mappings).toHaveLength(1);
    expect(obj(mappings[0]!.ebs)).toMatchObject({ encrypted: 'true', volumeType: 'gp3' });
    expect(template.inputs.keyName).toBeUndefined();
    const nics = template.inputs.networkInterfaces as Record<string, unknown>[];
    expect(nics).toEqual([expect.objectContaining({ associatePublicIpAddress: 'true', securityGroups: [one(r, 'aws:ec2/securityGroup:SecurityGroup', 'bridges-sg').id] })]);
    const specs = template.inputs.tagSpecifications as { resourceType: string; tags: Record<string, string> }[];
    for (const type of ['instance', 'volume']) {
      expect(specs.find((s) => s.resourceType === type)?.tags).toMatchObject({ 'jitsi-eu:stack': r.spec.stack, 'jitsi-eu:project': 'jitsi-eu' });
    }
  });

  it('lets a bridge read its own XMPP password by name and no other secret, despite the Session Manager policy', () => {
    const r = runFor('scalable', auth);
    const bridge = rolePolicies(r, 'bridges-role');
    expect(bridge.managed).toContain('arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
    const own = [...bridge.documents, ...bridge.inline].flatMap((d) => d.Statement);
    const parameter = (stack: string, name: string) => `arn:aws:ssm:${r.spec.region}:${ACCOUNT}:parameter/jitsi-eu/${stack}/${name}`;
    const jvb = parameter(r.spec.stack, 'jvb-password');
    // ... and the pointer to the bridges' configuration bundle, which the host agent reads.
    const pointer = parameter(r.spec.stack, 'bundle/bridge');
    expect(own.filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Action).includes('ssm:'))).toEqual([
      expect.objectContaining({ Action: 'ssm:GetParameter', Resource: [jvb, pointer] }),
    ]);
    expect(own.filter((s) => JSON.stringify(s.Action).includes('kms:'))).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': `ssm.${r.spec.region}.amazonaws.com` } } }),
    ]);
    // What the bridge may do with its own policies plus the managed one (which allows every parameter).
    const effective = [...own, ...SESSION_MANAGER_PARAMETER_STATEMENTS];
    expect(allowed(effective, 'ssm:GetParameter', jvb)).toBe(true);
    expect(allowed(effective, 'ssm:GetParameter', pointer)).toBe(true);
    expect(allowed(effective, 'ssm:GetParameter', parameter(r.spec.stack, 'bundle/signaling'))).toBe(false);
    for (const name of ['focus-password', 'turn-secret', 'tls-certificate', 'host-password', 'jwt-app-secret']) {
      expect(allowed(effective, 'ssm:GetParameter', parameter(r.spec.stack, name)), name).toBe(false);
      expect(allowed(effective, 'ssm:GetParameters', parameter(r.spec.stack, name)), name).toBe(false);
    }
    expect(allowed(effective, 'ssm:GetParameterHistory', jvb)).toBe(false);
    expect(allowed(effective, 'ssm:GetParameter', parameter('other-stack', 'jvb-password'))).toBe(false);
    expect(allowed(effective, 'ssm:GetParametersByPath', `arn:aws:ssm:${r.spec.region}:${ACCOUNT}:parameter/jitsi-eu/${r.spec.stack}`)).toBe(false);
    // AWS's own public parameters are not this deployment's business to hide.
    expect(allowed(effective, 'ssm:GetParameter', `arn:aws:ssm:${r.spec.region}::parameter/aws/service/ami-amazon-linux-latest/x`)).toBe(true);
    // The signaling node keeps its path-wide read.
    const signaling = rolePolicies(r, 'signaling-role');
    const signalingEffective = [...signaling.documents, ...signaling.inline].flatMap((d) => d.Statement);
    const signalingWithSessionManager = [...signalingEffective, ...SESSION_MANAGER_PARAMETER_STATEMENTS];
    for (const name of ['focus-password', 'jvb-password', 'turn-secret', 'tls-certificate']) {
      expect(allowed(signalingWithSessionManager, 'ssm:GetParameter', parameter(r.spec.stack, name)), name).toBe(true);
    }
    expect(allowed(signalingWithSessionManager, 'ssm:GetParametersByPath', `arn:aws:ssm:${r.spec.region}:${ACCOUNT}:parameter/jitsi-eu/${r.spec.stack}`)).toBe(true);
    // Session Manager's managed policy would allow every parameter of the account; the deny keeps other stacks out.
    expect(allowed(signalingWithSessionManager, 'ssm:GetParameter', parameter('other-stack', 'focus-password'))).toBe(false);
    expect(allowed(signalingWithSessionManager, 'ssm:GetParameters', `arn:aws:ssm:${r.spec.region}:${ACCOUNT}:parameter/team/db-password`)).toBe(false);
    expect(allowed(signalingWithSessionManager, 'ssm:GetParameter', `arn:aws:ssm:${r.spec.region}::parameter/aws/service/ami-amazon-linux-latest/x`)).toBe(true);
  });

  it('opens only UDP 10000 on the bridges', () => {
    const r = runFor('scalable', auth);
    expect(ingress(one(r, 'aws:ec2/securityGroup:SecurityGroup', 'bridges-sg'))).toEqual([{ protocol: 'udp', from: 10000, to: 10000, sources: [WORLD] }]);
  });

  it('scales the group across both subnets within the spec limits, by CPU target tracking', () => {
    const r = runFor('scalable', auth);
    const group = one(r, 'aws:autoscaling/group:Group');
    expect(group.inputs).toMatchObject({ minSize: 2, maxSize: 5 });
    expect((group.inputs.vpcZoneIdentifiers as string[]).sort()).toEqual(all(r, 'aws:ec2/subnet:Subnet').map((s) => s.id).sort());
    expect(obj(group.inputs.launchTemplate).id).toBe(one(r, 'aws:ec2/launchTemplate:LaunchTemplate').id);
    const tags = (group.inputs.tags as { key: string; value: string }[]).map((t) => t.key);
    expect(tags).toEqual(expect.arrayContaining(['jitsi-eu:stack', 'jitsi-eu:project']));
    const policy = one(r, 'aws:autoscaling/policy:Policy');
    expect(policy.inputs).toMatchObject({ policyType: 'TargetTrackingScaling', autoscalingGroupName: group.id });
  });

  it('holds a terminating bridge in a lifecycle hook that only the bridge itself may complete', () => {
    const r = runFor('scalable', auth);
    const group = one(r, 'aws:autoscaling/group:Group');
    const hook = one(r, 'aws:autoscaling/lifecycleHook:LifecycleHook');
    expect(hook.inputs).toMatchObject({
      name: DRAIN_HOOK_NAME,
      autoscalingGroupName: group.id,
      lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      heartbeatTimeout: DRAIN_HEARTBEAT_SECONDS,
    });
    const inline = JSON.parse(one(r, 'aws:iam/rolePolicy:RolePolicy', 'bridges-inline').inputs.policy as string) as { Statement: { Action: unknown; Resource: string }[] };
    const lifecycle = inline.Statement.find((s) => JSON.stringify(s.Action).includes('CompleteLifecycleAction'))!;
    expect(lifecycle.Action).toEqual(expect.arrayContaining(['autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat']));
    const pattern = lifecycle.Resource;
    expect(pattern.startsWith(`arn:aws:autoscaling:${r.spec.region}:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/`)).toBe(true);
    // The group AWS names from the prefix falls under the pattern; another stack's group does not.
    const prefix = pattern.split('autoScalingGroupName/')[1]!.replace(/\*$/, '');
    expect(group.id.startsWith(prefix)).toBe(true);
    expect(`jitsi-eu-other-bridges-x`.startsWith(prefix)).toBe(false);
  });

  it("sends the bridges the bundle's bridge document with the signaling node's private address filled in", () => {
    const r = runFor('scalable', auth);
    const template = one(r, 'aws:ec2/launchTemplate:LaunchTemplate');
    const gzip = Buffer.from(template.inputs.userData as string, 'base64');
    expect(gzip.length).toBeLessThan(16 * 1024);
    const privateIp = (one(r, 'aws:ec2/networkInterface:NetworkInterface').inputs.privateIps as string[])[0]!;
    const expected = cloudInit(r.spec, 'bridge').split(DEPLOY_VALUES.signalingPrivateIp).join(privateIp);
    expect(gunzipSync(gzip).toString('utf8')).toBe(expected);
    expect(expected).not.toContain('@@jitsi-eu-deploy:');
  });
});

// The program's handling of its stack config under independent mocks: invalid stacks stop
// before any resource exists, with the spec's own messages; other EU regions, the sovereign
// cloud partition, image overrides and DNS zones.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type RecordedResource, type Recording, providerUrn, recordProgram, runUnderMocks } from '../../scripts/plan/record.ts';
import { policyInputs } from '../../scripts/plan/run.ts';
import { runPolicies } from '../../infra/policy/offline.ts';
import { parseStackConfig, specFromConfig } from '../../infra/spec/index.ts';
import { secretsFor } from '../../infra/secrets.ts';
import { toPulumiConfig } from '../../scripts/plan/config.ts';

const BASE: Record<string, string> = {
  'jitsi-eu:domain': 'meet.example.org',
  'jitsi-eu:acmeEmail': 'ops@example.org',
  'jitsi-eu:organization': 'Example University',
  'jitsi-eu:privacyContact': 'dpo@example.org',
};

const of = (rec: Recording, type: string) => rec.resources.filter((r) => r.type === type);
const first = (rec: Recording, type: string): RecordedResource => {
  const [found] = of(rec, type);
  if (!found) throw new Error(`no ${type}`);
  return found;
};

describe('an invalid stack', () => {
  it('fails before any resource is registered, naming aws:region', async () => {
    const run = await runUnderMocks({ stack: 'bad-region', config: { ...BASE, 'aws:region': 'us-east-1' } });
    expect(run.error).toBeInstanceOf(Error);
    expect(String((run.error as Error).message)).toContain('aws:region');
    expect(String((run.error as Error).message)).toContain('us-east-1');
    expect(run.recording.resources).toEqual([]);
    expect(run.recording.invokes).toEqual([]);
  });

  it('reports every problem with the messages the spec loader gives render', async () => {
    const yaml = 'config:\n  aws:region: eu-west-2\n  jitsi-eu:domain: https://Meet.example.org\n  jitsi-eu:acmeEmail: ops@example.org\n  jitsi-eu:lobby: true\n  jitsi-eu:auth: anonymous\n  jitsi-eu:bridgez: 3\n';
    const loaded = parseStackConfig(yaml, { stack: 'many' });
    if (loaded.ok) throw new Error('the example must be invalid');
    expect(loaded.problems.length).toBeGreaterThanOrEqual(4);
    // What the Pulumi CLI hands the program for the same file.
    const config = toPulumiConfig({ 'aws:region': 'eu-west-2', 'jitsi-eu:domain': 'https://Meet.example.org', 'jitsi-eu:acmeEmail': 'ops@example.org', 'jitsi-eu:lobby': true, 'jitsi-eu:auth': 'anonymous', 'jitsi-eu:bridgez': 3 });
    const run = await runUnderMocks({ stack: 'many', config });
    const message = String((run.error as Error).message);
    expect(message).toContain(`Pulumi.many.yaml has ${loaded.problems.length} problems:`);
    for (const problem of loaded.problems) expect(message).toContain(problem.message);
    expect(run.recording.resources).toEqual([]);
  });

  it('stops in the sovereign cloud when no Debian image owner is known there', async () => {
    const run = await runUnderMocks({ stack: 'eusc', config: { ...BASE, 'aws:region': 'eusc-de-east-1' } });
    const message = String((run.error as Error).message);
    expect(message).toContain('jitsi-eu:amiOwner');
    expect(message).toContain('jitsi-eu:amiId');
    expect(run.recording.resources).toEqual([]);
  });
});

describe('other EU stacks', () => {
  const stacks: { stack: string; config: Record<string, string> }[] = [
    { stack: 'ireland', config: { ...BASE, 'aws:region': 'eu-west-1', 'jitsi-eu:turn': 'false' } },
    { stack: 'madrid', config: { ...BASE, 'aws:region': 'eu-south-2', 'jitsi-eu:auth': 'jwt', 'jitsi-eu:instanceType': 'm6i.xlarge' } },
    { stack: 'milan-pool', config: { ...BASE, 'aws:region': 'eu-south-1', 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': '{"min":1,"max":2,"instanceType":"c6i.xlarge"}' } },
    { stack: 'london', config: { ...BASE, 'aws:region': 'eu-west-2', 'jitsi-eu:allowNonEuRegion': 'true' } },
  ];

  it.each(stacks)('$stack: region, IMDSv2, encryption, no key pair, only Jitsi ports to the world, no secret in user data', async ({ stack, config }) => {
    const rec = await recordProgram({ stack, config });
    const loaded = specFromConfig(config, { stack });
    if (!loaded.ok) throw new Error(`test stack ${stack} invalid: ${JSON.stringify(loaded.problems)}`);
    // The user data check below is only as good as the secrets it looks for.
    const expectedSecrets = secretsFor(loaded.spec);
    expect(expectedSecrets.length).toBeGreaterThanOrEqual(2);
    expect(rec.generatedSecrets).toHaveLength(expectedSecrets.length);
    expect(of(rec, 'random:index/randomPassword:RandomPassword').map((r) => r.name).sort()).toEqual(expectedSecrets.map((name) => `secrets-${name}`).sort());
    for (const secret of rec.generatedSecrets) expect(secret).toMatch(/^[A-Za-z0-9]{20,}$/);
    expect(first(rec, 'pulumi:providers:aws').inputs.region).toBe(config['aws:region']);
    expect(of(rec, 'aws:ec2/keyPair:KeyPair')).toEqual([]);
    const hosts = [...of(rec, 'aws:ec2/instance:Instance'), ...of(rec, 'aws:ec2/launchTemplate:LaunchTemplate')];
    for (const host of hosts) {
      const metadata = host.inputs.metadataOptions as Record<string, unknown>;
      expect(metadata.httpTokens).toBe('required');
      expect(metadata.httpPutResponseHopLimit).toBe(1);
      expect(host.inputs.keyName).toBeUndefined();
      const encrypted = host.type.endsWith('Instance')
        ? [(host.inputs.rootBlockDevice as Record<string, unknown>).encrypted]
        : (host.inputs.blockDeviceMappings as { ebs: { encrypted: unknown } }[]).map((m) => m.ebs.encrypted);
      expect(encrypted.length).toBeGreaterThan(0);
      for (const e of encrypted) expect([true, 'true']).toContain(e);
      const userData = gunzipSync(Buffer.from(String(host.inputs.userDataBase64 ?? host.inputs.userData), 'base64')).toString('utf8');
      for (const secret of rec.generatedSecrets) expect(userData.includes(secret)).toBe(false);
    }
    const allowed = new Set(['tcp:443', 'tcp:80', 'udp:10000', 'udp:3478', 'tcp:3478', 'tcp:5349', 'udp:49152-49407']);
    const open: string[] = [];
    for (const group of of(rec, 'aws:ec2/securityGroup:SecurityGroup')) {
      for (const rule of group.inputs.ingress as Record<string, unknown>[]) {
        if (!((rule.cidrBlocks as string[] | undefined) ?? []).includes('0.0.0.0/0')) continue;
        const port = rule.fromPort === rule.toPort ? String(rule.fromPort) : `${String(rule.fromPort)}-${String(rule.toPort)}`;
        open.push(`${String(rule.protocol)}:${port}`);
      }
    }
    for (const entry of open) expect(allowed.has(entry), entry).toBe(true);
    expect(open).toContain('udp:10000');
    expect(open.some((e) => e.includes('3478'))).toBe(config['jitsi-eu:turn'] !== 'false');
    const results = runPolicies(policyInputs(rec.resources), { allowNonEuRegion: config['jitsi-eu:allowNonEuRegion'] === 'true' });
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
  });
});

describe('partitions and images', () => {
  it('builds every ARN from the partition and account AWS reports (European Sovereign Cloud)', async () => {
    const rec = await recordProgram({
      stack: 'sovereign',
      config: { ...BASE, 'aws:region': 'eusc-de-east-1', 'jitsi-eu:amiOwner': '123412341234', 'jitsi-eu:topology': 'scalable' },
      accountId: '999988887777',
    });
    const text = JSON.stringify(rec.resources.map((r) => r.inputs));
    const arns = text.match(/arn:[a-z-]+:[^"\\]*/g) ?? [];
    expect(arns.length).toBeGreaterThan(3);
    for (const arn of arns) expect(arn.startsWith('arn:aws-eusc:'), arn).toBe(true);
    expect(text).not.toContain('arn:aws:');
    expect(text).toContain(':999988887777:');
    expect(text).not.toContain('111122223333');
    const ami = rec.invokes.find((i) => i.token === 'aws:ec2/getAmi:getAmi')!;
    expect(ami.inputs.owners).toEqual(['123412341234']);
    // The KMS condition names the SSM endpoint of the partition's DNS suffix.
    expect(text).toContain('ssm.eusc-de-east-1.amazonaws.eu');
  });

  it('uses a fixed image when jitsi-eu:amiId is set', async () => {
    const rec = await recordProgram({ stack: 'fixed-image', config: { ...BASE, 'aws:region': 'eu-central-1', 'jitsi-eu:amiId': 'ami-0fedcba9876543210' } });
    expect(first(rec, 'aws:ec2/instance:Instance').inputs.ami).toBe('ami-0fedcba9876543210');
    const lookup = rec.invokes.find((i) => i.token === 'aws:ec2/getAmi:getAmi')!;
    expect(JSON.stringify(lookup.inputs.filters)).toContain('ami-0fedcba9876543210');
  });

  it('looks up the arm64 Debian image for Graviton bridges and keeps x86 for the signaling node', async () => {
    const rec = await recordProgram({
      stack: 'graviton',
      config: { ...BASE, 'aws:region': 'eu-central-1', 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': '{"min":1,"max":2,"instanceType":"c7g.xlarge"}' },
    });
    const lookups = rec.invokes.filter((i) => i.token === 'aws:ec2/getAmi:getAmi').map((i) => JSON.stringify(i.inputs.filters));
    expect(lookups).toHaveLength(2);
    expect(lookups.some((f) => f.includes('debian-12-arm64-') && f.includes('"arm64"'))).toBe(true);
    expect(lookups.some((f) => f.includes('debian-12-amd64-') && f.includes('"x86_64"'))).toBe(true);
  });
});

describe('DNS', () => {
  it('creates the A record in the hosted zone when jitsi-eu:dnsZone is set', async () => {
    const rec = await recordProgram({ stack: 'zoned', config: { ...BASE, 'aws:region': 'eu-central-1', 'jitsi-eu:dnsZone': 'example.org' } });
    const zoneLookup = rec.invokes.find((i) => i.token === 'aws:route53/getZone:getZone')!;
    expect(zoneLookup.inputs).toMatchObject({ name: 'example.org', privateZone: false });
    const record = of(rec, 'aws:route53/record:Record').find((r) => r.inputs.type === 'A')!;
    expect(record.inputs).toMatchObject({ name: 'meet.example.org', type: 'A', records: [rec.outputs.publicIp] });
    expect(providerUrn(record.provider ?? '')).toBe(first(rec, 'pulumi:providers:aws').urn);
    expect(rec.outputs.dnsManaged).toBe(true);
  });
});

describe('stack names', () => {
  it('keeps each stack inside its own SSM path', async () => {
    const rec = await recordProgram({ stack: 'course-a', config: { ...BASE, 'aws:region': 'eu-central-1' } });
    for (const parameter of of(rec, 'aws:ssm/parameter:Parameter')) expect(String(parameter.inputs.name).startsWith('/jitsi-eu/course-a/')).toBe(true);
    const policy = JSON.parse(String(first(rec, 'aws:iam/policy:Policy').inputs.policy)) as { Statement: { Resource: unknown }[] };
    const resources = policy.Statement.flatMap((s) => [s.Resource].flat()).map(String).filter((arn) => arn.includes(':ssm:'));
    for (const arn of resources) expect(arn.includes('parameter/jitsi-eu/course-a')).toBe(true);
  });
});

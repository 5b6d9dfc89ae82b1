// Each CrossGuard policy over resources recorded from the program under mocks: the program as
// it is passes, and each policy catches its violation when one is introduced.
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RecordedResource, recordProgram } from '../../scripts/plan/record.ts';
import { policyInputs } from '../../scripts/plan/run.ts';
import { type PolicyResourceInput, type PolicyResult, runPolicies } from '../../infra/policy/offline.ts';
import { POLICIES } from '../../infra/policy/policies.ts';
import { FAKE_AWS_ACCESS_KEY_ID, FAKE_PRIVATE_KEY_PEM } from '../fixtures/policy/leaked-secrets.ts';

const BASE = {
  'jitsi-eu:domain': 'meet.example.org',
  'jitsi-eu:acmeEmail': 'ops@example.org',
  'jitsi-eu:organization': 'Example University',
  'jitsi-eu:privacyContact': 'dpo@example.org',
  'jitsi-eu:auth': 'secure',
};

let single: RecordedResource[];
let scalable: RecordedResource[];
let sandboxSingle: RecordedResource[];
let sandboxScalable: RecordedResource[];
let generated: string[];

const SANDBOX = { 'jitsi-eu:sandbox': 'true', 'jitsi-eu:expiresAt': '2027-03-31T18:00:00Z', 'jitsi-eu:tls': 'letsencrypt-staging' };

beforeAll(async () => {
  const a = await recordProgram({ stack: 'policy-single', config: { ...BASE, 'aws:region': 'eu-central-1' } });
  single = a.resources;
  generated = a.generatedSecrets;
  scalable = (await recordProgram({
    stack: 'policy-scalable',
    config: { ...BASE, 'aws:region': 'eu-west-1', 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': '{"min":1,"max":3}' },
  })).resources;
  sandboxSingle = (await recordProgram({ stack: 'policy-sandbox', config: { ...BASE, ...SANDBOX, 'aws:region': 'eu-central-1' } })).resources;
  sandboxScalable = (await recordProgram({
    stack: 'policy-sandbox-scalable',
    config: { ...BASE, ...SANDBOX, 'aws:region': 'eu-west-1', 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': '{"min":1,"max":3}' },
  })).resources;
});

const EU = { allowNonEuRegion: false };
const inputs = (resources: RecordedResource[]) => structuredClone(policyInputs(resources));
const find = (resources: PolicyResourceInput[], type: string) => {
  const found = resources.find((r) => r.type === type);
  if (!found) throw new Error(`no ${type}`);
  return found;
};
const failing = (results: PolicyResult[]) => results.filter((r) => r.status === 'fail').map((r) => r.policy);
const messages = (results: PolicyResult[], policy: string) => results.find((r) => r.policy === policy)!.violations.map((v) => v.message);

const INSTANCE = 'aws:ec2/instance:Instance';
const TEMPLATE = 'aws:ec2/launchTemplate:LaunchTemplate';
const PROVIDER = 'pulumi:providers:aws';

function extraResource(type: string, name: string, props: Record<string, unknown>, provider?: PolicyResourceInput['provider']): PolicyResourceInput {
  return { type, name, urn: `urn:pulumi:test::jitsi-eu::${type}::${name}`, props, ...(provider ? { provider } : {}) };
}

/** User data as the program sends it: gzip, base64. */
const packUserData = (text: string) => gzipSync(Buffer.from(text)).toString('base64');

describe('the program as it is', () => {
  it('passes every policy in both topologies', () => {
    for (const resources of [single, scalable, sandboxSingle, sandboxScalable]) {
      const results = runPolicies(inputs(resources), EU);
      expect(results).toHaveLength(POLICIES.length);
      expect(failing(results)).toEqual([]);
    }
  });
});

describe('eu-region', () => {
  it('refuses a provider outside the EU', () => {
    const r = inputs(single);
    find(r, PROVIDER).props.region = 'us-east-1';
    const results = runPolicies(r, EU);
    expect(failing(results)).toEqual(['eu-region']);
    expect(messages(results, 'eu-region')[0]).toContain('us-east-1');
  });

  it('refuses a resource that names its own region outside the EU', () => {
    const r = inputs(single);
    find(r, 'aws:ec2/vpc:Vpc').props.region = 'us-west-2';
    expect(failing(runPolicies(r, EU))).toEqual(['eu-region']);
  });

  it('allows London and Zurich only with the opt-in', () => {
    const r = inputs(single);
    find(r, PROVIDER).props.region = 'eu-west-2';
    expect(failing(runPolicies(r, EU))).toEqual(['eu-region']);
    expect(failing(runPolicies(r, { allowNonEuRegion: true }))).toEqual([]);
    find(r, PROVIDER).props.region = 'ap-south-1';
    expect(failing(runPolicies(r, { allowNonEuRegion: true }))).toEqual(['eu-region']);
  });

  it('refuses a provider without a region', () => {
    const r = inputs(single);
    delete find(r, PROVIDER).props.region;
    expect(failing(runPolicies(r, EU))).toEqual(['eu-region']);
  });
});

describe('encrypted-volumes', () => {
  it('catches an unencrypted instance root volume', () => {
    const r = inputs(single);
    (find(r, INSTANCE).props.rootBlockDevice as Record<string, unknown>).encrypted = false;
    expect(failing(runPolicies(r, EU))).toEqual(['encrypted-volumes']);
  });

  it('catches an instance without a root volume definition, and an unencrypted data volume', () => {
    const r = inputs(single);
    delete find(r, INSTANCE).props.rootBlockDevice;
    expect(failing(runPolicies(r, EU))).toEqual(['encrypted-volumes']);
    const s = inputs(single);
    find(s, INSTANCE).props.ebsBlockDevices = [{ deviceName: '/dev/sdf', volumeSize: 10 }];
    expect(messages(runPolicies(s, EU), 'encrypted-volumes')).toEqual(['ebsBlockDevices[0] is not encrypted']);
  });

  it('catches a launch template with an unencrypted or no block device mapping', () => {
    const r = inputs(scalable);
    const mapping = (find(r, TEMPLATE).props.blockDeviceMappings as Record<string, Record<string, unknown>>[])[0]!;
    mapping.ebs!.encrypted = 'false';
    expect(failing(runPolicies(r, EU))).toEqual(['encrypted-volumes']);
    const s = inputs(scalable);
    delete find(s, TEMPLATE).props.blockDeviceMappings;
    expect(failing(runPolicies(s, EU))).toEqual(['encrypted-volumes']);
  });

  it('catches a standalone unencrypted volume', () => {
    const r = inputs(single);
    const provider = find(r, INSTANCE).provider;
    r.push(extraResource('aws:ebs/volume:Volume', 'data', { size: 10, availabilityZone: 'eu-central-1a' }, provider));
    expect(failing(runPolicies(r, EU))).toEqual(['encrypted-volumes']);
  });
});

describe('imdsv2-required', () => {
  it('catches an instance that accepts IMDSv1', () => {
    const r = inputs(single);
    (find(r, INSTANCE).props.metadataOptions as Record<string, unknown>).httpTokens = 'optional';
    expect(failing(runPolicies(r, EU))).toEqual(['imdsv2-required']);
  });

  it('catches a launch template whose metadata is reachable two hops away, or has no metadata options', () => {
    const r = inputs(scalable);
    (find(r, TEMPLATE).props.metadataOptions as Record<string, unknown>).httpPutResponseHopLimit = 2;
    expect(failing(runPolicies(r, EU))).toEqual(['imdsv2-required']);
    const s = inputs(scalable);
    delete find(s, TEMPLATE).props.metadataOptions;
    expect(failing(runPolicies(s, EU))).toEqual(['imdsv2-required']);
  });
});

describe('no-public-admin-ports', () => {
  const signalingGroup = (r: PolicyResourceInput[]) => r.find((x) => x.name === 'signaling-sg')!;
  const addRule = (r: PolicyResourceInput[], rule: Record<string, unknown>) => (signalingGroup(r).props.ingress as unknown[]).push(rule);

  it.each([
    ['SSH', { protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['0.0.0.0/0'] }, [22]],
    ['RDP over IPv6', { protocol: 'tcp', fromPort: 3389, toPort: 3389, ipv6CidrBlocks: ['::/0'] }, [3389]],
    ['a range over the JVB and jicofo REST ports', { protocol: 'tcp', fromPort: 8000, toPort: 9000, cidrBlocks: ['0.0.0.0/0'] }, [8080, 8443, 8888]],
    ['XMPP client logins', { protocol: 'tcp', fromPort: 5222, toPort: 5222, cidrBlocks: ['0.0.0.0/0'] }, [5222]],
    ['all traffic', { protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] }, [22, 3389]],
  ])('catches %s open to the world', (_, rule, ports) => {
    const r = inputs(scalable);
    addRule(r, rule);
    const results = runPolicies(r, EU);
    expect(failing(results)).toEqual(['no-public-admin-ports']);
    for (const port of ports) expect(messages(results, 'no-public-admin-ports')[0]).toContain(String(port));
  });

  it('accepts admin ports open to a security group or a private range, and media ports to the world', () => {
    const r = inputs(single);
    addRule(r, { protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['10.0.0.0/16'] });
    addRule(r, { protocol: 'udp', fromPort: 10000, toPort: 10000, cidrBlocks: ['0.0.0.0/0'] });
    expect(failing(runPolicies(r, EU))).toEqual([]);
  });

  it('catches separate rule resources too', () => {
    const r = inputs(single);
    const provider = find(r, INSTANCE).provider;
    r.push(extraResource('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', 'rdp', { ipProtocol: 'tcp', fromPort: 3389, toPort: 3389, cidrIpv4: '0.0.0.0/0', securityGroupId: 'sg-1', tags: { 'jitsi-eu:stack': 'x', 'jitsi-eu:project': 'jitsi-eu' } }, provider));
    r.push(extraResource('aws:ec2/securityGroupRule:SecurityGroupRule', 'prosody-http', { type: 'ingress', protocol: 'tcp', fromPort: 5280, toPort: 5280, cidrBlocks: ['0.0.0.0/0'], securityGroupId: 'sg-1' }, provider));
    const results = runPolicies(r, EU);
    expect(failing(results)).toEqual(['no-public-admin-ports']);
    expect(results.find((x) => x.policy === 'no-public-admin-ports')!.violations.map((v) => v.name).sort()).toEqual(['prosody-http', 'rdp']);
  });
});

describe('no-ssh-key-pairs', () => {
  it('catches a key pair resource', () => {
    const r = inputs(single);
    r.push(extraResource('aws:ec2/keyPair:KeyPair', 'admin', { publicKey: 'ssh-ed25519 AAAA', tags: { 'jitsi-eu:stack': 'x', 'jitsi-eu:project': 'jitsi-eu' } }, find(r, INSTANCE).provider));
    expect(failing(runPolicies(r, EU))).toEqual(['no-ssh-key-pairs']);
  });

  it('catches a key name on an instance or a launch template', () => {
    const r = inputs(scalable);
    find(r, INSTANCE).props.keyName = 'admin';
    find(r, TEMPLATE).props.keyName = 'admin';
    const results = runPolicies(r, EU);
    expect(failing(results)).toEqual(['no-ssh-key-pairs']);
    expect(messages(results, 'no-ssh-key-pairs')).toHaveLength(2);
  });
});

describe('required-tags', () => {
  it("catches a provider whose default tags lack the stack tag, and every resource that relied on them", () => {
    const r = inputs(single);
    const provider = find(r, PROVIDER);
    const stripped = JSON.stringify({ tags: { 'jitsi-eu:project': 'jitsi-eu' } });
    provider.props.defaultTags = stripped;
    for (const resource of r) if (resource.provider) resource.provider.props.defaultTags = stripped;
    const results = runPolicies(r, EU);
    expect(failing(results)).toEqual(['required-tags']);
    const flagged = new Set(results.find((x) => x.policy === 'required-tags')!.violations.map((v) => v.type));
    for (const type of [PROVIDER, INSTANCE, 'aws:ec2/vpc:Vpc', 'aws:ssm/parameter:Parameter', 'aws:iam/role:Role']) expect(flagged.has(type), type).toBe(true);
    // Resources that carry the tags themselves pass.
    for (const resource of r) if (resource.type === INSTANCE) resource.props.tags = { 'jitsi-eu:stack': 's', 'jitsi-eu:project': 'jitsi-eu' };
    const again = runPolicies(r, EU).find((x) => x.policy === 'required-tags')!;
    expect(again.violations.some((v) => v.type === INSTANCE)).toBe(false);
  });

  it('catches a launch template whose launched volumes would be untagged', () => {
    const r = inputs(scalable);
    const template = find(r, TEMPLATE);
    template.props.tagSpecifications = (template.props.tagSpecifications as { resourceType: string }[]).filter((s) => s.resourceType !== 'volume');
    const results = runPolicies(r, EU);
    expect(failing(results)).toEqual(['required-tags']);
    expect(messages(results, 'required-tags')[0]).toContain('volume');
  });

  it('catches an Auto Scaling group without the tags', () => {
    const r = inputs(scalable);
    find(r, 'aws:autoscaling/group:Group').props.tags = [];
    expect(failing(runPolicies(r, EU))).toEqual(['required-tags']);
  });
});

describe('no-secrets-in-user-data', () => {
  const withUserData = (text: string) => {
    const r = inputs(single);
    find(r, INSTANCE).props.userDataBase64 = packUserData(text);
    return runPolicies(r, EU);
  };

  it('catches a password written into the user data, without repeating it', () => {
    const results = withUserData('#cloud-config\nwrite_files:\n  - path: /etc/x.conf\n    content: |\n      password = "correct-horse-battery"\n');
    expect(failing(results)).toEqual(['no-secrets-in-user-data']);
    const [message] = messages(results, 'no-secrets-in-user-data');
    expect(message).toContain('password');
    expect(message).not.toContain('correct-horse-battery');
  });

  it('catches a generated component secret pasted into the user data', () => {
    expect(generated.length).toBeGreaterThan(0);
    const results = withUserData(`#cloud-config\nruntime:\n  turn_secret: ${generated[0]}\n`);
    expect(failing(results)).toEqual(['no-secrets-in-user-data']);
  });

  it('catches private keys and AWS access keys', () => {
    expect(failing(withUserData(`#!/bin/sh\ncat > /k <<EOF\n${FAKE_PRIVATE_KEY_PEM}EOF\n`))).toEqual(['no-secrets-in-user-data']);
    expect(failing(withUserData(`#!/bin/sh\nexport AWS_ACCESS_KEY_ID=${FAKE_AWS_ACCESS_KEY_ID}\n`))).toEqual(['no-secrets-in-user-data']);
  });

  it('looks inside base64 and gzip+base64 encoded files', () => {
    const inner = Buffer.from('jwt_app_secret: "s3cr3t-value-here"\n').toString('base64');
    const gz = gzipSync(Buffer.from('{"password": "another-secret-1"}')).toString('base64');
    const text = `#cloud-config\nwrite_files:\n  - path: /etc/a\n    encoding: b64\n    content: ${inner}\n  - path: /etc/b\n    encoding: gz+b64\n    content: ${gz}\n`;
    const results = withUserData(text);
    expect(messages(results, 'no-secrets-in-user-data')).toHaveLength(2);
  });

  it('accepts placeholders, references and harmless settings', () => {
    const text = [
      '#cloud-config',
      'write_files:',
      '  - path: /etc/jitsi/jicofo/jicofo.conf',
      '    content: |',
      '      password = "@@jitsi-eu-secret:focus-password@@"',
      '      secret = "${TURN_SECRET}"',
      '      allow_empty_token = false',
      '      token_auth_url = "https://meet.example.org/auth"',
      '      key_file = "/etc/jitsi-eu/tls/meet.example.org/privkey.pem"',
    ].join('\n');
    expect(failing(withUserData(text))).toEqual([]);
  });

  it('checks launch template user data', () => {
    const r = inputs(scalable);
    find(r, TEMPLATE).props.userData = packUserData('#cloud-config\nbootcmd:\n  - echo "db_password: hunter2hunter2"\n');
    expect(failing(runPolicies(r, EU))).toEqual(['no-secrets-in-user-data']);
  });
});

describe('sandbox-expiry-schedule', () => {
  const SCHEDULE = 'aws:scheduler/schedule:Schedule';
  const without = (resources: RecordedResource[], name: string) => inputs(resources).filter((r) => !(r.type === SCHEDULE && r.name === name));

  it('refuses a sandbox that would not stop its signaling node, naming its expiry', () => {
    const results = runPolicies(without(sandboxSingle, 'expiry-stop-signaling'), EU);
    expect(failing(results)).toEqual(['sandbox-expiry-schedule']);
    expect(messages(results, 'sandbox-expiry-schedule')).toEqual([
      'this sandbox has no schedule that stops its signaling node at its expiry (2027-03-31T18:00:00.000Z): it would keep running and costing until someone runs sandbox reap',
    ]);
    expect(results.find((r) => r.policy === 'sandbox-expiry-schedule')!.enforcementLevel).toBe('mandatory');
  });

  it('refuses a scalable sandbox whose bridge pool would keep running', () => {
    const results = runPolicies(without(sandboxScalable, 'expiry-stop-bridges'), EU);
    expect(failing(results)).toEqual(['sandbox-expiry-schedule']);
    expect(messages(results, 'sandbox-expiry-schedule')[0]).toContain('empties its bridge pool');
  });

  it('refuses a schedule that fires at another time than the expiry', () => {
    const r = inputs(sandboxSingle);
    find(r, SCHEDULE).props.scheduleExpression = 'at(2027-04-30T18:00:00)';
    expect(messages(runPolicies(r, EU), 'sandbox-expiry-schedule')).toEqual([
      "the schedule that stops its signaling node fires at at(2027-04-30T18:00:00), not at the sandbox's expiry at(2027-03-31T18:00:00)",
    ]);
  });

  it('asks nothing of a stack that is not a sandbox', () => {
    expect(inputs(single).some((r) => r.type === SCHEDULE)).toBe(false);
    expect(failing(runPolicies(inputs(single), EU))).toEqual([]);
  });
});

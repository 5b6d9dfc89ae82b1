import { describe, expect, it } from 'vitest';
import { formatProblems, parseStackConfig, specFromConfig } from '../../infra/spec/index.ts';
import type { SpecResult } from '../../infra/spec/types.ts';
import { PINNED_JITSI_RELEASE } from '../../infra/privacy/upstream.ts';

const NOW = new Date('2026-11-22T12:00:00Z');

/** A valid minimal stack config; tests change one thing at a time. */
const base = (): Record<string, unknown> => ({
  'aws:region': 'eu-central-1',
  'jitsi-eu:domain': 'meet.example.org',
  'jitsi-eu:acmeEmail': 'ops@example.org',
});

const check = (overrides: Record<string, unknown>, remove: string[] = []): SpecResult => {
  const config = { ...base(), ...overrides };
  for (const key of remove) delete config[key];
  return specFromConfig(config, { stack: 'unit', now: NOW });
};

function problemsOf(result: SpecResult) {
  if (result.ok) throw new Error(`expected problems, got a valid spec: ${JSON.stringify(result.spec)}`);
  return result.problems;
}

function specOf(result: SpecResult) {
  if (!result.ok) throw new Error(`expected a valid spec, got: ${formatProblems(result.problems).join('; ')}`);
  return result.spec;
}

describe('defaults', () => {
  it('fills every default of a minimal stack', () => {
    const spec = specOf(check({}));
    expect(spec).toMatchObject({
      stack: 'unit',
      region: 'eu-central-1',
      partition: 'aws',
      residency: 'eu',
      tls: 'letsencrypt',
      topology: 'single',
      instanceType: 'c6i.xlarge',
      auth: 'secure',
      lobby: true,
      p2p: false,
      turn: true,
      jitsiVersion: PINNED_JITSI_RELEASE,
      sandbox: false,
      organization: 'meet.example.org',
      privacyContact: 'ops@example.org',
    });
    expect(spec.bridges).toBeUndefined();
  });

  it('warns when the privacy notice falls back to the domain and the ACME address', () => {
    const result = check({});
    expect(result.warnings.join('\n')).toMatch(/organization is not set/);
    expect(result.warnings.join('\n')).toMatch(/privacyContact is not set/);
    const quiet = check({ 'jitsi-eu:organization': 'Uni', 'jitsi-eu:privacyContact': 'dpo@example.org' });
    expect(quiet.warnings).toEqual([]);
  });

  it('gives the scalable topology a default bridge pool', () => {
    expect(specOf(check({ 'jitsi-eu:topology': 'scalable' })).bridges).toEqual({ min: 1, max: 4, instanceType: 'c6i.2xlarge' });
  });
});

describe('aws:region', () => {
  it.each(['eu-central-1', 'eu-west-1', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2'])('accepts EU member-state region %s', (region) => {
    const spec = specOf(check({ 'aws:region': region }));
    expect(spec.partition).toBe('aws');
    expect(spec.residency).toBe('eu');
  });

  it('accepts the European Sovereign Cloud region in its own partition', () => {
    const spec = specOf(check({ 'aws:region': 'eusc-de-east-1' }));
    expect(spec.partition).toBe('aws-eusc');
  });

  it.each(['eu-west-2', 'eu-central-2'])('refuses %s without the opt-in and names the key', (region) => {
    const [problem] = problemsOf(check({ 'aws:region': region }));
    expect(problem!.key).toBe('aws:region');
    expect(problem!.message).toContain(region);
    expect(problem!.message).toContain('jitsi-eu:allowNonEuRegion');
  });

  it.each([
    ['eu-west-2', /United Kingdom/],
    ['eu-central-2', /Switzerland/],
  ])('allows %s with the opt-in and warns with the adequacy basis', (region, basis) => {
    const result = check({ 'aws:region': region, 'jitsi-eu:allowNonEuRegion': 'true' });
    const spec = specOf(result);
    expect(spec.residency).toBe('adequacy');
    expect(result.warnings.join('\n')).toMatch(/adequacy decision/);
    expect(result.warnings.join('\n')).toMatch(basis);
  });

  it.each(['us-east-1', 'ap-southeast-2', 'me-central-1', 'eu-central-9', 'EU-CENTRAL-1'])('refuses %s even with the opt-in', (region) => {
    const problems = problemsOf(check({ 'aws:region': region, 'jitsi-eu:allowNonEuRegion': true }));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.key).toBe('aws:region');
    expect(problems[0]!.message).toContain(`"${region}"`);
    expect(problems[0]!.message).toContain('eu-central-1');
  });

  it('requires a region', () => {
    const problems = problemsOf(check({}, ['aws:region']));
    expect(problems.map((p) => p.key)).toEqual(['aws:region']);
    expect(problems[0]!.message).toMatch(/required/);
  });
});

describe('jitsi-eu:domain', () => {
  it.each([
    ['https://meet.example.org', /without a scheme/],
    ['meet.example.org:443', /without a port/],
    ['meet.example.org/room', /without a path/],
    ['meet_eu.example.org', /underscore/],
    ['Meet.Example.org', /lowercase/],
    ['localhost', /two labels/],
    ['meet..example.org', /empty label/],
    ['-meet.example.org', /may not start or end/],
    ['10.0.0.1', /IP address/],
    [`${'a'.repeat(64)}.example.org`, /longer than 63/],
    [`${'abcdefghi.'.repeat(25)}example.org`, /at most 253/],
  ])('refuses %s', (domain, reason) => {
    const problems = problemsOf(check({ 'jitsi-eu:domain': domain }));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.key).toBe('jitsi-eu:domain');
    expect(problems[0]!.message).toContain(JSON.stringify(domain));
    expect(problems[0]!.message).toMatch(reason);
  });

  it('accepts a deep lowercase host name with digits and hyphens', () => {
    expect(specOf(check({ 'jitsi-eu:domain': 'video-2.it.uni-example.eu' })).domain).toBe('video-2.it.uni-example.eu');
  });
});

describe('TLS', () => {
  it('accepts staging and refuses anything else', () => {
    expect(specOf(check({ 'jitsi-eu:tls': 'letsencrypt-staging' })).tls).toBe('letsencrypt-staging');
    const [problem] = problemsOf(check({ 'jitsi-eu:tls': 'self-signed' }));
    expect(problem!.message).toMatch(/"self-signed" is not allowed: use one of letsencrypt, letsencrypt-staging/);
  });

  it('requires an ACME e-mail address that looks like one', () => {
    expect(problemsOf(check({}, ['jitsi-eu:acmeEmail']))[0]!.message).toMatch(/jitsi-eu:acmeEmail is required/);
    expect(problemsOf(check({ 'jitsi-eu:acmeEmail': 'ops' }))[0]!.message).toMatch(/"ops" is not an e-mail address/);
  });
});

describe('topology and bridges', () => {
  it('reads a bridge pool given as a YAML mapping or as the JSON string Pulumi stores', () => {
    const fromMap = specOf(check({ 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': { min: 2, max: 6, instanceType: 'c7i.2xlarge' } }));
    const fromJson = specOf(check({ 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': '{"min":"2","max":6,"instanceType":"c7i.2xlarge"}' }));
    expect(fromMap.bridges).toEqual({ min: 2, max: 6, instanceType: 'c7i.2xlarge' });
    expect(fromJson.bridges).toEqual(fromMap.bridges);
  });

  it('refuses a pool that may shrink to no bridge at all', () => {
    const [problem] = problemsOf(check({ 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': { min: 0, max: 3 } }));
    expect(problem!.key).toBe('jitsi-eu:bridges');
    expect(problem!.message).toMatch(/bridges\.min: 0 is not allowed: keep at least 1 bridge/);
  });

  it('refuses min > max and max < 1', () => {
    const minMax = problemsOf(check({ 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': { min: 5, max: 2 } }));
    expect(minMax.map((p) => p.message).join('\n')).toMatch(/min 5 is greater than max 2/);
    const zero = problemsOf(check({ 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': { min: 0, max: 0 } }));
    expect(zero.map((p) => p.message).join('\n')).toMatch(/at least 1 bridge/);
  });

  it('refuses non-integer sizes, unknown fields and bad instance types', () => {
    const problems = problemsOf(
      check({ 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': { min: 1.5, max: 'many', instanceType: 'big', size: 3 } }),
    );
    const text = problems.map((p) => p.message).join('\n');
    expect(text).toMatch(/bridges\.min: 1\.5 is not allowed: use a whole number/);
    expect(text).toMatch(/bridges\.max: "many" is not allowed/);
    expect(text).toMatch(/bridges\.instanceType: "big"/);
    expect(text).toMatch(/bridges\.size is not a bridge pool setting/);
    expect(problems.every((p) => p.key === 'jitsi-eu:bridges')).toBe(true);
  });

  it('refuses a bridge pool on a single node', () => {
    const [problem] = problemsOf(check({ 'jitsi-eu:bridges': { min: 1, max: 2 } }));
    expect(problem!.message).toMatch(/topology is "single"/);
  });

  it('refuses an unknown topology and a malformed instance type', () => {
    expect(problemsOf(check({ 'jitsi-eu:topology': 'cluster' }))[0]!.message).toMatch(/use one of single, scalable/);
    expect(problemsOf(check({ 'jitsi-eu:instanceType': 'large' }))[0]!.key).toBe('jitsi-eu:instanceType');
  });
});

describe('booleans and numbers as Pulumi stores them', () => {
  it('accepts "true"/"false" strings and real booleans', () => {
    const spec = specOf(check({ 'jitsi-eu:lobby': 'false', 'jitsi-eu:p2p': true, 'jitsi-eu:turn': 'true' }));
    expect([spec.lobby, spec.p2p, spec.turn]).toEqual([false, true, true]);
  });

  it.each([['yes'], ['1'], [1], ['TRUE']])('refuses %j as a boolean, naming the key and the value', (value) => {
    const [problem] = problemsOf(check({ 'jitsi-eu:p2p': value }));
    expect(problem!.key).toBe('jitsi-eu:p2p');
    expect(problem!.message).toContain(JSON.stringify(value));
    expect(problem!.message).toMatch(/use true or false/);
  });

  it('refuses a number or a list where text is expected', () => {
    expect(problemsOf(check({ 'jitsi-eu:domain': 42 }))[0]!.message).toMatch(/42 is a number; expected text/);
    expect(problemsOf(check({ 'jitsi-eu:owner': ['a'] }))[0]!.message).toMatch(/is not text/);
  });

  it('refuses a jitsi-eu setting stored as a Pulumi secret', () => {
    const [problem] = problemsOf(check({ 'jitsi-eu:domain': { secure: 'v1:abc' } }));
    expect(problem!.message).toMatch(/stored as a secret/);
    expect(problem!.message).not.toContain('v1:abc');
  });
});

describe('unknown keys', () => {
  it.each([
    ['jitsi-eu:domian', 'jitsi-eu:domain'],
    ['jitsi-eu:lobbby', 'jitsi-eu:lobby'],
    ['jitsi-eu:acme-email', 'jitsi-eu:acmeEmail'],
    ['jitsi-eu:instancetype', 'jitsi-eu:instanceType'],
  ])('%s suggests %s', (typo, known) => {
    const [problem] = problemsOf(check({ [typo]: 'x' }));
    expect(problem!.key).toBe(typo);
    expect(problem!.message).toContain(`did you mean ${known}?`);
  });

  it('says "did you mean" once, without also calling the misspelt key missing', () => {
    const problems = problemsOf(check({ 'jitsi-eu:domian': 'meet.example.org' }, ['jitsi-eu:domain']));
    expect(problems.map((p) => p.key)).toEqual(['jitsi-eu:domian']);
    // A required key missing without any look-alike is still reported.
    expect(problemsOf(check({ 'jitsi-eu:recordingBackend': 'x' }, ['jitsi-eu:domain'])).map((p) => p.key).sort()).toEqual(['jitsi-eu:domain', 'jitsi-eu:recordingBackend']);
  });

  it('lists the known keys when nothing is close', () => {
    const [problem] = problemsOf(check({ 'jitsi-eu:recordingBackend': 's3' }));
    expect(problem!.message).toMatch(/known keys: .*jitsi-eu:domain/);
  });

  it('refuses a key without a namespace', () => {
    const [problem] = problemsOf(check({ domain: 'meet.example.org' }));
    expect(problem!.message).toMatch(/has no namespace: .*jitsi-eu:domain/);
  });

  it('leaves other namespaces alone', () => {
    specOf(check({ 'aws:profile': 'ops', 'pulumi:disable-default-providers': ['aws'] }));
  });
});

describe('combinations that would strand users', () => {
  it('refuses a lobby on every room with anonymous auth', () => {
    const problems = problemsOf(check({ 'jitsi-eu:auth': 'anonymous' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.key).toBe('jitsi-eu:lobby');
    expect(problems[0]!.message).toMatch(/strand everyone in the lobby/);
    expect(problems[0]!.message).toMatch(/auth: secure or jwt, or set lobby: false/);
  });

  it('allows anonymous auth without the lobby, and the lobby with secure or jwt', () => {
    specOf(check({ 'jitsi-eu:auth': 'anonymous', 'jitsi-eu:lobby': false }));
    specOf(check({ 'jitsi-eu:auth': 'jwt' }));
  });

  it('refuses P2P without the deployment\'s own STUN server', () => {
    const [problem] = problemsOf(check({ 'jitsi-eu:p2p': true, 'jitsi-eu:turn': false }));
    expect(problem!.key).toBe('jitsi-eu:p2p');
    expect(problem!.message).toMatch(/own STUN server/);
  });

  it('does not pile a combination error on top of an invalid value', () => {
    const problems = problemsOf(check({ 'jitsi-eu:auth': 'anonymous', 'jitsi-eu:lobby': 'yes' }));
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/"yes" is not allowed/)]);
  });

  it('refuses a DNS zone that does not hold the domain', () => {
    const [problem] = problemsOf(check({ 'jitsi-eu:dnsZone': 'example.com' }));
    expect(problem!.message).toMatch(/does not contain jitsi-eu:domain "meet.example.org"/);
    expect(specOf(check({ 'jitsi-eu:dnsZone': 'example.org.' })).dnsZone).toBe('example.org');
  });

  it('refuses a sandbox without an expiry', () => {
    const [problem] = problemsOf(check({ 'jitsi-eu:sandbox': true }));
    expect(problem!.message).toMatch(/sandbox must have an expiry/);
  });
});

describe('lifecycle and ownership', () => {
  it('normalises an ISO 8601 instant to UTC', () => {
    expect(specOf(check({ 'jitsi-eu:expiresAt': '2026-12-01T18:00:00+01:00' })).expiresAt).toBe('2026-12-01T17:00:00.000Z');
  });

  it.each(['2026-12-01', 'tomorrow', '2026-13-40T00:00:00Z', '2026-12-01 18:00'])('refuses %s as an expiry', (value) => {
    const [problem] = problemsOf(check({ 'jitsi-eu:expiresAt': value }));
    expect(problem!.message).toMatch(/not an ISO 8601 instant/);
  });

  it('warns about an expiry in the past', () => {
    const result = check({ 'jitsi-eu:expiresAt': '2026-01-01T00:00:00Z' });
    expect(result.ok).toBe(true);
    expect(result.warnings.join('\n')).toMatch(/is in the past/);
  });

  it('refuses an owner that cannot be an AWS tag value', () => {
    expect(problemsOf(check({ 'jitsi-eu:owner': 'ops;rm -rf' }))[0]!.key).toBe('jitsi-eu:owner');
    expect(specOf(check({ 'jitsi-eu:owner': 'Dr. Ada Lovelace' })).owner).toBe('Dr. Ada Lovelace');
  });

  it('validates the Jitsi release, AMI overrides and privacy contact', () => {
    expect(problemsOf(check({ 'jitsi-eu:jitsiVersion': 'stable' }))[0]!.key).toBe('jitsi-eu:jitsiVersion');
    expect(check({ 'jitsi-eu:jitsiVersion': '99999' }).warnings.join('\n')).toMatch(/differs from/);
    expect(problemsOf(check({ 'jitsi-eu:amiOwner': '1234' }))[0]!.key).toBe('jitsi-eu:amiOwner');
    expect(problemsOf(check({ 'jitsi-eu:amiId': 'debian-12' }))[0]!.key).toBe('jitsi-eu:amiId');
    expect(problemsOf(check({ 'jitsi-eu:privacyContact': 'call us' }))[0]!.key).toBe('jitsi-eu:privacyContact');
    expect(specOf(check({ 'jitsi-eu:privacyContact': 'https://uni.example.org/privacy' })).privacyContact).toBe('https://uni.example.org/privacy');
  });
});

describe('every problem at once', () => {
  it('reports all problems of a bad file in one pass, each naming its key', () => {
    const problems = problemsOf(
      check({
        'aws:region': 'us-west-2',
        'jitsi-eu:domain': 'http://x',
        'jitsi-eu:tls': 'none',
        'jitsi-eu:domian': 'x',
        'jitsi-eu:p2p': 'maybe',
      }),
    );
    expect(problems.map((p) => p.key).sort()).toEqual(['aws:region', 'jitsi-eu:domain', 'jitsi-eu:domian', 'jitsi-eu:p2p', 'jitsi-eu:tls']);
  });
});

describe('stack files', () => {
  it('reports invalid YAML with its line', () => {
    const result = parseStackConfig('config:\n  aws:region: eu-central-1\n  jitsi-eu:domain: [meet\n', { stack: 'y' });
    const [problem] = problemsOf(result);
    expect(problem!.line).toBe(4);
    expect(formatProblems([problem!], 'Pulumi.y.yaml')[0]).toMatch(/^Pulumi\.y\.yaml:4: invalid YAML at line 4/);
  });

  it('reports duplicate keys as invalid YAML', () => {
    const result = parseStackConfig('config:\n  jitsi-eu:lobby: true\n  jitsi-eu:lobby: false\n', { stack: 'y' });
    expect(problemsOf(result)[0]!.message).toMatch(/invalid YAML at line 3/);
  });

  it('attaches the line of each key to its problem', () => {
    const text = 'config:\n  aws:region: eu-central-1\n  jitsi-eu:domain: meet.example.org\n  jitsi-eu:acmeEmail: a@b.org\n  jitsi-eu:domian: x\n';
    const [problem] = problemsOf(parseStackConfig(text, { stack: 'y' }));
    expect(problem!.line).toBe(5);
  });

  it('lists problems in the order of the file', () => {
    const text = 'config:\n  jitsi-eu:tls: none\n  aws:region: us-east-1\n  jitsi-eu:domain: x\n  jitsi-eu:acmeEmail: a@b.org\n';
    expect(problemsOf(parseStackConfig(text, { stack: 'y' })).map((p) => p.line)).toEqual([2, 3, 4]);
  });

  it('refuses a config section that is not a mapping', () => {
    expect(problemsOf(parseStackConfig('config: [a, b]\n', { stack: 'y' }))[0]!.key).toBe('config');
  });

  it('ignores Pulumi\'s own top-level keys next to config', () => {
    const text = 'encryptionsalt: v1:abc\nconfig:\n  aws:region: eu-west-1\n  jitsi-eu:domain: meet.example.org\n  jitsi-eu:acmeEmail: a@b.org\n';
    expect(specOf(parseStackConfig(text, { stack: 'y' })).region).toBe('eu-west-1');
  });

  it('refuses a stack name that Pulumi and SSM paths cannot carry', () => {
    const result = specFromConfig(base(), { stack: 'my stack/1' });
    expect(problemsOf(result)[0]!.key).toBe('(stack)');
  });
});

describe('instance types', () => {
  const stackFile = (lines: string[]) => ['config:', '  aws:region: eu-central-1', '  jitsi-eu:domain: meet.example.org', '  jitsi-eu:acmeEmail: ops@example.org', ...lines, ''].join('\n');

  it('refuses a type jitsi-eu cannot price or size, naming its line, the value and the nearest known type', () => {
    const result = parseStackConfig(stackFile(['  jitsi-eu:instanceType: t2.micro']), { stack: 'y', now: NOW });
    const [problem] = problemsOf(result);
    expect(problem).toMatchObject({ key: 'jitsi-eu:instanceType', value: 't2.micro', line: 5 });
    expect(formatProblems([problem!], 'Pulumi.y.yaml')[0]).toMatch(/^Pulumi\.y\.yaml:5: jitsi-eu:instanceType: "t2\.micro" is not an instance type jitsi-eu knows: did you mean t3\.micro\?/);
  });

  it('refuses t2.banana and lists the known families', () => {
    const [problem] = problemsOf(check({ 'jitsi-eu:instanceType': 't2.banana' }));
    expect(problem!.message).toMatch(/"t2\.banana" is not an instance type jitsi-eu knows/);
    expect(problem!.message).toMatch(/known families: c5, c6i, .*t4g/);
  });

  it('names the sizes a known family comes in', () => {
    const [problem] = problemsOf(check({ 'jitsi-eu:instanceType': 'c6i.medium' }));
    expect(problem!.message).toMatch(/c6i comes in large, xlarge, 2xlarge, .*32xlarge/);
  });

  it('refuses an unknown bridge type under jitsi-eu:bridges', () => {
    const [problem] = problemsOf(check({ 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': { min: 1, max: 2, instanceType: 'c6i.2xlrage' } }));
    expect(problem).toMatchObject({ key: 'jitsi-eu:bridges', value: 'c6i.2xlrage' });
    expect(problem!.message).toMatch(/bridges\.instanceType: "c6i\.2xlrage" is not an instance type jitsi-eu knows: did you mean c6i\.2xlarge\?/);
  });

  it('warns, with the threshold and its source, when a node is smaller than Jitsi needs', () => {
    const result = check({ 'jitsi-eu:instanceType': 't3.micro' });
    expect(result.ok).toBe(true);
    const warning = result.warnings.find((w) => w.startsWith('jitsi-eu:instanceType'));
    expect(warning).toMatch(/t3\.micro has 2 vCPU and 1 GiB of memory/);
    expect(warning).toMatch(/at least 2 vCPU and 4 GiB; Jitsi handbook, devops-guide\/requirements/);
    expect(check({ 'jitsi-eu:instanceType': 'c6i.large' }).warnings.filter((w) => w.includes('instanceType'))).toEqual([]);
  });

  it('warns when a videobridge is smaller than the handbook advises, and not at the default', () => {
    const small = check({ 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': { min: 1, max: 2, instanceType: 'c6i.large' } });
    expect(small.warnings.join('\n')).toMatch(/jitsi-eu:bridges\.instanceType: c6i\.large has 2 vCPU and 4 GiB .*at least 4 vCPU and 8 GiB; Jitsi handbook, devops-guide\/scalable/);
    expect(check({ 'jitsi-eu:topology': 'scalable' }).warnings.filter((w) => w.includes('instanceType'))).toEqual([]);
  });
});

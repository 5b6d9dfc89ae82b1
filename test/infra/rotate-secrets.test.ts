// Rotation under Pulumi's mocks: the URNs rotate hands to `pulumi up --replace/--target` are those
// of the program's own RandomPassword and SSM parameter resources, and a new value reaches nothing
// but its SSM parameter (no user data, no instance, no launch template).
import { describe, expect, it } from 'vitest';
import { secretUrns } from '../../infra/aws/secret-urns.ts';
import { secretsFor } from '../../infra/secrets.ts';
import { specFromConfig } from '../../infra/spec/index.ts';
import { isSecretValue, recordProgram, type Recording } from '../../scripts/plan/record.ts';

const BASE: Record<string, string> = {
  'aws:region': 'eu-north-1',
  'jitsi-eu:domain': 'video.meet.example.org',
  'jitsi-eu:acmeEmail': 'ops@example.org',
  'jitsi-eu:organization': 'Example University',
  'jitsi-eu:privacyContact': 'dpo@example.org',
  'jitsi-eu:owner': 'ops@example.org',
  'jitsi-eu:instanceType': 'c6i.large',
};
const STACKS = [
  { stack: 'pool-jwt', config: { ...BASE, 'jitsi-eu:topology': 'scalable', 'jitsi-eu:auth': 'jwt', 'jitsi-eu:bridges': '{"min":2,"max":4,"instanceType":"c6i.xlarge"}' } },
  { stack: 'single-secure', config: { ...BASE, 'jitsi-eu:auth': 'secure' } },
];

/** Every resource's inputs, with the values of secrets (which differ between runs) left out. */
function withoutSecretValues(rec: Recording): Map<string, unknown> {
  const strip = (value: unknown): unknown => {
    if (isSecretValue(value)) return '[secret]';
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]));
    return value;
  };
  return new Map(rec.resources.map((r) => [r.urn, strip(r.inputs)]));
}

describe.each(STACKS)('rotation of $stack under mocks', ({ stack, config }) => {
  it('names the URNs of the RandomPassword and SSM parameter of each secret the stack has', async () => {
    const rec = await recordProgram({ stack, config });
    const loaded = specFromConfig(config, { stack });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const of = (type: string) => rec.resources.filter((r) => r.type === type).map((r) => r.urn);
    const passwords = of('random:index/randomPassword:RandomPassword');
    const parameters = of('aws:ssm/parameter:Parameter');
    const secrets = secretsFor(loaded.spec);
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    expect(passwords.sort()).toEqual(secrets.map((s) => secretUrns(stack, s).password).sort());
    for (const s of secrets) expect(parameters).toContain(secretUrns(stack, s).parameter);
  });

  it('a new value changes only its SSM parameter: user data, instances and templates stay as they are', async () => {
    const first = await recordProgram({ stack, config });
    const second = await recordProgram({ stack, config });
    // The mocks make a new random value on every run, as a replaced RandomPassword does.
    expect(second.generatedSecrets).toHaveLength(first.generatedSecrets.length);
    for (const value of second.generatedSecrets) expect(first.generatedSecrets).not.toContain(value);

    const loaded = specFromConfig(config, { stack });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const secretParameters = new Set(secretsFor(loaded.spec).map((s) => secretUrns(stack, s).parameter));
    const parameterValues = (rec: Recording) =>
      rec.resources.filter((r) => secretParameters.has(r.urn)).map((r) => (isSecretValue(r.inputs.value) ? r.inputs.value.value : r.inputs.value));
    expect(parameterValues(first).sort()).toEqual([...first.generatedSecrets].sort());
    expect(parameterValues(second).sort()).toEqual([...second.generatedSecrets].sort());

    const a = withoutSecretValues(first);
    const b = withoutSecretValues(second);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    const differing = [...a.keys()].filter((urn) => JSON.stringify(a.get(urn)) !== JSON.stringify(b.get(urn)));
    expect(differing).toEqual([]);
    // And the only inputs that carry a secret value are those parameters (plus the generators' own state).
    const carriers = first.resources.filter((r) => JSON.stringify(r.inputs).includes(first.generatedSecrets[0]!)).map((r) => r.type);
    expect(carriers).toEqual(['aws:ssm/parameter:Parameter']);
  });
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR, specFromConfig } from '../../infra/spec/index.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import { readStackConfigFile, type StackConfig } from '../../scripts/lib/workspace.ts';
import { planSandbox, type SandboxRequest } from '../../scripts/sandbox/config.ts';
import { planAll } from '../../scripts/sandbox/create.ts';
import { SANDBOX_SIZES } from '../../scripts/sandbox/sizes.ts';

const NOW = new Date('2026-05-04T08:00:00Z');
const DAY = 86_400_000;
const baseFile = join(PROJECT_DIR, 'Pulumi.example-sandbox.yaml');
const base = readStackConfigFile(baseFile)!;
const plan = (request: Partial<SandboxRequest>, from: StackConfig = base) =>
  planSandbox(from, 'base.yaml', { name: 'demo', ttlMs: 7 * DAY, ...request }, NOW);

describe('a sandbox planned from the example sandbox stack', () => {
  it('gets its own host name under the base zone, staging TLS, an expiry and the sandbox mark', () => {
    const { config, spec } = plan({});
    expect(base['jitsi-eu:dnsZone']).toBe('sandbox.example.org');
    expect(spec.domain).toBe('demo.sandbox.example.org');
    expect(spec.dnsZone).toBe('sandbox.example.org');
    expect(spec.tls).toBe('letsencrypt-staging');
    expect(spec.sandbox).toBe(true);
    expect(spec.expiresAt).toBe('2026-05-11T08:00:00.000Z');
    expect(config['jitsi-eu:expiresAt']).toBe('2026-05-11T08:00:00Z');
    expect(spec.stack).toBe('demo');
    // Everything else comes from the base.
    expect(spec.region).toBe(base['aws:region']);
    expect(spec.organization).toBe(base['jitsi-eu:organization']);
    expect(spec.owner).toBe(base['jitsi-eu:owner']);
  });

  it('is valid for the same spec code that render, plan and deploy use', () => {
    const { config } = plan({ size: 'large', auth: 'jwt', owner: 'prof@uni.example' });
    const again = specFromConfig(config, { stack: 'demo', now: NOW });
    expect(again.ok).toBe(true);
  });

  it('takes owner, size and TLS from the request', () => {
    const { spec } = plan({ owner: 'prof@uni.example', size: 'small', tls: 'letsencrypt' });
    expect(spec.owner).toBe('prof@uni.example');
    expect(spec.instanceType).toBe(SANDBOX_SIZES.small.instanceType);
    expect(spec.tls).toBe('letsencrypt');
  });

  it('maps the three sizes to three different instance types, smallest first', () => {
    const types = (['small', 'medium', 'large'] as const).map((size) => plan({ size }).spec.instanceType);
    expect(new Set(types).size).toBe(3);
    expect(types).toEqual([SANDBOX_SIZES.small.instanceType, SANDBOX_SIZES.medium.instanceType, SANDBOX_SIZES.large.instanceType]);
  });

  it('turns the lobby off for anonymous auth, and says so', () => {
    const { spec, notes } = plan({ auth: 'anonymous' });
    expect(spec.auth).toBe('anonymous');
    expect(spec.lobby).toBe(false);
    expect(notes.join('\n')).toMatch(/lobby turned off/);
  });

  it('keeps the lobby for secure and jwt auth', () => {
    expect(plan({ auth: 'secure' }).spec.lobby).toBe(true);
    expect(plan({ auth: 'jwt' }).spec.lobby).toBe(true);
  });

  it('notes the staging certificate', () => {
    expect(plan({}).notes.join('\n')).toMatch(/staging/);
    expect(plan({ tls: 'letsencrypt' }).notes.join('\n')).not.toMatch(/staging/);
  });

  it('refuses an owner that is not an e-mail address', () => {
    expect(() => plan({ owner: 'the lecturer' })).toThrow(/--owner "the lecturer" is not an e-mail address/);
  });

  it('needs --domain when the base has no Route53 zone, and accepts one', () => {
    const noZone = { ...base };
    delete noZone['jitsi-eu:dnsZone'];
    expect(() => plan({}, noZone)).toThrow(/no jitsi-eu:dnsZone.*\n.*--domain demo\./);
    expect(plan({ domain: 'demo.meet.example.net' }, noZone).spec.domain).toBe('demo.meet.example.net');
  });

  it('reports the spec problems, by key, when the result would be invalid', () => {
    const badRegion = { ...base, 'aws:region': 'us-east-1' };
    let error: unknown;
    try {
      plan({}, badRegion);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(/sandbox demo \(from base\.yaml\) is not valid/);
    expect((error as UsageError).message).toMatch(/aws:region: "us-east-1" is not allowed/);
  });

  it('refuses a domain outside the base zone (the zone could not hold its record)', () => {
    expect(() => plan({ domain: 'demo.other.example' })).toThrow(/dnsZone.*does not contain/);
  });

  it('writes a comment naming the base and how the sandbox ends', () => {
    const { comment } = plan({});
    expect(comment).toMatch(/from base\.yaml/);
    expect(comment).toMatch(/sandbox -- reap/);
  });

  it('refuses the same name twice in one create', () => {
    expect(() => planAll([{ name: 'a', ttlMs: DAY }, { name: 'a', ttlMs: DAY }], base, 'base.yaml', NOW)).toThrow(/named twice/);
  });
});

// The spec on each cloud: where a stack may run (EU residency per cloud), the keys that belong to
// one cloud only, and the sizes each cloud defaults to or needs.
import { describe, expect, it } from 'vitest';
import { formatProblems, specFromConfig } from '../../infra/spec/index.ts';
import type { SpecResult } from '../../infra/spec/types.ts';

const NOW = new Date('2026-12-06T12:00:00Z');
const common = { 'jitsi-eu:domain': 'meet.example.org', 'jitsi-eu:acmeEmail': 'ops@example.org' };
const hetzner = (extra: Record<string, unknown> = {}) => ({ ...common, 'jitsi-eu:cloud': 'hetzner', 'jitsi-eu:location': 'fsn1', ...extra });
const openstack = (extra: Record<string, unknown> = {}) => ({
  ...common,
  'jitsi-eu:cloud': 'openstack',
  'openstack:region': 'GRA11',
  'jitsi-eu:country': 'FR',
  'jitsi-eu:externalNetwork': 'Ext-Net',
  'jitsi-eu:instanceType': 'c3-8',
  'jitsi-eu:provider': 'OVH SAS (Roubaix, France)',
  ...extra,
});
const check = (config: Record<string, unknown>): SpecResult => specFromConfig(config, { stack: 'clouds', now: NOW });

function specOf(result: SpecResult) {
  if (!result.ok) throw new Error(`expected a valid spec, got: ${formatProblems(result.problems).join('; ')}`);
  return result.spec;
}
function messages(result: SpecResult): string {
  if (result.ok) throw new Error(`expected problems, got a valid spec for ${result.spec.cloud}`);
  return result.problems.map((p) => p.message).join('\n');
}

describe('cloud', () => {
  it('is aws unless the stack says otherwise, with the region\'s country', () => {
    const spec = specOf(check({ ...common, 'aws:region': 'eu-west-3' }));
    expect(spec).toMatchObject({ cloud: 'aws', region: 'eu-west-3', country: 'FR', regionLabel: 'Paris, France', residency: 'eu' });
    expect(spec.image).toBeUndefined();
  });

  it('refuses a cloud jitsi-eu does not know, naming the allowed ones', () => {
    expect(messages(check({ ...common, 'aws:region': 'eu-west-3', 'jitsi-eu:cloud': 'gcp' }))).toMatch(/jitsi-eu:cloud: "gcp" is not allowed: use one of aws, hetzner, openstack/);
  });
});

describe('hetzner', () => {
  it('runs in Falkenstein, Nuremberg and Helsinki with dedicated-vCPU defaults and Debian 12', () => {
    for (const [location, country] of [['fsn1', 'DE'], ['nbg1', 'DE'], ['hel1', 'FI']] as const) {
      const spec = specOf(check(hetzner({ 'jitsi-eu:location': location })));
      expect(spec).toMatchObject({ cloud: 'hetzner', region: location, country, residency: 'eu', instanceType: 'ccx23', image: 'debian-12', provider: 'Hetzner Online GmbH (Gunzenhausen, Germany)' });
    }
  });

  it.each([
    ['ash', /Ashburn, Virginia, in the United States, outside the EU/],
    ['hil', /Hillsboro, Oregon, in the United States, outside the EU/],
    ['sin', /Singapore, outside the EU/],
  ])('refuses %s with the reason', (location, reason) => {
    const text = messages(check(hetzner({ 'jitsi-eu:location': location })));
    expect(text).toMatch(reason);
    expect(text).toMatch(/fsn1 \(Falkenstein, Germany\), nbg1 \(Nuremberg, Germany\), hel1 \(Helsinki, Finland\)/);
  });

  it('needs a location, and does not accept the opt-in as a way out of the EU', () => {
    const config = hetzner({ 'jitsi-eu:allowNonEuRegion': true, 'jitsi-eu:location': 'ash' });
    expect(messages(check(config))).toMatch(/outside the EU/);
    const missing: Record<string, unknown> = hetzner();
    delete missing['jitsi-eu:location'];
    expect(messages(check(missing))).toMatch(/jitsi-eu:location is required: one of fsn1, nbg1, hel1/);
  });

  it('refuses keys of other clouds instead of ignoring them', () => {
    const text = messages(check(hetzner({ 'aws:region': 'eu-central-1', 'jitsi-eu:amiId': 'ami-0123456789abcdef0', 'jitsi-eu:country': 'DE' })));
    expect(text).toMatch(/aws:region applies to cloud aws only; this stack has jitsi-eu:cloud: hetzner: remove it/);
    expect(text).toMatch(/jitsi-eu:amiId applies to cloud aws only/);
    expect(text).toMatch(/jitsi-eu:country applies to cloud openstack only/);
  });

  it('knows Hetzner server types, and says which when one is unknown', () => {
    expect(messages(check(hetzner({ 'jitsi-eu:instanceType': 'c6i.xlarge' })))).toMatch(/known Hetzner server types: cx23, .*ccx63/);
    expect(messages(check(hetzner({ 'jitsi-eu:instanceType': 'ccx24' })))).toMatch(/did you mean ccx23\?/);
    const small = check(hetzner({ 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': { min: 2, max: 2, instanceType: 'cx23' } }));
    expect(small.ok && small.warnings.join('\n')).toMatch(/bridges.instanceType: cx23 has 2 vCPU and 4 GiB of memory, less than a videobridge needs/);
  });

  it('has a fixed bridge pool: min and max must agree, and both default to two ccx33', () => {
    const spec = specOf(check(hetzner({ 'jitsi-eu:topology': 'scalable' })));
    expect(spec.bridges).toEqual({ min: 2, max: 2, instanceType: 'ccx33' });
    expect(specOf(check(hetzner({ 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': { min: 3 } }))).bridges).toMatchObject({ min: 3, max: 3 });
    expect(messages(check(hetzner({ 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': { min: 1, max: 4 } })))).toMatch(
      /min 1 and max 4 differ, but Hetzner Cloud has no autoscaling jitsi-eu uses: the pool is a fixed number of bridges/,
    );
  });
});

describe('secrets the operator needs, outside AWS', () => {
  it('raises no warning for a secure or JWT stack: the host password and the JWT secret reach the operator through the channel', () => {
    for (const result of [check(hetzner({ 'jitsi-eu:auth': 'secure' })), check(openstack({ 'jitsi-eu:auth': 'jwt' }))]) {
      expect(result.warnings.join('\n')).not.toMatch(/password|secret/i);
    }
  });
});

describe('openstack', () => {
  it('takes the region as the cloud names it and the country the stack declares', () => {
    const spec = specOf(check(openstack({ 'openstack:cloud': 'ovh' })));
    expect(spec).toMatchObject({
      cloud: 'openstack',
      region: 'GRA11',
      country: 'FR',
      residency: 'eu',
      externalNetwork: 'Ext-Net',
      openstackCloud: 'ovh',
      image: 'Debian 12',
      instanceType: 'c3-8',
      provider: 'OVH SAS (Roubaix, France)',
    });
  });

  it('accepts the EEA (Norway) as the EU', () => {
    expect(specOf(check(openstack({ 'jitsi-eu:country': 'no' }))).country).toBe('NO');
  });

  it('refuses Switzerland without the opt-in and warns with the adequacy basis with it', () => {
    expect(messages(check(openstack({ 'jitsi-eu:country': 'CH' })))).toMatch(/"CH" is outside the EU\/EEA: allowed only with jitsi-eu:allowNonEuRegion: true/);
    const result = check(openstack({ 'jitsi-eu:country': 'CH', 'jitsi-eu:allowNonEuRegion': true }));
    expect(specOf(result).residency).toBe('adequacy');
    expect(result.warnings.join('\n')).toMatch(/Decision 2000\/518\/EC/);
    expect(specOf(result).adequacyBasis).toMatch(/adequacy decision for Switzerland/);
  });

  it('refuses a country outside Europe even with the opt-in', () => {
    expect(messages(check(openstack({ 'jitsi-eu:country': 'US', 'jitsi-eu:allowNonEuRegion': true })))).toMatch(
      /"US" is outside the EU\/EEA and has no European adequacy decision jitsi-eu accepts/,
    );
    expect(messages(check(openstack({ 'jitsi-eu:country': 'France' })))).toMatch(/not an ISO 3166-1 country code/);
  });

  it('needs the region, the country, the external network and the flavors', () => {
    const text = messages(check({ ...common, 'jitsi-eu:cloud': 'openstack', 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': { min: 2, max: 2 } }));
    expect(text).toMatch(/openstack:region is required/);
    expect(text).toMatch(/jitsi-eu:country is required/);
    expect(text).toMatch(/jitsi-eu:externalNetwork is required/);
    expect(text).toMatch(/jitsi-eu:provider is required: the legal name of the company running the OpenStack cloud/);
    expect(text).toMatch(/jitsi-eu:instanceType is required with cloud openstack/);
    expect(text).toMatch(/jitsi-eu:bridges.instanceType is required with cloud openstack/);
  });
});

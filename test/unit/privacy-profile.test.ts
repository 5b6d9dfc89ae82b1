// The privacy profile as a whole: well-formed settings, forbidden keys that do not contradict the
// settings, and a third-party host list whose every stopper exists in the profile.
import { describe, expect, it } from 'vitest';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { PINNED_JITSI_RELEASE } from '../../infra/privacy/upstream.ts';
import { UPSTREAM_CONFIG_KEYS, UPSTREAM_INTERFACE_CONFIG_KEYS, UPSTREAM_WEB_KEYS_CHECKED } from '../../infra/privacy/upstream-web-keys.ts';
import type { PrivacyCategory, ProfileComponent } from '../../infra/privacy/types.ts';
import { makeSpec, specVariants } from '../helpers/spec.ts';

const COMPONENTS: ProfileComponent[] = ['web-config', 'interface-config', 'prosody', 'jicofo', 'jvb', 'nginx', 'coturn', 'os'];
const CATEGORIES: PrivacyCategory[] = [
  'muted-entry', 'lobby', 'no-telemetry', 'no-third-party', 'data-minimisation', 'logging', 'encryption', 'exposure',
];
const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const profiles = specVariants().map((spec) => ({ spec, profile: privacyProfile(spec) }));

describe.each(profiles.map((p) => [p.spec.stack, p] as const))('profile for %s', (_name, { profile }) => {
  it('has unique kebab-case ids', () => {
    const ids = profile.settings.map((s) => s.id);
    expect(ids.filter((id) => !KEBAB_CASE.test(id))).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('gives every setting a component, an upstream key, a category, a one-line reason and the upstream default', () => {
    for (const s of profile.settings) {
      expect(COMPONENTS, s.id).toContain(s.component);
      expect(CATEGORIES, s.id).toContain(s.category);
      expect(s.key.trim(), s.id).not.toBe('');
      expect(s.reason.trim().length, s.id).toBeGreaterThan(10);
      expect(s.reason, s.id).not.toMatch(/\n/);
      expect(s.upstreamDefault.trim(), s.id).not.toBe('');
      // The value is written into files as JSON, so it must survive a JSON round trip unchanged.
      expect(JSON.parse(JSON.stringify(s.value)), s.id).toEqual(s.value);
    }
  });

  it('names web settings after their file and pins each upstream web key once', () => {
    for (const component of ['web-config', 'interface-config'] as const) {
      const prefix = component === 'web-config' ? 'web-' : 'interface-';
      const settings = profile.settings.filter((s) => s.component === component);
      expect(settings.filter((s) => !s.id.startsWith(prefix)).map((s) => s.id)).toEqual([]);
      const keys = settings.map((s) => s.key);
      expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    }
    const prefixed = profile.settings.filter((s) => s.id.startsWith('web-') || s.id.startsWith('interface-'));
    expect(prefixed.filter((s) => s.component !== 'web-config' && s.component !== 'interface-config').map((s) => s.id)).toEqual([]);
  });

  it('uses only web option names known at the pinned release', () => {
    const unknown = profile.settings.filter(
      (s) =>
        (s.component === 'web-config' && !UPSTREAM_CONFIG_KEYS.has(s.key)) ||
        (s.component === 'interface-config' && !UPSTREAM_INTERFACE_CONFIG_KEYS.has(s.key)),
    );
    expect(unknown.map((s) => `${s.id}: ${s.key}`)).toEqual([]);
  });

  it('never forbids a key it also sets, or the object that holds one', () => {
    const clashes = profile.forbidden.flatMap((f) =>
      profile.settings
        .filter((s) => s.component === f.component && (s.key === f.key || s.key.startsWith(`${f.key}.`)))
        .map((s) => `${f.key} vs ${s.id}`),
    );
    expect(clashes).toEqual([]);
  });
});

describe('forbidden keys', () => {
  const { forbidden } = privacyProfile(makeSpec());

  it('each names its component and a reason, once', () => {
    expect(forbidden.length).toBeGreaterThan(30);
    for (const f of forbidden) {
      expect(COMPONENTS, f.key).toContain(f.component);
      expect(f.key.trim(), f.key).not.toBe('');
      expect(f.reason.trim().length, f.key).toBeGreaterThan(10);
    }
    const ids = forbidden.map((f) => `${f.component}:${f.key}`);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('covers the removed, renamed and third-party web options', () => {
    const keys = new Set(forbidden.map((f) => `${f.component}:${f.key}`));
    const required = [
      'web-config:prejoinPageEnabled', 'web-config:disableDeepLinking', 'web-config:callStatsID', 'web-config:callStatsSecret',
      'web-config:analytics.googleAnalyticsTrackingId', 'web-config:analytics.amplitudeAPPKey', 'web-config:analytics.matomoEndpoint',
      'web-config:analytics.scriptURLs', 'web-config:gravatarBaseURL', 'web-config:dropbox', 'web-config:dialInNumbersUrl',
      'web-config:dialInConfCodeUrl', 'web-config:enableJaaS', 'web-config:whiteboard.collabServerBaseUrl', 'web-config:etherpad_base',
      'web-config:googleApiApplicationClientID', 'web-config:microsoftApiApplicationClientID', 'web-config:dynamicBrandingUrl',
      'interface-config:MOBILE_DOWNLOAD_LINK_IOS', 'interface-config:MOBILE_DOWNLOAD_LINK_ANDROID', 'interface-config:MOBILE_DOWNLOAD_LINK_F_DROID',
    ];
    expect(required.filter((k) => !keys.has(k))).toEqual([]);
  });
});

describe('third-party hosts', () => {
  const { thirdPartyHosts, forbidden } = privacyProfile(makeSpec());
  // A host may be stopped by a setting that exists only in some variants (e.g. the guest domain).
  const known = new Set([...profiles.flatMap((p) => p.profile.settings.map((s) => s.id)), ...forbidden.map((f) => f.key)]);

  it('lists real host names, each with who contacts it, when, and at least one stopper', () => {
    expect(thirdPartyHosts.length).toBeGreaterThan(15);
    for (const h of thirdPartyHosts) {
      expect(h.host, h.host).toMatch(/^(\*\.)?([a-z0-9-]+\.)+[a-z]{2,}$/);
      expect(['browser', 'server']).toContain(h.who);
      expect(h.when.trim().length, h.host).toBeGreaterThan(10);
      expect(h.stoppedBy.length, h.host).toBeGreaterThan(0);
    }
    const entries = thirdPartyHosts.map((h) => `${h.host}/${h.who}`);
    expect(entries.filter((e, i) => entries.indexOf(e) !== i)).toEqual([]);
  });

  it('includes the hosts a stock install contacts without any feature switched on', () => {
    const hosts = new Set(thirdPartyHosts.map((h) => `${h.host}/${h.who}`));
    expect(hosts).toContain('meet-jit-si-turnrelay.jitsi.net/server');
    expect(hosts).toContain('meet-jit-si-turnrelay.jitsi.net/browser');
    expect(hosts).toContain('conference-mapper.jitsi.net/browser');
    expect(hosts).toContain('www.gravatar.com/browser');
  });

  it('names only stoppers that exist in the full profile (setting ids or forbidden keys)', () => {
    const missing = thirdPartyHosts.flatMap((h) => h.stoppedBy.filter((id) => !known.has(id)).map((id) => `${h.host}: ${id}`));
    expect(missing).toEqual([]);
  });
});

describe('release the profile was checked against', () => {
  it('is the pinned release, for the profile and for the web key list', () => {
    expect(privacyProfile(makeSpec()).checkedAgainst).toBe(PINNED_JITSI_RELEASE);
    expect(UPSTREAM_WEB_KEYS_CHECKED.release).toBe(PINNED_JITSI_RELEASE);
  });
});

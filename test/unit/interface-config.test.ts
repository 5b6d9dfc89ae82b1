// interface_config.js as a browser receives it: evaluated as JavaScript and checked against the
// pinned upstream option names, the privacy profile, the forbidden keys and the third-party hosts.
import { describe, expect, it } from 'vitest';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { DEPRECATED_INTERFACE_CONFIG_KEYS, UPSTREAM_INTERFACE_CONFIG_KEYS } from '../../infra/privacy/upstream-web-keys.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { specVariants } from '../helpers/spec.ts';
import { renderWebFile, urlHosts, type JsObject, type RenderedWebFile } from '../helpers/web-files.ts';

interface RenderedInterface extends RenderedWebFile {
  ui: JsObject;
}

function renderInterface(spec: DeploymentSpec): RenderedInterface {
  const rendered = renderWebFile(spec, 'interface-config');
  return { ...rendered, ui: rendered.globals.interfaceConfig as JsObject };
}

const variants = specVariants().map(renderInterface);

describe('interface_config.js files in the bundle', () => {
  it.each(specVariants().map((s) => [s.stack, s] as const))('%s: one file for the domain, world-readable, on the signaling host', (_name, spec) => {
    const files = renderBundle(spec).files.filter((f) => f.component === 'interface-config');
    expect(files.map((f) => ({ path: f.path, roles: f.roles, mode: f.mode }))).toEqual([
      { path: `etc/jitsi/meet/${spec.domain}-interface_config.js`, roles: ['signaling'], mode: '0644' },
    ]);
  });

  it('is the same file whatever the auth, lobby, TURN and P2P choices (it depends only on the domain)', () => {
    const sources = new Set(variants.map((v) => v.source));
    expect(sources.size).toBe(1);
  });
});

describe.each(variants.map((v) => [v.spec.stack, v] as const))('interface_config.js for %s', (_name, v) => {
  it('is JavaScript that defines `var interfaceConfig` and nothing else', () => {
    expect(Object.keys(v.globals)).toEqual(['interfaceConfig']);
    expect(typeof v.ui).toBe('object');
  });

  it('uses only current option names of the pinned release, none of the deprecated ones', () => {
    const keys = Object.keys(v.ui);
    expect(keys.filter((k) => !UPSTREAM_INTERFACE_CONFIG_KEYS.has(k))).toEqual([]);
    expect(keys.filter((k) => DEPRECATED_INTERFACE_CONFIG_KEYS.has(k))).toEqual([]);
  });

  it('serves every interface-config setting of the profile with the profile value', () => {
    const settings = v.profile.settings.filter((s) => s.component === 'interface-config');
    expect(settings.length).toBeGreaterThanOrEqual(5);
    for (const setting of settings) {
      expect(Object.hasOwn(v.ui, setting.key), setting.id).toBe(true);
      expect(v.ui[setting.key], setting.id).toEqual(setting.value);
    }
  });

  it('carries no forbidden interface option', () => {
    const present = v.profile.forbidden.filter((f) => f.component === 'interface-config' && Object.hasOwn(v.ui, f.key));
    expect(present).toEqual([]);
  });

  it('remembers no meetings, promotes no extension, and keeps the mobile web path open', () => {
    expect(v.ui.RECENT_LIST_ENABLED).toBe(false);
    expect(v.ui.SHOW_CHROME_EXTENSION_BANNER).toBe(false);
    expect(v.ui.DISABLE_JOIN_LEAVE_NOTIFICATIONS).toBe(false);
    // false on its own would tell phone browsers the meeting is unavailable.
    expect(v.ui.MOBILE_APP_PROMO).toBe(true);
  });

  it('keeps the lists the client iterates over, so the stock UI still works', () => {
    expect(v.ui.SETTINGS_SECTIONS).toEqual(expect.arrayContaining(['devices', 'language', 'profile']));
    expect(v.ui.SETTINGS_SECTIONS).not.toContain('calendar');
    expect(Array.isArray(v.ui.OPTIMAL_BROWSERS)).toBe(true);
    expect(Array.isArray(v.ui.UNSUPPORTED_BROWSERS)).toBe(true);
  });

  it('points the watermark and support links at the deployment', () => {
    expect(new URL(v.ui.JITSI_WATERMARK_LINK as string).host).toBe(v.spec.domain);
    expect(new URL(v.ui.SUPPORT_URL as string).host).toBe(v.spec.domain);
    expect(v.ui.BRAND_WATERMARK_LINK).toBe('');
  });

  it('names no third-party host, and every URL in the file is on the domain', () => {
    const lower = v.source.toLowerCase();
    const named = v.profile.thirdPartyHosts.map((h) => h.host.replace(/^\*\./, '').toLowerCase()).filter((host) => lower.includes(host));
    expect(named).toEqual([]);
    const hosts = urlHosts(v.source);
    expect(hosts.length).toBeGreaterThanOrEqual(2);
    expect(hosts.filter((h) => h !== v.spec.domain)).toEqual([]);
  });
});

describe('settings read by the interface_config.js template', () => {
  it('every interface-config setting is recorded as used when the bundle renders', () => {
    for (const spec of specVariants()) {
      const profile = privacyProfile(spec);
      const ids = profile.settings.filter((s) => s.component === 'interface-config').map((s) => s.id);
      const used = renderBundle(spec, profile).usedSettings;
      expect(ids.filter((id) => !used.includes(id))).toEqual([]);
    }
  });
});

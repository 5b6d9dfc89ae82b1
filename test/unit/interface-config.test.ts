// interface_config.js as a browser receives it: evaluated as JavaScript and checked against the
// pinned upstream option names, the privacy profile, the forbidden keys and the third-party hosts.
import { describe, expect, it } from 'vitest';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { DEPRECATED_INTERFACE_CONFIG_KEYS, UPSTREAM_INTERFACE_CONFIG_KEYS } from '../../infra/privacy/upstream-web-keys.ts';
import { UPSTREAM_INTERFACE_DEFAULTS } from '../../infra/privacy/upstream-interface-defaults.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { projectInterfaceValues } from '../../infra/render/web.ts';
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

/** Settings tabs the app knows (settings/components/web/SettingsDialog.tsx). */
const SETTINGS_TABS = ['devices', 'language', 'moderator', 'profile', 'calendar', 'sounds', 'more'];
/** Fits modules/UI/videolayout/VideoContainer.js knows; anything else means "no fitting". */
const VIDEO_FITS = ['both', 'height', 'width', 'nocrop'];

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

  it('sets every key the packaged file sets at the pinned release, so none is undefined in the browser', () => {
    expect(Object.keys(v.ui)).toEqual(expect.arrayContaining(Object.keys(UPSTREAM_INTERFACE_DEFAULTS)));
    // The two the packaged file's replacement used to lose: a broken local thumbnail on narrow
    // layouts, and no stage background colour.
    expect(v.ui.LOCAL_THUMBNAIL_RATIO).toBeCloseTo(16 / 9, 12);
    expect(v.ui.DEFAULT_BACKGROUND).toBe('#040404');
  });

  it('keeps upstream\'s value for every key that neither the profile nor the project changes', () => {
    const profileKeys = new Set(v.profile.settings.filter((s) => s.component === 'interface-config').map((s) => s.key));
    const projectKeys = new Set(Object.keys(projectInterfaceValues(v.spec.domain)));
    const kept = Object.keys(UPSTREAM_INTERFACE_DEFAULTS).filter((k) => !profileKeys.has(k) && !projectKeys.has(k));
    expect(kept.length).toBeGreaterThan(30);
    for (const key of kept) expect(v.ui[key], key).toEqual(UPSTREAM_INTERFACE_DEFAULTS[key]);
    for (const key of projectKeys) expect(v.ui[key], key).toEqual(projectInterfaceValues(v.spec.domain)[key]);
  });

  it('sets no key beyond upstream\'s, the project\'s and the profile\'s', () => {
    const profileKeys = v.profile.settings.filter((s) => s.component === 'interface-config').map((s) => s.key);
    const known = new Set([...Object.keys(UPSTREAM_INTERFACE_DEFAULTS), ...Object.keys(projectInterfaceValues(v.spec.domain)), ...profileKeys]);
    expect(Object.keys(v.ui).filter((k) => !known.has(k))).toEqual([]);
  });

  it('gives every needed key a value the app can use', () => {
    expect(v.ui.APP_NAME).toBe(v.spec.domain);

    const tabs = v.ui.SETTINGS_SECTIONS as unknown[];
    expect(Array.isArray(tabs)).toBe(true);
    expect(tabs.filter((t) => !SETTINGS_TABS.includes(t as string))).toEqual([]);
    expect(new Set(tabs).size).toBe(tabs.length);
    expect(tabs).toEqual(expect.arrayContaining(['devices', 'profile', 'language', 'sounds', 'moderator', 'more']));
    // Calendar integration is off in config.js, so no calendar tab.
    expect(tabs).not.toContain('calendar');

    expect(v.ui.LANG_DETECTION).toBe(true);
    expect(v.ui.GENERATE_ROOMNAMES_ON_WELCOME_PAGE).toBe(true);
    expect(v.ui.VERTICAL_FILMSTRIP).toBe(true);

    // A relative URL into the web app's own images, resolved from the welcome page.
    const logo = new URL(v.ui.DEFAULT_WELCOME_PAGE_LOGO_URL as string, `https://${v.spec.domain}/`);
    expect(logo.host).toBe(v.spec.domain);
    expect(logo.pathname).toMatch(/^\/images\/[\w.-]+\.svg$/);

    const ratio = v.ui.REMOTE_THUMBNAIL_RATIO;
    expect(typeof ratio === 'number' && Number.isFinite(ratio) && ratio > 0).toBe(true);
    expect(VIDEO_FITS).toContain(v.ui.VIDEO_LAYOUT_FIT);

    // Others' shares go on the stage; one's own does not.
    expect(v.ui.AUTO_PIN_LATEST_SCREEN_SHARE).toBe('remote-only');
  });

  it('points the watermark and support links at the deployment', () => {
    expect(new URL(v.ui.JITSI_WATERMARK_LINK as string).host).toBe(v.spec.domain);
    expect(new URL(v.ui.SUPPORT_URL as string).host).toBe(v.spec.domain);
  });

  it('is written with double-quoted strings and carries no explanation to the host', () => {
    expect(v.source).not.toContain("'");
    expect(v.source).not.toContain('{{');
    expect(v.source).not.toContain('/*');
    // The one generated-file line is the only comment; the reasons stay in the template.
    expect(v.source.split('\n').filter((l) => l.trim().startsWith('//'))).toHaveLength(1);
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

describe('the recorded upstream defaults of interface_config.js', () => {
  it('are current option names of the pinned release, none of them deprecated', () => {
    const keys = Object.keys(UPSTREAM_INTERFACE_DEFAULTS);
    expect(keys.filter((k) => !UPSTREAM_INTERFACE_CONFIG_KEYS.has(k))).toEqual([]);
    expect(keys.filter((k) => DEPRECATED_INTERFACE_CONFIG_KEYS.has(k))).toEqual([]);
  });

  it('project choices change only keys upstream sets', () => {
    const project = Object.keys(projectInterfaceValues('meet.example.org'));
    expect(project.filter((k) => !Object.hasOwn(UPSTREAM_INTERFACE_DEFAULTS, k))).toEqual([]);
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

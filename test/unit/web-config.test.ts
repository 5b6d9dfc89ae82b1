// config.js as a browser receives it: evaluated as JavaScript, then checked against the pinned
// upstream option names, the privacy profile, the forbidden keys and the third-party host list,
// for every deployment variant.
import { describe, expect, it } from 'vitest';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { UPSTREAM_CONFIG_KEYS } from '../../infra/privacy/upstream-web-keys.ts';
import { createEngine } from '../../infra/render/engine.ts';
import { jitsiHosts } from '../../infra/render/hosts.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { renderWeb } from '../../infra/render/web.ts';
import { PORTS } from '../../infra/ports.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import type { PrivacyProfile } from '../../infra/privacy/types.ts';
import { makeSpec, specVariants } from '../helpers/spec.ts';
import { evaluateScript, renderWebFile, urlHosts, type JsObject, type RenderedWebFile } from '../helpers/web-files.ts';

function isPlainObject(value: unknown): value is JsObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every key path in an object; objects are descended only where upstream knows the parent. */
function keyPaths(value: JsObject, known: ReadonlySet<string>, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isPlainObject(child) && known.has(path) ? [path, ...keyPaths(child, known, path)] : [path];
  });
}

function valueAt(value: JsObject, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), value);
}

function hasPath(value: JsObject, path: string): boolean {
  const parts = path.split('.');
  const last = parts.pop()!;
  const parent = parts.length > 0 ? valueAt(value, parts.join('.')) : value;
  return isPlainObject(parent) && Object.hasOwn(parent, last);
}

function thirdPartyHostsIn(text: string, profile: PrivacyProfile): string[] {
  const lower = text.toLowerCase();
  return profile.thirdPartyHosts.map((h) => h.host.replace(/^\*\./, '').toLowerCase()).filter((host) => lower.includes(host));
}

interface RenderedConfig extends RenderedWebFile {
  config: JsObject;
}

function renderConfig(spec: DeploymentSpec): RenderedConfig {
  const rendered = renderWebFile(spec, 'web-config');
  return { ...rendered, config: rendered.globals.config as JsObject };
}

const variants = specVariants().map(renderConfig);

describe('config.js files in the bundle', () => {
  it.each(specVariants().map((s) => [s.stack, s] as const))('%s: one config.js for the domain, world-readable, on the signaling host', (_name, spec) => {
    const files = renderBundle(spec).files.filter((f) => f.component === 'web-config');
    expect(files.map((f) => ({ path: f.path, roles: f.roles, mode: f.mode }))).toEqual([
      { path: `etc/jitsi/meet/${spec.domain}-config.js`, roles: ['signaling'], mode: '0644' },
    ]);
  });

  it('renders byte-identical files twice in a row', () => {
    for (const spec of specVariants()) {
      const first = renderBundle(spec).files.filter((f) => f.path.startsWith('etc/jitsi/meet/'));
      const second = renderBundle(spec).files.filter((f) => f.path.startsWith('etc/jitsi/meet/'));
      expect(first.length).toBe(2);
      expect(second).toEqual(first);
    }
  });
});

describe.each(variants.map((v) => [v.spec.stack, v] as const))('config.js for %s', (_name, v) => {
  it('is JavaScript that defines `var config` and nothing else', () => {
    expect(Object.keys(v.globals)).toEqual(['config']);
    expect(isPlainObject(v.config)).toBe(true);
  });

  it('uses only option names known at the pinned Jitsi release', () => {
    const unknown = keyPaths(v.config, UPSTREAM_CONFIG_KEYS).filter((path) => !UPSTREAM_CONFIG_KEYS.has(path));
    expect(unknown).toEqual([]);
  });

  it('serves every web-config setting of the profile at its key, with the profile value', () => {
    const settings = v.profile.settings.filter((s) => s.component === 'web-config');
    expect(settings.length).toBeGreaterThan(30);
    for (const setting of settings) {
      expect(hasPath(v.config, setting.key), setting.id).toBe(true);
      expect(valueAt(v.config, setting.key), setting.id).toEqual(setting.value);
    }
  });

  it('carries no forbidden option, neither as a config key nor as a global', () => {
    const present = v.profile.forbidden
      .filter((f) => f.component === 'web-config')
      .filter((f) => hasPath(v.config, f.key) || Object.hasOwn(v.globals, f.key))
      .map((f) => f.key);
    expect(present).toEqual([]);
  });

  it('lets participants in muted, through the pre-join screen, and announces everyone', () => {
    expect(v.config.startWithAudioMuted).toBe(true);
    expect(v.config.startWithVideoMuted).toBe(true);
    expect(v.config.startAudioMuted).toBe(0);
    expect(v.config.startVideoMuted).toBe(0);
    expect(valueAt(v.config, 'prejoinConfig.enabled')).toBe(true);
    expect(valueAt(v.config, 'lobby.autoKnock')).toBe(true);
    // Join/leave sounds and notices are on: nothing silences them.
    // The deprecated switch is not written at all; disabledSounds is the one that counts.
    expect(v.config).not.toHaveProperty('disableJoinLeaveSounds');
    expect(v.config.disabledSounds).toEqual([]);
    expect(v.config.disabledNotifications).toEqual([]);
    expect(v.config).not.toHaveProperty('notifications');
  });

  it('sends no telemetry and does no face or attention tracking', () => {
    expect(valueAt(v.config, 'analytics.disabled')).toBe(true);
    expect(valueAt(v.config, 'analytics.rtcstatsEnabled')).toBe(false);
    expect(v.config.enableDisplayNameInStats).toBe(false);
    expect(v.config.enableEmailInStats).toBe(false);
    const face = valueAt(v.config, 'faceLandmarks') as JsObject;
    expect(Object.values(face).every((x) => x === false)).toBe(true);
    expect(Object.keys(face).sort()).toEqual(['enableDisplayFaceExpressions', 'enableFaceCentering', 'enableFaceExpressionsDetection', 'enableRTCStats']);
    expect(valueAt(v.config, 'speakerStats.disabled')).toBe(true);
  });

  it('keeps other sites out and stores nothing it does not need', () => {
    expect(v.config.disableThirdPartyRequests).toBe(true);
    expect(valueAt(v.config, 'gravatar.disabled')).toBe(true);
    expect(v.config.hideEmailInSettings).toBe(true);
    expect(valueAt(v.config, 'whiteboard.enabled')).toBe(false);
    expect(valueAt(v.config, 'deeplinking.disabled')).toBe(true);
    expect(v.config.enableCalendarIntegration).toBe(false);
    expect(v.config.sharedVideoAllowedURLDomains).toEqual([]);
    expect(valueAt(v.config, 'giphy.enabled')).not.toBe(true);
    expect(valueAt(v.config, 'liveStreaming.enabled')).toBe(false);
    expect(valueAt(v.config, 'recordingService.enabled')).toBe(false);
    expect(valueAt(v.config, 'localRecording.disable')).toBe(true);
    expect(valueAt(v.config, 'transcription.enabled')).toBe(false);
    expect(v.config.doNotStoreRoom).toBe(true);
    expect(v.config.disableShowMoreStats).toBe(true);
    expect(valueAt(v.config, 'connectionIndicators.disableDetails')).toBe(true);
  });

  it('connects only to the deployment: hosts, BOSH and WebSocket are on its domain', () => {
    const d = v.spec.domain;
    expect(valueAt(v.config, 'hosts.domain')).toBe(d);
    expect(valueAt(v.config, 'hosts.muc')).toBe(`conference.${d}`);
    if (v.spec.auth === 'anonymous') expect(hasPath(v.config, 'hosts.anonymousdomain')).toBe(false);
    else expect(valueAt(v.config, 'hosts.anonymousdomain')).toBe(`guest.${d}`);
    expect(new URL(v.config.bosh as string).host).toBe(d);
    expect(new URL(v.config.bosh as string).protocol).toBe('https:');
    expect(v.config.websocket).toBe(`wss://${d}/xmpp-websocket`);
  });

  it('follows the spec for peer-to-peer and lists only its own STUN server', () => {
    expect(valueAt(v.config, 'p2p.enabled')).toBe(v.spec.p2p);
    expect(valueAt(v.config, 'p2p.stunServers')).toEqual(v.spec.p2p ? [{ urls: `stun:${v.spec.domain}:${PORTS.turn}` }] : []);
  });

  it('points every link at the deployment itself', () => {
    const legal = valueAt(v.config, 'legalUrls') as JsObject;
    expect(Object.keys(legal).sort()).toEqual(['helpCentre', 'privacy', 'security', 'terms']);
    for (const url of Object.values(legal)) expect(new URL(url as string).host).toBe(v.spec.domain);
    expect(legal.privacy).toBe(`https://${v.spec.domain}/privacy.html`);
  });

  it('names no third-party host, and every URL in the file is on the domain', () => {
    expect(thirdPartyHostsIn(v.source, v.profile)).toEqual([]);
    const hosts = urlHosts(v.source);
    expect(hosts.length).toBeGreaterThanOrEqual(6);
    expect(hosts.filter((h) => h !== v.spec.domain)).toEqual([]);
  });
});

describe('settings read by the config.js template', () => {
  it('records every web-config setting it reads, in every variant, and reads nothing outside the web profile', () => {
    for (const spec of specVariants()) {
      const profile = privacyProfile(spec);
      const used = new Set<string>();
      const engine = createEngine({ settings: profile.settings, onSettingUsed: (id) => used.add(id) });
      renderWeb({ spec, hosts: jitsiHosts(spec), profile, engine });
      const webIds = profile.settings.filter((s) => s.component === 'web-config' || s.component === 'interface-config').map((s) => s.id);
      expect([...used].sort()).toEqual([...webIds].sort());
    }
  });

  it('the guest-domain setting is used wherever it exists, and exists only where guests need it', () => {
    const byAuth = new Map(specVariants().map((s) => [s.auth, privacyProfile(s).settings.some((x) => x.id === 'web-hosts-anonymous-domain')]));
    expect(Object.fromEntries(byAuth)).toEqual({ anonymous: false, secure: true, jwt: true });
  });

  it('refuses to render when the profile lacks a setting the template reads', () => {
    const spec = makeSpec();
    const profile = privacyProfile(spec);
    const without = { ...profile, settings: profile.settings.filter((s) => s.id !== 'web-start-with-audio-muted') };
    const engine = createEngine({ settings: without.settings });
    expect(() => renderWeb({ spec, hosts: jitsiHosts(spec), profile: without, engine })).toThrow(/web-start-with-audio-muted/);
  });
});

describe('the checks themselves', () => {
  it('catch an option name upstream removed, a forbidden global and a foreign URL', () => {
    const { source, spec, profile } = variants[0]!;
    const tampered = source
      .replace('var config = {', 'var enableJaaS = false;\nvar config = {\n    prejoinPageEnabled: true,')
      .replace(`"https://${spec.domain}/privacy.html"`, '"https://policies.example.net/privacy"');
    const globals = evaluateScript(tampered);
    const config = globals.config as JsObject;
    expect(keyPaths(config, UPSTREAM_CONFIG_KEYS).filter((p) => !UPSTREAM_CONFIG_KEYS.has(p))).toEqual(['prejoinPageEnabled']);
    expect(profile.forbidden.some((f) => f.key === 'enableJaaS' && Object.hasOwn(globals, f.key))).toBe(true);
    expect(urlHosts(tampered)).toContain('policies.example.net');
  });
});

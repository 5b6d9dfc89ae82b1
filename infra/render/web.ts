// The web client's two configuration files: config.js and interface_config.js, served by nginx
// for the deployment's domain. Every privacy value comes from the profile through `setting`.
import type { JsonValue } from '../privacy/types.ts';
import { UPSTREAM_INTERFACE_DEFAULTS } from '../privacy/upstream-interface-defaults.ts';
import type { PrivacyProfile } from '../privacy/types.ts';
import type { RenderInput } from './input.ts';
import type { BundleFile } from './types.ts';
import { interfaceConfigPath, webConfigPath } from './paths.ts';
import { rolesFor } from './roles.ts';

/** Bundle paths are relative to `/`. */
function bundlePath(absolute: string): string {
  return absolute.replace(/^\/+/, '');
}

/**
 * interface_config.js values the project chooses that are not privacy settings. Each replaces
 * the packaged default (infra/privacy/upstream-interface-defaults.ts) for a visible reason.
 */
export function projectInterfaceValues(domain: string): Record<string, JsonValue> {
  return {
    // The tab title reads "<room> | <name>": the deployment's own domain tells participants where they are.
    APP_NAME: domain,
    // Upstream's list without the calendar tab: calendar integration is off in config.js.
    SETTINGS_SECTIONS: ['devices', 'profile', 'language', 'sounds', 'moderator', 'more'],
    // The whole camera picture, letterboxed, so nothing a speaker shows to the camera is cut off.
    VIDEO_LAYOUT_FIT: 'nocrop',
  };
}

/** One `key: value` line of interface_config.js: a profile setting (read through `setting`) or a plain value. */
export interface InterfaceEntry {
  key: string;
  settingId: string | null;
  value: JsonValue;
}

/**
 * Every key of interface_config.js in upstream's order: the packaged default, replaced by the
 * project's choice, replaced by the privacy profile. Profile keys upstream does not set come last.
 */
export function interfaceEntries(domain: string, profile: PrivacyProfile): InterfaceEntry[] {
  const project = projectInterfaceValues(domain);
  const settings = profile.settings.filter((s) => s.component === 'interface-config');
  const keys = [...new Set([...Object.keys(UPSTREAM_INTERFACE_DEFAULTS), ...Object.keys(project), ...settings.map((s) => s.key)])];
  return keys.map((key) => {
    const setting = settings.find((s) => s.key === key);
    if (setting) return { key, settingId: setting.id, value: null };
    return { key, settingId: null, value: Object.hasOwn(project, key) ? project[key]! : UPSTREAM_INTERFACE_DEFAULTS[key]! };
  });
}

export function renderWeb(input: RenderInput): BundleFile[] {
  const { spec, profile, engine } = input;
  const context = {
    domain: spec.domain,
    release: profile.checkedAgainst,
    // The guest domain exists only in auth modes that need it; the profile decides.
    hasGuestDomain: profile.settings.some((s) => s.id === 'web-hosts-anonymous-domain'),
    interfaceEntries: interfaceEntries(spec.domain, profile),
  };
  return [
    {
      path: bundlePath(webConfigPath(spec.domain)),
      component: 'web-config',
      roles: rolesFor(spec, 'web'),
      mode: '0644',
      content: engine.render('web/config.js.hbs', context),
    },
    {
      path: bundlePath(interfaceConfigPath(spec.domain)),
      component: 'interface-config',
      roles: rolesFor(spec, 'web'),
      mode: '0644',
      content: engine.render('web/interface_config.js.hbs', context),
    },
  ];
}

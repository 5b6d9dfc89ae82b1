// The web client's two configuration files: config.js and interface_config.js, served by nginx
// for the deployment's domain. Every privacy value comes from the profile through `setting`.
import type { RenderInput } from './input.ts';
import type { BundleFile } from './types.ts';
import { interfaceConfigPath, webConfigPath } from './paths.ts';
import { rolesFor } from './roles.ts';

/** Bundle paths are relative to `/`. */
function bundlePath(absolute: string): string {
  return absolute.replace(/^\/+/, '');
}

export function renderWeb(input: RenderInput): BundleFile[] {
  const { spec, profile, engine } = input;
  const context = {
    domain: spec.domain,
    release: profile.checkedAgainst,
    // The guest domain exists only in auth modes that need it; the profile decides.
    hasGuestDomain: profile.settings.some((s) => s.id === 'web-hosts-anonymous-domain'),
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

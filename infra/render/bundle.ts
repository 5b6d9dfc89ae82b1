// render: (spec, profile) → Bundle. Pure: no clock, no randomness, no secrets, so the same
// stack always renders byte-identical files.
import type { DeploymentSpec } from '../spec/types.ts';
import type { PrivacyProfile } from '../privacy/types.ts';
import { privacyProfile } from '../privacy/profile.ts';
import { createEngine } from './engine.ts';
import { jitsiHosts } from './hosts.ts';
import type { ComponentRenderer, RenderInput } from './input.ts';
import type { Bundle, Manifest } from './types.ts';
import { renderWeb } from './web.ts';
import { renderProsody } from './prosody.ts';
import { renderJicofo } from './jicofo.ts';
import { renderJvb } from './jvb.ts';
import { renderNginx } from './nginx.ts';
import { renderCoturn } from './coturn.ts';
import { renderOs } from './os.ts';
import { renderPrivacyNotice } from './privacy-notice.ts';
import { renderCloudInit } from './cloud-init.ts';

const COMPONENT_RENDERERS: ComponentRenderer[] = [
  renderWeb,
  renderProsody,
  renderJicofo,
  renderJvb,
  renderNginx,
  renderCoturn,
  renderOs,
  renderPrivacyNotice,
];

export function renderBundle(spec: DeploymentSpec, profile: PrivacyProfile = privacyProfile(spec)): Bundle {
  const used = new Set<string>();
  const engine = createEngine({ settings: profile.settings, onSettingUsed: (id) => used.add(id) });
  const input: RenderInput = { spec, hosts: jitsiHosts(spec), profile, engine };

  const files = COMPONENT_RENDERERS.flatMap((render) => render(input));
  // The bootstrap user data of each role (the files themselves travel in the role's bundle).
  files.push(...renderCloudInit(input));

  const seen = new Set<string>();
  for (const file of files) {
    if (file.path.startsWith('/')) throw new Error(`bundle path must be relative to /: ${file.path}`);
    if (seen.has(file.path)) throw new Error(`two components render ${file.path}`);
    seen.add(file.path);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, usedSettings: [...used].sort() };
}

export function manifestOf(bundle: Bundle): Manifest {
  return { files: bundle.files.map(({ path, component, roles, mode }) => ({ path, component, roles, mode })) };
}

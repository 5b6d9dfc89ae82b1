// The privacy profile is the single source of truth only if the templates really read it: a
// setting that no template uses, or a third-party host that slips into a rendered file, fails here.
import { describe, expect, it } from 'vitest';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { specVariants } from '../helpers/spec.ts';

const variants = specVariants();
const rendered = variants.map((spec) => ({ spec, profile: privacyProfile(spec), bundle: renderBundle(spec) }));

describe('profile coverage', () => {
  it('has settings for every component the deployment configures', () => {
    const components = new Set(rendered.flatMap((r) => r.profile.settings.map((s) => s.component)));
    expect([...components].sort()).toEqual(['coturn', 'interface-config', 'jicofo', 'jvb', 'nginx', 'os', 'prosody', 'web-config']);
  });

  it('every setting of every variant is read by some template of that variant', () => {
    const unused = rendered.flatMap(({ spec, profile, bundle }) =>
      profile.settings.filter((s) => !bundle.usedSettings.includes(s.id)).map((s) => `${spec.stack}: ${s.id}`),
    );
    expect(unused).toEqual([]);
  });

  it('setting ids are unique within a profile', () => {
    for (const { profile } of rendered) {
      const ids = profile.settings.map((s) => s.id);
      expect(ids.length).toBe(new Set(ids).size);
    }
  });

  it('every third-party host names ids that exist in the profile', () => {
    const known = new Set([
      ...rendered.flatMap((r) => r.profile.settings.map((s) => s.id)),
      ...rendered[0]!.profile.forbidden.map((f) => f.key),
    ]);
    const missing = rendered[0]!.profile.thirdPartyHosts.flatMap((h) => h.stoppedBy.filter((id) => !known.has(id)).map((id) => `${h.host}: ${id}`));
    expect(missing).toEqual([]);
  });
});

describe('no third party in any rendered file', () => {
  // The apt source for Jitsi's packages is the one allowed outside host (install time only).
  const isPackageSource = (path: string, line: string) => path.startsWith('etc/jitsi-eu/cloud-init/') && /download\.jitsi\.org/.test(line);

  it('no rendered file names a third-party host, in any variant', () => {
    const hosts = rendered[0]!.profile.thirdPartyHosts.map((h) => h.host.replace(/^\*\./, ''));
    expect(hosts.length).toBeGreaterThan(5);
    const generic = ['jitsi.net', 'meet.jit.si', 'gravatar.com', 'google', 'amplitude', 'giphy', 'youtube', '8x8', 'callstats', 'jitsi.org'];
    const hits: string[] = [];
    for (const { spec, bundle } of rendered) {
      for (const file of bundle.files) {
        file.content.split('\n').forEach((raw, i) => {
          if (isPackageSource(file.path, raw)) return;
          // The privacy notice names the web app's own local-storage item of that name: a key in
          // this site's storage, not a vendor or a host.
          const line = raw.replaceAll('callStatsUserName', '');
          for (const host of [...hosts, ...generic]) {
            if (line.toLowerCase().includes(host.toLowerCase())) hits.push(`${spec.stack} ${file.path}:${i + 1}: ${host}`);
          }
        });
      }
    }
    expect(hits).toEqual([]);
  });
});

// The rendered turnserver.conf read as configuration: present exactly when the spec turns TURN on,
// every coturn setting of the profile used, ports and relay range from infra/ports.ts, the secret
// and host addresses only as placeholders, no third-party host. (test/integration/coturn.test.ts runs it.)
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../infra/render/engine.ts';
import { jitsiHosts } from '../../infra/render/hosts.ts';
import { renderCoturn } from '../../infra/render/coturn.ts';
import { rolesFor } from '../../infra/render/roles.ts';
import { tlsPaths } from '../../infra/render/paths.ts';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { BOOT_VALUES } from '../../infra/placeholders.ts';
import { PORTS, TURN_RELAY_PORTS } from '../../infra/ports.ts';
import { secretPlaceholder } from '../../infra/secrets.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { makeSpec, specVariants } from '../helpers/spec.ts';

function render(spec: DeploymentSpec) {
  const profile = privacyProfile(spec);
  const used = new Set<string>();
  const engine = createEngine({ settings: profile.settings, onSettingUsed: (id) => used.add(id) });
  const files = renderCoturn({ spec, hosts: jitsiHosts(spec), profile, engine });
  return { files, used, profile };
}

/** turnserver.conf as a list of [option, value] pairs (flags have value ''). */
function options(content: string): [string, string][] {
  return content
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const eq = l.indexOf('=');
      return eq === -1 ? [l, ''] : [l.slice(0, eq), l.slice(eq + 1)];
    });
}

const variants = specVariants();

describe('coturn in the bundle', () => {
  it('renders etc/turnserver.conf for the signaling role exactly when turn is on', () => {
    expect(variants.some((s) => s.turn) && variants.some((s) => !s.turn)).toBe(true);
    for (const spec of variants) {
      const { files, profile } = render(spec);
      const coturnSettings = profile.settings.filter((s) => s.component === 'coturn');
      if (spec.turn) {
        expect(files.map((f) => [f.path, f.component, f.roles]), spec.stack).toEqual([['etc/turnserver.conf', 'coturn', rolesFor(spec, 'coturn')]]);
        expect(coturnSettings.length, spec.stack).toBeGreaterThan(3);
      } else {
        expect(files, spec.stack).toEqual([]);
        expect(coturnSettings, spec.stack).toEqual([]);
      }
    }
  });

  it('every coturn setting is read by the template, in every variant with turn', () => {
    for (const spec of variants.filter((s) => s.turn)) {
      const { used, profile } = render(spec);
      const unused = profile.settings.filter((s) => s.component === 'coturn' && !used.has(s.id)).map((s) => s.id);
      expect(unused, spec.stack).toEqual([]);
    }
  });

  it('keeps the file readable by root and the turnserver group only, since it holds the secret after boot', () => {
    const [file] = render(makeSpec({ turn: true })).files;
    expect(file?.mode).toBe('0640');
    expect(file?.owner).toBe('root:turnserver');
  });
});

describe('the rendered turnserver.conf', () => {
  const spec = makeSpec({ domain: 'video.example.eu', turn: true });
  const { files, profile } = render(spec);
  const content = files[0]!.content;
  const opts = options(content);
  const value = (name: string) => opts.filter(([k]) => k === name).map(([, v]) => v);
  const setting = (id: string) => profile.settings.find((s) => s.id === id)?.value;

  it('listens on the standard ports and relays on exactly the range the security group opens', () => {
    expect(value('listening-port')).toEqual([String(PORTS.turn)]);
    expect(value('tls-listening-port')).toEqual([String(PORTS.turns)]);
    expect(value('min-port')).toEqual([String(TURN_RELAY_PORTS.min)]);
    expect(value('max-port')).toEqual([String(TURN_RELAY_PORTS.max)]);
    expect(value('no-dtls')).toEqual(['']);
    expect(value('no-udp')).toEqual([]);
    expect(value('no-tcp')).toEqual([]);
  });

  it('maps the public address to the private one with boot-time tokens, and carries the secret only as a placeholder', () => {
    expect(value('listening-ip')).toEqual([BOOT_VALUES.localIpv4]);
    expect(value('relay-ip')).toEqual([BOOT_VALUES.localIpv4]);
    expect(value('external-ip')).toEqual([`${BOOT_VALUES.publicIpv4}/${BOOT_VALUES.localIpv4}`]);
    expect(value('use-auth-secret')).toEqual(['']);
    expect(value('static-auth-secret')).toEqual([secretPlaceholder('turn-secret')]);
    expect(value('realm')).toEqual(['video.example.eu']);
  });

  it('with jitsi-eu:ipv6, also listens and relays on the host\'s IPv6 address (no mapping: it is public as it is)', () => {
    const dual = options(render(makeSpec({ domain: 'video.example.eu', turn: true, ipv6: true })).files[0]!.content);
    const of = (name: string) => dual.filter(([k]) => k === name).map(([, v]) => v);
    expect(of('listening-ip')).toEqual([BOOT_VALUES.localIpv4, BOOT_VALUES.ipv6]);
    expect(of('relay-ip')).toEqual([BOOT_VALUES.localIpv4, BOOT_VALUES.ipv6]);
    expect(of('external-ip')).toEqual([`${BOOT_VALUES.publicIpv4}/${BOOT_VALUES.localIpv4}`]);
    // The boot script reads the address from the instance metadata, as it does the IPv4 ones.
    expect(BOOT_VALUES.ipv6).toBe('@@jitsi-eu-boot:ipv6@@');
    expect(content).not.toContain(BOOT_VALUES.ipv6);
  });

  it('uses the site certificate and refuses TLS 1.0 and 1.1', () => {
    const tls = tlsPaths(spec.domain);
    expect(value('cert')).toEqual([tls.fullchain]);
    expect(value('pkey')).toEqual([tls.privkey]);
    expect(value('no-tlsv1')).toEqual(['']);
    expect(value('no-tlsv1_1')).toEqual(['']);
    expect(value('no-tlsv1_2')).toEqual([]);
    expect(value('cipher-list')).toEqual([(setting('coturn-tls-ciphers') as string[]).join(':')]);
  });

  it('denies every profile range as a peer, with no multicast and no TCP relays', () => {
    expect(value('denied-peer-ip')).toEqual(setting('coturn-denied-peer-ips'));
    for (const range of ['10.0.0.0-10.255.255.255', '172.16.0.0-172.31.255.255', '192.168.0.0-192.168.255.255', '127.0.0.0-127.255.255.255', '169.254.0.0-169.254.255.255']) {
      expect(value('denied-peer-ip'), range).toContain(range);
    }
    expect(value('no-multicast-peers')).toEqual(['']);
    expect(value('no-tcp-relay')).toEqual(['']);
    expect(value('allow-loopback-peers')).toEqual([]);
    expect(value('server-relay')).toEqual([]);
  });

  it('logs nowhere, has no console, and does not name its version', () => {
    expect(value('log-file')).toEqual(['/dev/null']);
    expect(value('no-stdout-log')).toEqual(['']);
    expect(value('syslog')).toEqual([]);
    expect(value('verbose')).toEqual([]);
    expect(value('log-binding')).toEqual([]);
    expect(value('no-cli')).toEqual(['']);
    expect(value('no-software-attribute')).toEqual(['']);
    expect(value('web-admin')).toEqual([]);
  });

  it('names no host but the deployment and no third-party host, in any variant', () => {
    for (const s of variants.filter((v) => v.turn)) {
      const { files: rendered, profile: p } = render(s);
      for (const host of p.thirdPartyHosts.map((h) => h.host.replace(/^\*\./, ''))) {
        expect(rendered[0]!.content.toLowerCase(), host).not.toContain(host.toLowerCase());
      }
      // Host names standing as values (file names inside paths are not hosts).
      const names = [...rendered[0]!.content.replace(/^#.*$/gm, '').matchAll(/(?<![\w/.-])(?:[a-z0-9-]+\.)+[a-z]{2,}\b/gi)].map((m) => m[0]);
      expect(names).toEqual([s.domain]);
    }
  });
});

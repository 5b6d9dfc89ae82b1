// The rendered nginx files read as configuration: every nginx setting of the profile is used, the
// headers carry the profile values on every response, nothing is proxied but Prosody's BOSH and
// WebSocket, and no third-party host appears. (test/integration/nginx.test.ts runs them in nginx.)
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../infra/render/engine.ts';
import { jitsiHosts } from '../../infra/render/hosts.ts';
import { renderNginx } from '../../infra/render/nginx.ts';
import { ACME_WEBROOT, PRIVACY_NOTICE_FILE, READY_FILE, interfaceConfigPath, tlsPaths, webConfigPath } from '../../infra/render/paths.ts';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import type { PrivacyProfile } from '../../infra/privacy/types.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { PORTS } from '../../infra/ports.ts';
import { makeSpec, specVariants } from '../helpers/spec.ts';
import { parseNginxConf, type NginxDirective } from '../helpers/nginx.ts';

function render(spec: DeploymentSpec, profile: PrivacyProfile = privacyProfile(spec)) {
  const used = new Set<string>();
  const engine = createEngine({ settings: profile.settings, onSettingUsed: (id) => used.add(id) });
  const files = renderNginx({ spec, hosts: jitsiHosts(spec), profile, engine });
  const site = files.find((f) => f.path === `etc/nginx/sites-available/${spec.domain}.conf`);
  const http = files.find((f) => f.path === 'etc/nginx/conf.d/jitsi-eu.conf');
  if (!site || !http) throw new Error(`missing nginx files: ${files.map((f) => f.path).join(', ')}`);
  const value = (id: string) => profile.settings.find((s) => s.id === id)?.value;
  return { files, site: site.content, http: http.content, used, profile, value };
}

interface Server {
  directives: NginxDirective[];
  /** `name arg arg` for every directive directly in the server block. */
  topLevel: string[];
  locations: { match: string; body: NginxDirective[]; text: string[] }[];
}

const line = (d: NginxDirective) => [d.name, ...d.args].join(' ');

function servers(conf: string): Server[] {
  return parseNginxConf(conf)
    .filter((d) => d.name === 'server')
    .map((server) => {
      const directives = server.block ?? [];
      return {
        directives,
        topLevel: directives.filter((d) => !d.block).map(line),
        locations: directives
          .filter((d) => d.name === 'location')
          .map((d) => ({ match: d.args.join(' '), body: d.block ?? [], text: (d.block ?? []).map(line) })),
      };
    });
}

const variants = specVariants();

describe('nginx settings in the profile', () => {
  it('every nginx setting is read by the nginx templates, in every variant', () => {
    for (const spec of variants) {
      const { used, profile } = render(spec);
      const nginxIds = profile.settings.filter((s) => s.component === 'nginx').map((s) => s.id);
      expect(nginxIds.length).toBeGreaterThan(5);
      expect(nginxIds.filter((id) => !used.has(id)), spec.stack).toEqual([]);
    }
  });

  it('has the ids other components refer to, with the values verify compares', () => {
    const spec = makeSpec({ domain: 'video.example.eu' });
    const { value } = render(spec);
    expect(value('nginx-referrer-policy')).toBe('no-referrer');
    expect(Number(/max-age=(\d+)/.exec(String(value('nginx-hsts')))?.[1])).toBeGreaterThanOrEqual(180 * 24 * 3600);
    expect(value('nginx-content-type-options')).toBe('nosniff');
    expect(value('nginx-tls-protocols')).toEqual(['TLSv1.2', 'TLSv1.3']);
    expect(value('nginx-server-tokens')).toBe('off');
    expect(value('nginx-access-log')).toBe('off');
  });

  it('HSTS covers the meeting host\'s subdomains, but never an organisation\'s whole registrable domain', () => {
    expect(render(makeSpec({ domain: 'meet.example.org' })).value('nginx-hsts')).toBe('max-age=63072000; includeSubDomains');
    expect(render(makeSpec({ domain: 'example.org' })).value('nginx-hsts')).toBe('max-age=63072000');
    expect(render(makeSpec({ domain: 'uni-example.ac.uk' })).value('nginx-hsts')).toBe('max-age=63072000');
  });

  it('the CSP allows only the deployment itself, with what the Jitsi web app needs', () => {
    const spec = makeSpec({ domain: 'video.example.eu' });
    const csp = String(render(spec).value('nginx-csp'));
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(expect.arrayContaining(["'self'", "'unsafe-inline'", "'wasm-unsafe-eval'"]));
    expect(directives.get('connect-src')).toEqual(["'self'", 'wss://video.example.eu']);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(directives.get('media-src')).toContain('blob:');
    expect(directives.get('worker-src')).toContain('blob:');
    // No site may frame a meeting unless the stack names it; not even the site itself needs to.
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'self'"]);
    // No wildcard, scheme-wide or foreign source anywhere.
    const sources = [...directives.values()].flat();
    const allowed = new Set(["'self'", "'none'", "'unsafe-inline'", "'wasm-unsafe-eval'", 'data:', 'blob:', 'wss://video.example.eu']);
    expect(sources.filter((s) => !allowed.has(s))).toEqual([]);
  });

  it('the Permissions-Policy keeps camera, microphone and screen capture to this origin and turns unused features off', () => {
    const policy = String(render(makeSpec()).value('nginx-permissions-policy'));
    const features = new Map(policy.split(',').map((p) => p.trim().split('=') as [string, string]));
    for (const feature of ['camera', 'microphone', 'display-capture']) expect(features.get(feature), feature).toBe('(self)');
    for (const feature of ['geolocation', 'payment', 'usb', 'browsing-topics']) expect(features.get(feature), feature).toBe('()');
    // Chromium has no policy name for Web Bluetooth and warns about it on every page
    // (the integration test checks the whole header in Chromium itself).
    expect(features.has('bluetooth')).toBe(false);
  });
});

describe('embedding meetings in other sites', () => {
  const headersOf = (spec: DeploymentSpec) => {
    const { site, value } = render(spec);
    const secure = servers(site)[1]!;
    const headers = new Map(secure.directives.filter((d) => d.name === 'add_header').map((d) => [d.args[0]!, d.args[1]!]));
    const ancestors = String(value('nginx-csp')).split(';').map((d) => d.trim()).find((d) => d.startsWith('frame-ancestors '));
    return { headers, ancestors, value, secure };
  };

  it('by default, no site may frame a meeting: frame-ancestors \'none\' and X-Frame-Options DENY agree', () => {
    const { headers, ancestors, value } = headersOf(makeSpec());
    expect(ancestors).toBe("frame-ancestors 'none'");
    expect(value('nginx-frame-options')).toBe('DENY');
    expect(headers.get('X-Frame-Options')).toBe('DENY');
  });

  it('with an allow-list, exactly those origins may frame it, and no X-Frame-Options contradicts them', () => {
    const origins = ['https://lms.example.org', 'https://moodle.example.org:8443'];
    const { headers, ancestors, value } = headersOf(makeSpec({ embedOrigins: origins }));
    expect(ancestors).toBe('frame-ancestors https://lms.example.org https://moodle.example.org:8443');
    expect(value('nginx-frame-options')).toBeUndefined();
    expect(headers.has('X-Frame-Options')).toBe(false);
    expect(headers.get('Content-Security-Policy')).toContain('frame-ancestors https://lms.example.org https://moodle.example.org:8443;');
  });

  it('serves the embedding API from where jitsi-meet-web installs it, not the room page', () => {
    const { secure } = headersOf(makeSpec());
    const api = secure.locations.find((l) => l.match === '= /external_api.js');
    expect(api?.text).toEqual(['alias /usr/share/jitsi-meet/libs/external_api.min.js']);
  });
});

describe('the rendered site', () => {
  const spec = makeSpec({ domain: 'video.example.eu', noticeTranslations: ['de', 'fr'] });
  const { site, http, value } = render(spec);
  const [plain, secure] = servers(site);

  it('has one server for port 80 and one for 443 with HTTP/2, both for the domain only', () => {
    expect(servers(site)).toHaveLength(2);
    expect(plain!.topLevel).toContain(`listen ${PORTS.http}`);
    expect(secure!.topLevel).toContain(`listen ${PORTS.https} ssl http2`);
    expect(plain!.topLevel).toContain('server_name video.example.eu');
    expect(secure!.topLevel).toContain('server_name video.example.eu');
  });

  it('listens on IPv6 as well exactly when the stack is dual stack', () => {
    const dual = servers(render(makeSpec({ domain: 'video.example.eu', ipv6: true })).site);
    expect(dual[0]!.topLevel.filter((d) => d.startsWith('listen '))).toEqual([`listen ${PORTS.http}`, `listen [::]:${PORTS.http}`]);
    expect(dual[1]!.topLevel.filter((d) => d.startsWith('listen '))).toEqual([`listen ${PORTS.https} ssl http2`, `listen [::]:${PORTS.https} ssl http2`]);
    expect(site).not.toContain('[::]');
  });

  it('port 80 serves ACME challenges from the webroot and redirects everything else to https on the same host', () => {
    const acme = plain!.locations.find((l) => l.match === '^~ /.well-known/acme-challenge/');
    expect(acme?.text).toContain(`root ${ACME_WEBROOT}`);
    const rest = plain!.locations.find((l) => l.match === '/');
    expect(rest?.text).toEqual(['return 301 https://video.example.eu$request_uri']);
  });

  it('sends every profile header with `always` at server level, and no location drops them with its own add_header', () => {
    const headers = secure!.directives.filter((d) => d.name === 'add_header').map((d) => d.args);
    expect(headers).toEqual([
      ['Strict-Transport-Security', value('nginx-hsts'), 'always'],
      ['Content-Security-Policy', value('nginx-csp'), 'always'],
      ['Referrer-Policy', value('nginx-referrer-policy'), 'always'],
      ['X-Content-Type-Options', value('nginx-content-type-options'), 'always'],
      ['X-Frame-Options', 'DENY', 'always'],
      ['Permissions-Policy', value('nginx-permissions-policy'), 'always'],
    ]);
    const nested = (ds: NginxDirective[]): string[] => ds.flatMap((d) => [d.name, ...nested(d.block ?? [])]);
    for (const location of secure!.locations) expect(nested(location.body), location.match).not.toContain('add_header');
  });

  it('uses the deployment certificate, TLS 1.2/1.3 and the profile ciphers', () => {
    const tls = tlsPaths(spec.domain);
    expect(secure!.topLevel).toContain(`ssl_certificate ${tls.fullchain}`);
    expect(secure!.topLevel).toContain(`ssl_certificate_key ${tls.privkey}`);
    expect(secure!.topLevel).toContain('ssl_protocols TLSv1.2 TLSv1.3');
    expect(secure!.topLevel).toContain(`ssl_ciphers ${(value('nginx-tls-ciphers') as string[]).join(':')}`);
  });

  it('aliases config.js, interface_config.js, the privacy notice and the ready file to their host paths', () => {
    const alias = (match: string) => secure!.locations.find((l) => l.match === match)?.body.find((d) => d.name === 'alias')?.args[0];
    expect(alias('= /config.js')).toBe(webConfigPath(spec.domain));
    expect(alias('= /interface_config.js')).toBe(interfaceConfigPath(spec.domain));
    expect(alias('= /privacy.html')).toBe(PRIVACY_NOTICE_FILE);
    expect(alias('= /privacy.de.html')).toBe('/usr/share/jitsi-eu/www/privacy.de.html');
    expect(alias('= /privacy.fr.html')).toBe('/usr/share/jitsi-eu/www/privacy.fr.html');
    expect(alias('= /_jitsi-eu/ready')).toBe(READY_FILE);
  });

  it('proxies only BOSH and the XMPP WebSocket, both to Prosody on loopback, without the client address', () => {
    const proxied = secure!.locations.filter((l) => l.body.some((d) => d.name === 'proxy_pass'));
    expect(proxied.map((l) => l.match).sort()).toEqual(['= /http-bind', '= /xmpp-websocket']);
    for (const location of proxied) {
      expect(location.text).toContain(`proxy_pass http://127.0.0.1:${PORTS.prosodyHttp}`);
      const forwardedFor = location.body.find((d) => d.name === 'proxy_set_header' && d.args[0] === 'X-Forwarded-For');
      expect(forwardedFor?.args).toEqual(['X-Forwarded-For', '']);
    }
    for (const port of [PORTS.jvbPrivateHttp, PORTS.jicofoRest, 9090]) expect(site).not.toContain(`:${port}`);
  });

  it('answers each internal endpoint with a bare 404', () => {
    const endpoints = value('nginx-internal-endpoints') as { exact: string[]; prefix: string[] };
    for (const path of endpoints.exact) expect(secure!.locations.find((l) => l.match === `= ${path}`)?.text, path).toEqual(['return 404']);
    for (const path of endpoints.prefix) expect(secure!.locations.find((l) => l.match === `^~ ${path}`)?.text, path).toEqual(['return 404']);
    // The endpoints the verification checks name (Prosody, videobridge, jicofo) are all covered.
    const covered = (path: string) => endpoints.exact.includes(path) || endpoints.prefix.some((p) => path.startsWith(p));
    for (const path of ['/room', '/room-census', '/room-size', '/sessions', '/colibri/stats', '/about/health', '/debug', '/metrics', '/conference-request/v1', '/_api/room-info']) {
      expect(covered(path), path).toBe(true);
    }
  });

  it('sends one-segment paths (rooms) to the app shell, nothing deeper, and has no error_page that would turn 404s into app pages', () => {
    const shells = secure!.locations.filter((l) => l.text.some((t) => /^try_files .*\/index\.html$/.test(t)));
    expect(shells).toHaveLength(1);
    const room = shells[0]!;
    expect(room.text).toEqual(['try_files $uri /index.html']);
    const [modifier, pattern, ...rest] = room.match.split(' ');
    expect(modifier).toBe('~');
    expect(rest).toEqual([]);
    // nginx matches $uri (decoded, no query string) with PCRE; this pattern means the same in JavaScript.
    const matches = new RegExp(pattern!);
    for (const uri of ['/SomeRoom', '/room-2024_b', '/Größe', '/head.html']) expect(matches.test(uri), uri).toBe(true);
    for (const uri of ['/', '/libs/app.bundle.min.js', '/Some/Room', '/SomeRoom/', '//x']) expect(matches.test(uri), uri).toBe(false);
    expect(site).not.toMatch(/error_page/);
  });

  it('lets browsers keep versioned files of the app (?v=...) for a year, and nothing else', () => {
    const map = parseNginxConf(site).find((d) => d.name === 'map' && d.args[0] === '$arg_v');
    expect(map?.args).toHaveLength(2);
    const variable = map!.args[1]!;
    expect(Object.fromEntries((map!.block ?? []).map((d) => [d.name, d.args]))).toEqual({ '': ['off'], default: ['365d'] });
    // Only the plain file location uses it; the ready file never caches; nothing sets it server-wide.
    const expiring = secure!.locations
      .filter((l) => l.body.some((d) => d.name === 'expires'))
      .map((l) => [l.match, l.body.find((d) => d.name === 'expires')!.args]);
    expect(expiring).toEqual([
      ['= /_jitsi-eu/ready', ['-1']],
      ['/', [variable]],
    ]);
    expect(secure!.topLevel.filter((d) => d.startsWith('expires'))).toEqual([]);
  });

  it('the http-level file turns off version banners and the access log, and logs only critical errors', () => {
    expect(http).toMatch(/^server_tokens off;$/m);
    expect(http).toMatch(/^access_log off;$/m);
    expect(http).toMatch(/^error_log \S+ crit;$/m);
    expect(http).toMatch(/^ssl_session_tickets off;$/m);
    // Debian's nginx.conf sets these at http level already; a second one there is a fatal duplicate.
    expect(http).not.toMatch(/^\s*(ssl_protocols|ssl_prefer_server_ciphers|gzip)\s/m);
  });
});

describe('what the rendered files may name', () => {
  it('no third-party host and no URL to another host, in any variant', () => {
    for (const spec of variants) {
      const { files, profile } = render(spec);
      for (const file of files) {
        for (const host of profile.thirdPartyHosts.map((h) => h.host.replace(/^\*\./, ''))) {
          expect(file.content.toLowerCase(), `${file.path}: ${host}`).not.toContain(host.toLowerCase());
        }
        const urlHosts = [...file.content.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/([^/\s:;"'$]+)/gi)].map((m) => m[1]);
        expect(urlHosts.filter((h) => h !== spec.domain && h !== '127.0.0.1'), file.path).toEqual([]);
      }
    }
  });

  it('refuses a setting value that would break out of an nginx string', () => {
    const spec = makeSpec();
    const profile = privacyProfile(spec);
    const tampered = {
      ...profile,
      settings: profile.settings.map((s) => (s.id === 'nginx-referrer-policy' ? { ...s, value: 'no-referrer" always; add_header X-Evil "1' } : s)),
    };
    expect(() => render(spec, tampered)).toThrow(/nginx-referrer-policy/);
  });
});

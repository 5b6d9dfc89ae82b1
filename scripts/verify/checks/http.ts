// HTTP behaviour every browser sees: the redirect to HTTPS and the security headers, checked on
// the app page, a room page, config.js and a 404, because nginx drops headers added without
// `always` from error responses; cookies, leaked files, and compression of session data (BREACH).
import { randomBytes } from 'node:crypto';
import parseCsp from 'content-security-policy-parser';
import type { VerifyContext } from '../context.ts';
import { headerValue, type HttpResponse } from '../net/http.ts';
import { type CheckDefinition, afterFetching, fail, list, pass, reason, warn } from './define.ts';

/** Six months: the threshold Mozilla's HTTP Observatory and webbkoll use. */
export const HSTS_MIN_MAX_AGE = 15_552_000;

interface Fetched {
  path: string;
  response?: HttpResponse;
  error?: string;
}

async function fetchAll(ctx: VerifyContext, paths: readonly string[]): Promise<Fetched[]> {
  return Promise.all(
    paths.map(async (path) => {
      try {
        return { path, response: await ctx.https(path) };
      } catch (error) {
        return { path, error: reason(error) };
      }
    }),
  );
}

/** Applies `judge` to each response's header; collects problems per path. */
async function headerOnPages(
  ctx: VerifyContext,
  paths: readonly string[],
  header: string,
  judge: (value: string | undefined) => { level: 'ok' | 'warn' | 'fail'; note: string },
): Promise<{ fails: string[]; warns: string[]; notes: string[] }> {
  const fetched = await fetchAll(ctx, paths);
  const fails: string[] = [];
  const warns: string[] = [];
  const notes: string[] = [];
  for (const f of fetched) {
    if (!f.response) {
      fails.push(`${f.path}: ${f.error}`);
      continue;
    }
    const verdict = judge(headerValue(f.response.headers, header));
    const line = `${f.path}: ${verdict.note}`;
    if (verdict.level === 'fail') fails.push(line);
    else if (verdict.level === 'warn') warns.push(line);
    else notes.push(verdict.note);
  }
  return { fails, warns, notes };
}

function outcome(result: { fails: string[]; warns: string[]; notes: string[] }, fix: string, okText: string) {
  if (result.fails.length > 0) return fail(`${list(result.fails, 3)}; ${fix}`);
  if (result.warns.length > 0) return warn(list(result.warns, 3));
  return pass(okText || [...new Set(result.notes)].join('; '));
}

const pagePaths = (ctx: VerifyContext) => ['/', `/${ctx.room}`, '/config.js', ctx.missingPath];

const redirect: CheckDefinition = {
  id: 'http-redirects-to-https',
  title: 'HTTP redirects to HTTPS on the same host',
  area: 'http',
  mode: 'external',
  description: 'Plain HTTP answers with a permanent redirect (301/308) to https:// on the same host, keeping the path.',
  async run(ctx) {
    const paths = ['/', `/${ctx.room}?lang=en`];
    const problems: string[] = [];
    const warnings: string[] = [];
    for (const path of paths) {
      let response: HttpResponse;
      try {
        response = await ctx.http(path);
      } catch (error) {
        problems.push(`http://${ctx.host}${path}: ${reason(error)}`);
        continue;
      }
      const location = headerValue(response.headers, 'location');
      if (response.status < 300 || response.status >= 400 || !location) {
        problems.push(`http://${ctx.host}${path} answered ${response.status} without a redirect`);
        continue;
      }
      let to: URL;
      try {
        to = new URL(location, `http://${ctx.host}${path}`);
      } catch {
        problems.push(`${path}: unreadable Location "${location}"`);
        continue;
      }
      const portOk = to.port === '' || to.port === '443' || Number(to.port) === ctx.port(443);
      if (to.protocol !== 'https:') problems.push(`${path} redirects to ${to.protocol}// (${location})`);
      else if (to.hostname !== ctx.host || !portOk) problems.push(`${path} redirects to another host: ${location}`);
      else if (`${to.pathname}${to.search}` !== path) problems.push(`${path} redirects to ${to.pathname}${to.search}: the path is lost`);
      else if (response.status !== 301 && response.status !== 308) warnings.push(`${path}: ${response.status} is a temporary redirect; use 301`);
    }
    if (problems.length > 0) return fail(`${list(problems, 2)}; redirect port 80 to https://$host$request_uri`);
    if (warnings.length > 0) return warn(list(warnings));
    return pass(`301/308 to https://${ctx.host}/… with the path kept`);
  },
};

/** `max-age` of an HSTS header, or undefined when absent or malformed. */
export function hstsMaxAge(value: string): number | undefined {
  const match = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?\s*(?:;|$)/i.exec(value);
  return match ? Number(match[1]) : undefined;
}

const hsts: CheckDefinition = {
  id: 'http-hsts',
  title: 'HSTS on every HTTPS response',
  area: 'http',
  mode: 'external',
  description: 'Strict-Transport-Security with max-age of at least 180 days on the app, a room page, config.js and a 404.',
  async run(ctx) {
    const result = await headerOnPages(ctx, pagePaths(ctx), 'strict-transport-security', (value) => {
      if (!value) return { level: 'fail', note: 'no Strict-Transport-Security' };
      const maxAge = hstsMaxAge(value);
      if (maxAge === undefined) return { level: 'fail', note: `malformed HSTS "${value}"` };
      if (maxAge < HSTS_MIN_MAX_AGE) return { level: 'fail', note: `max-age ${maxAge} is under 180 days` };
      return { level: 'ok', note: value };
    });
    return outcome(result, 'add_header Strict-Transport-Security "max-age=63072000" always', '');
  },
};

/** Referrer policies graded as webbkoll does. */
export function judgeReferrerPolicy(value: string | undefined): { level: 'ok' | 'warn' | 'fail'; note: string } {
  if (!value) return { level: 'fail', note: 'no Referrer-Policy: room names leak in Referer' };
  // The last recognised token wins in browsers.
  const tokens = value.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  const effective = tokens[tokens.length - 1] ?? '';
  if (effective === 'no-referrer' || effective === 'same-origin') return { level: 'ok', note: effective };
  if (['strict-origin', 'strict-origin-when-cross-origin', 'origin', 'origin-when-cross-origin'].includes(effective)) {
    return { level: 'warn', note: `${effective} still tells other sites which server the user came from` };
  }
  return { level: 'fail', note: `${effective || value} sends the room URL to other sites` };
}

const referrer: CheckDefinition = {
  id: 'http-referrer-policy',
  title: 'Referrer-Policy keeps room names private',
  area: 'http',
  mode: 'external',
  description: 'Referrer-Policy is no-referrer or same-origin on the app and room pages (WARN for origin-only policies).',
  async run(ctx) {
    const result = await headerOnPages(ctx, ['/', `/${ctx.room}`, ctx.missingPath], 'referrer-policy', judgeReferrerPolicy);
    return outcome(result, 'add_header Referrer-Policy "no-referrer" always', '');
  },
};

const nosniff: CheckDefinition = {
  id: 'http-nosniff',
  title: 'X-Content-Type-Options: nosniff',
  area: 'http',
  mode: 'external',
  description: 'HTML and JavaScript responses carry X-Content-Type-Options: nosniff.',
  async run(ctx) {
    const result = await headerOnPages(ctx, ['/', '/config.js'], 'x-content-type-options', (value) =>
      value?.trim().toLowerCase() === 'nosniff' ? { level: 'ok', note: 'nosniff' } : { level: 'fail', note: value ? `"${value}"` : 'missing' },
    );
    return outcome(result, 'add_header X-Content-Type-Options nosniff always', 'nosniff on HTML and JavaScript');
  },
};

export type CspDirectives = Map<string, string[]>;

export function parseCspHeader(value: string): CspDirectives {
  // Several policies (comma-joined or repeated headers) all apply; the first one is enough for the
  // first-party rules, and a stricter second one cannot loosen it.
  const first = value.split(',')[0] ?? value;
  return parseCsp(first) as CspDirectives;
}

const framing: CheckDefinition = {
  id: 'http-framing',
  title: 'Framing restricted',
  area: 'http',
  mode: 'external',
  description:
    "CSP frame-ancestors is 'self' or 'none', or only the stack's embedOrigins (or X-Frame-Options is DENY/SAMEORIGIN), so no other site can frame the camera prompt.",
  run: afterFetching(
    (ctx) => ctx.https('/'),
    (response, ctx) => {
      const csp = headerValue(response.headers, 'content-security-policy');
      const ancestors = csp ? parseCspHeader(csp).get('frame-ancestors') : undefined;
      const xfo = headerValue(response.headers, 'x-frame-options')?.trim().toUpperCase();
      if (ancestors) {
        // The institution's own origins the stack lets embed meetings (jitsi-eu:embedOrigins).
        const embedders = ctx.spec.embedOrigins;
        const outside = ancestors.filter((s) => s !== "'self'" && s !== "'none'" && !embedders.includes(s));
        if (outside.length > 0) return fail(`frame-ancestors allows ${outside.join(' ')}, which jitsi-eu:embedOrigins does not list; use 'none' or the stack's origins`);
        return pass(`frame-ancestors ${ancestors.join(' ')}${xfo ? `, X-Frame-Options ${xfo}` : ''}`);
      }
      if (xfo === 'DENY' || xfo === 'SAMEORIGIN') return pass(`X-Frame-Options ${xfo}`);
      return fail("no frame-ancestors and no X-Frame-Options: add frame-ancestors 'self' to the CSP");
    },
  ),
};

const CSP_KEYWORDS = new Set(["'self'", "'none'", "'unsafe-inline'", "'wasm-unsafe-eval'", "'unsafe-eval'", "'strict-dynamic'", "'report-sample'", "'unsafe-hashes'"]);
const FETCH_DIRECTIVES = ['default-src', 'script-src', 'script-src-elem', 'script-src-attr', 'style-src', 'style-src-elem', 'img-src', 'font-src', 'connect-src', 'media-src', 'frame-src', 'worker-src', 'child-src', 'manifest-src', 'object-src'];

/** Why a CSP source expression is not first-party, or undefined when it is. */
export function nonFirstPartySource(source: string, directive: string, host: string): string | undefined {
  const s = source.toLowerCase();
  if (CSP_KEYWORDS.has(s) || /^'(nonce|sha256|sha384|sha512)-/.test(s)) return undefined;
  if (s === 'data:' || s === 'blob:' || s === 'mediastream:') {
    return directive.startsWith('script-src') || directive === 'default-src' ? `${s} in ${directive} runs arbitrary code` : undefined;
  }
  if (s === '*' || /^[a-z][a-z0-9+.-]*:$/.test(s)) return `${s} in ${directive} allows any host`;
  const match = /^(?:([a-z][a-z0-9+.-]*):\/\/)?([^/:]+)(?::(\d+|\*))?(\/.*)?$/.exec(s);
  if (!match) return `unreadable source ${s} in ${directive}`;
  const sourceHost = match[2]!;
  if (sourceHost === host) return undefined;
  return `${s} in ${directive} is another host`;
}

const csp: CheckDefinition = {
  id: 'http-csp',
  title: 'Content-Security-Policy is first-party only',
  area: 'http',
  mode: 'external',
  description:
    "A CSP with default-src 'self', object-src 'none', base-uri 'self'/'none', and no wildcard or other host in any fetch directive " +
    "('unsafe-inline' and 'wasm-unsafe-eval' for scripts are tolerated: the Jitsi app needs them).",
  run: afterFetching(
    (ctx) => ctx.https(`/${ctx.room}`),
    (response, ctx) => {
      const value = headerValue(response.headers, 'content-security-policy');
      if (!value) return fail('no Content-Security-Policy header: nothing stops a crafted link from loading third-party content');
      const directives = parseCspHeader(value);
      const problems: string[] = [];
      const defaultSrc = directives.get('default-src');
      if (!defaultSrc || !defaultSrc.every((s) => s === "'self'" || s === "'none'")) problems.push(`default-src is ${defaultSrc?.join(' ') ?? 'missing'} (want 'self')`);
      const objectSrc = directives.get('object-src') ?? defaultSrc;
      if (!objectSrc || objectSrc.join(' ') !== "'none'") problems.push("object-src is not 'none'");
      const baseUri = directives.get('base-uri');
      if (!baseUri || !baseUri.every((s) => s === "'self'" || s === "'none'")) problems.push(`base-uri is ${baseUri?.join(' ') ?? 'missing'} (want 'self')`);
      for (const directive of FETCH_DIRECTIVES) {
        for (const source of directives.get(directive) ?? []) {
          const why = nonFirstPartySource(source, directive, ctx.host);
          if (why) problems.push(why);
        }
      }
      if (problems.length > 0) return fail(list(problems, 3));
      return pass(`first-party only (${[...directives.keys()].length} directives)`);
    },
  ),
};

/** Features the meeting needs limited to the site itself. */
const SELF_ONLY_FEATURES = ['camera', 'microphone', 'display-capture'];

const permissionsPolicy: CheckDefinition = {
  id: 'http-permissions-policy',
  title: 'Permissions-Policy limits device access',
  area: 'http',
  mode: 'external',
  description: 'Permissions-Policy grants camera, microphone and display-capture only to the site itself. WARN when missing or broader.',
  run: afterFetching(
    (ctx) => ctx.https(`/${ctx.room}`),
    (response) => {
      const value = headerValue(response.headers, 'permissions-policy');
      if (!value) return warn('no Permissions-Policy header: embedded content could ask for camera and microphone');
      const features = new Map<string, string>();
      for (const part of value.split(',')) {
        const [name, allow] = part.split('=');
        if (name && allow !== undefined) features.set(name.trim().toLowerCase(), allow.trim());
      }
      const broad = SELF_ONLY_FEATURES.filter((f) => {
        const allow = features.get(f);
        return allow !== undefined && allow !== '(self)' && allow !== '()' && allow !== 'self';
      });
      const missing = SELF_ONLY_FEATURES.filter((f) => !features.has(f));
      if (broad.length > 0) return warn(`${broad.map((f) => `${f}=${features.get(f)}`).join(', ')}: allow only (self)`);
      if (missing.length > 0) return warn(`${missing.join(', ')} not limited`);
      return pass(SELF_ONLY_FEATURES.map((f) => `${f}=${features.get(f)}`).join(', '));
    },
  ),
};

const versionBanner: CheckDefinition = {
  id: 'http-no-version-banner',
  title: 'No software versions disclosed',
  area: 'http',
  mode: 'external',
  description: 'No version number in Server, no X-Powered-By, and no version in the server\'s own error page.',
  async run(ctx) {
    const fetched = await fetchAll(ctx, ['/', ctx.missingPath]);
    const problems: string[] = [];
    for (const f of fetched) {
      if (!f.response) {
        problems.push(`${f.path}: ${f.error}`);
        continue;
      }
      const server = headerValue(f.response.headers, 'server');
      if (server && /\d/.test(server)) problems.push(`${f.path}: Server "${server}"`);
      const powered = headerValue(f.response.headers, 'x-powered-by');
      if (powered) problems.push(`${f.path}: X-Powered-By "${powered}"`);
      const inBody = /(nginx|apache|prosody|jetty|openresty)\/\d[\w.]*/i.exec(f.response.body);
      if (inBody) problems.push(`${f.path}: page shows "${inBody[0]}"`);
    }
    if (problems.length > 0) return fail(`${list(problems)}; set server_tokens off`);
    const server = fetched[0]?.response ? headerValue(fetched[0].response.headers, 'server') : undefined;
    return pass(server ? `Server: ${server}` : 'no Server header');
  },
};

const cookies: CheckDefinition = {
  id: 'http-no-cookies',
  title: 'No cookies set',
  area: 'http',
  mode: 'external',
  description: 'The app, a room page, config.js and the BOSH endpoint set no cookies.',
  async run(ctx) {
    const fetched = await fetchAll(ctx, ['/', `/${ctx.room}`, '/config.js', '/http-bind']);
    const set: string[] = [];
    const errors: string[] = [];
    for (const f of fetched) {
      if (!f.response) {
        errors.push(`${f.path}: ${f.error}`);
        continue;
      }
      const raw = f.response.headers['set-cookie'] ?? [];
      for (const cookie of raw) set.push(`${f.path}: ${cookie.split(';')[0]?.split('=')[0] ?? cookie}`);
    }
    if (set.length > 0) return fail(`cookies set: ${list(set)}`);
    if (errors.length === fetched.length) return fail(list(errors));
    return pass('no Set-Cookie on any response');
  },
};

/** Paths that leak server internals, and what their content looks like when they do. */
const LEAK_PROBES: { path: (host: string) => string; looksLeaked: RegExp }[] = [
  { path: () => '/.git/HEAD', looksLeaked: /^ref:\s*refs\//m },
  { path: () => '/.git/config', looksLeaked: /^\[core\]/m },
  { path: () => '/server-status', looksLeaked: /Server (Status|uptime)|Active connections:/i },
  { path: () => '/nginx_status', looksLeaked: /Active connections:/i },
  { path: () => '/.DS_Store', looksLeaked: /Bud1/ },
  { path: () => '/.env', looksLeaked: /^[A-Z_]+=.+/m },
  { path: () => '/phpinfo.php', looksLeaked: /phpinfo\(\)|PHP Version/i },
  { path: () => '/core', looksLeaked: /^\x7fELF/ },
  { path: () => '/dump.sql', looksLeaked: /CREATE TABLE|INSERT INTO/i },
  { path: (host) => `/${host}.key`, looksLeaked: /PRIVATE KEY-----/ },
  { path: (host) => `/${host}.pem`, looksLeaked: /PRIVATE KEY-----/ },
  { path: () => '/privkey.pem', looksLeaked: /PRIVATE KEY-----/ },
];

const leaks: CheckDefinition = {
  id: 'http-no-leaks',
  title: 'No server files exposed',
  area: 'http',
  mode: 'external',
  description: 'Well-known leak paths (.git, server-status, .env, key files, dumps) do not return their tell-tale content.',
  async run(ctx) {
    const probes = LEAK_PROBES.map((p) => ({ path: p.path(ctx.host), looksLeaked: p.looksLeaked }));
    const fetched = await fetchAll(ctx, probes.map((p) => p.path));
    const leaked: string[] = [];
    let answered = 0;
    fetched.forEach((f, i) => {
      if (!f.response) return;
      answered += 1;
      if (f.response.status === 200 && probes[i]!.looksLeaked.test(f.response.body)) leaked.push(f.path);
    });
    if (leaked.length > 0) return fail(`exposed: ${list(leaked)}`);
    if (answered === 0) return fail(`no answers: ${fetched[0]?.error ?? 'unknown error'}`);
    return pass(`${probes.length} leak paths checked, none exposed`);
  },
};

/** Where a response carries something worth stealing, or undefined when it does not. */
export function sessionDataIn(response: HttpResponse, marker: string): string | undefined {
  const cookies = response.headers['set-cookie'] ?? [];
  if (cookies.length > 0) return `sets cookie ${cookies.map((c) => c.split('=')[0]).join(', ')}`;
  if (response.body.includes(marker)) return 'reflects the token from the address';
  if (/\bsid=['"][^'"]+['"]/.test(response.body)) return 'carries a BOSH session id';
  return undefined;
}

// testssl.sh: BREACH, which flags any compression of '/'. BREACH (CVE-2013-3587) needs a secret
// and attacker-chosen text in the same compressed body, so only responses carrying session data count.
const breach: CheckDefinition = {
  id: 'http-no-compressed-secrets',
  title: 'No compression of responses that carry session data (BREACH)',
  area: 'http',
  mode: 'external',
  description:
    'Asked for gzip/br like a browser, no response that sets a cookie, carries a BOSH session id or echoes a token from the address ' +
    '(a room page with ?jwt=) comes back compressed. Compressed static files (the app, config.js) are fine: they hold no secret.',
  async run(ctx) {
    const marker = `jitsieu${randomBytes(12).toString('hex')}`;
    const rid = randomBytes(4).readUInt32BE(0) % 1_000_000_000;
    const boshSession =
      `<body rid='${rid}' to='${ctx.host}' xml:lang='en' wait='10' hold='1' ver='1.6' ` +
      `xmpp:version='1.0' xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh'/>`;
    const probes: { what: string; path: string; request: Parameters<VerifyContext['https']>[1] }[] = [
      { what: '/', path: '/', request: { acceptCompression: true } },
      { what: 'room page with ?jwt=', path: `/${ctx.room}?jwt=${marker}`, request: { acceptCompression: true } },
      { what: '/config.js', path: '/config.js', request: { acceptCompression: true } },
      {
        what: 'BOSH session request',
        path: '/http-bind',
        request: { acceptCompression: true, method: 'POST', body: boshSession, headers: { 'content-type': 'text/xml; charset=utf-8' } },
      },
    ];
    const answers = await Promise.all(
      probes.map(async (probe): Promise<{ what: string; response?: HttpResponse; error?: string }> => {
        try {
          return { what: probe.what, response: await ctx.https(probe.path, probe.request) };
        } catch (error) {
          return { what: probe.what, error: reason(error) };
        }
      }),
    );
    const exposed: string[] = [];
    const compressed: string[] = [];
    const withSecrets: string[] = [];
    for (const answer of answers) {
      if (!answer.response) continue;
      const encoding = headerValue(answer.response.headers, 'content-encoding')?.trim().toLowerCase();
      const isCompressed = encoding !== undefined && encoding !== '' && encoding !== 'identity';
      const secret = sessionDataIn(answer.response, marker);
      if (isCompressed && secret) exposed.push(`${answer.what}: ${encoding}-compressed and ${secret}`);
      else if (isCompressed) compressed.push(answer.what);
      else if (secret) withSecrets.push(`${answer.what} (${secret})`);
    }
    const errors = answers.filter((a) => !a.response).map((a) => `${a.what}: ${a.error}`);
    if (exposed.length > 0) return fail(`${list(exposed, 2)}: BREACH can read it byte by byte; leave these responses uncompressed (gzip off or gzip_types without their type)`);
    if (errors.length === answers.length) return fail(list(errors, 2));
    const parts = [
      compressed.length > 0 ? `compressed without session data: ${compressed.join(', ')}` : 'nothing compressed',
      ...(withSecrets.length > 0 ? [`session data sent uncompressed: ${withSecrets.join(', ')}`] : []),
      ...(errors.length > 0 ? [`not answered: ${list(errors, 2)}`] : []),
    ];
    return pass(parts.join('; '));
  },
};

export const HTTP_CHECKS: CheckDefinition[] = [redirect, hsts, referrer, nosniff, framing, csp, permissionsPolicy, versionBanner, cookies, leaks, breach];

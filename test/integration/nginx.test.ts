// The rendered nginx files under the real nginx (Debian bookworm, 1.22): `nginx -t` for every spec
// variant, then the site served on loopback over real TLS with a test CA, checked from a client's
// side: headers, redirects, aliases, the ready endpoint, internal endpoints, TLS versions and ciphers,
// logging. Host paths are moved into a sandbox; a small HTTP server stands in for Prosody.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { X509Certificate, createHash } from 'node:crypto';
import { chromium, type Browser } from 'playwright-core';
import { findChromium } from '../../scripts/verify/browser/chromium.ts';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { createEngine } from '../../infra/render/engine.ts';
import { jitsiHosts } from '../../infra/render/hosts.ts';
import { renderNginx } from '../../infra/render/nginx.ts';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import type { BundleFile } from '../../infra/render/types.ts';
import { PORTS } from '../../infra/ports.ts';
import { makeSpec, specVariants } from '../helpers/spec.ts';
import { freePort, requireTool, tempDir } from '../helpers/tools.ts';
import { createTestCa, type IssuedCertificate, type TestCa } from '../helpers/test-ca.ts';
import {
  moveCertificates,
  moveHostPaths,
  moveListenPorts,
  nginxConfigTest,
  readIfExists,
  startNginx,
  writeMainConf,
  writeUnder,
  type RunningNginx,
} from '../helpers/nginx.ts';

function renderNginxFiles(spec: DeploymentSpec): { files: BundleFile[]; settingValue: (id: string) => unknown } {
  const profile = privacyProfile(spec);
  const engine = createEngine({ settings: profile.settings });
  const files = renderNginx({ spec, hosts: jitsiHosts(spec), profile, engine });
  return { files, settingValue: (id) => profile.settings.find((s) => s.id === id)?.value };
}

const sitePath = (domain: string) => `etc/nginx/sites-available/${domain}.conf`;
const HTTP_CONF = 'etc/nginx/conf.d/jitsi-eu.conf';
/** Debian's nginx.conf includes conf.d before the sites. */
const includeOrder = (files: BundleFile[]) => [...files].sort((a, b) => Number(b.path === HTTP_CONF) - Number(a.path === HTTP_CONF));

const work = tempDir('jitsi-eu-nginx-');
let ca: TestCa;
let leaf: IssuedCertificate;

beforeAll(() => {
  chmodSync(work.path, 0o755); // nginx workers run as an unprivileged user and must read the sandbox
  ca = createTestCa(work.path);
  // RSA, so that RSA key exchange and ECDHE-RSA CBC suites could be negotiated if the site allowed them.
  leaf = ca.issue({ names: ['meet.example.org'], key: { type: 'rsa', bits: 2048 } });
});
afterAll(() => work.remove());

describe('nginx -t accepts the rendered files', () => {
  it('for every spec variant, with only certificates and listen ports changed', async () => {
    const failures: string[] = [];
    for (const spec of specVariants()) {
      const { files } = renderNginxFiles(spec);
      expect(files.map((f) => f.path).sort()).toEqual([HTTP_CONF, sitePath(spec.domain)].sort());
      const dir = join(work.path, `t-${spec.stack}`);
      const ports = { http: await freePort(), https: await freePort() };
      const includes = includeOrder(files).map((file) => writeUnder(dir, file.path, moveCertificates(moveListenPorts(file.content, ports), leaf)));
      const conf = writeMainConf({ dir, includes });
      const result = nginxConfigTest(conf, dir);
      if (!result.ok) failures.push(`${spec.stack}: ${result.output}`);
    }
    expect(failures).toEqual([]);
  });
});

interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('the rendered site, served by nginx over TLS', () => {
  const spec = makeSpec({ domain: 'meet.example.org', noticeTranslations: ['de', 'fr'] });
  const domain = spec.domain;
  const marker = `prosody-stand-in-${process.pid}`;
  const root = join(work.path, 'root');
  const upstreamRequests: { url: string; headers: IncomingHttpHeaders }[] = [];
  let settingValue: (id: string) => unknown;
  let ports: { http: number; https: number; control: number; upstream: number };
  let upstream: Server;
  let nginx: RunningNginx | undefined;

  const tlsBase = (): ConnectionOptions => ({ host: '127.0.0.1', port: ports.https, servername: domain, ca: ca.caCertPem });

  function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest({ ...tlsBase(), path, headers: { host: domain, ...headers }, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  function getPlain(path: string): Promise<Response> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: ports.http, path, headers: { host: domain }, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Handshake outcome: the negotiated protocol and cipher, or the error code. */
  function handshake(port: number, options: ConnectionOptions): Promise<{ protocol?: string | null; cipher?: string; alpn?: string | false | null; error?: string }> {
    return new Promise((resolve) => {
      const socket = tlsConnect({ ...tlsBase(), port, ...options }, () => {
        const result = { protocol: socket.getProtocol(), cipher: socket.getCipher().name, alpn: socket.alpnProtocol };
        socket.end();
        resolve(result);
      });
      socket.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
  }

  beforeAll(async () => {
    ports = { http: await freePort(), https: await freePort(), control: await freePort(), upstream: await freePort() };

    // Prosody's stand-in answers everything with a marker and a cookie, and records what reached it.
    upstream = createServer((req, res) => {
      upstreamRequests.push({ url: req.url ?? '', headers: req.headers });
      res.setHeader('Set-Cookie', 'upstream=1; Path=/');
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ marker, rooms: ['secret-room'] }));
    });
    const wss = new WebSocketServer({ server: upstream, handleProtocols: (protocols) => (protocols.has('xmpp') ? 'xmpp' : false) });
    wss.on('connection', (socket) => socket.send(`hello from ${marker}`));
    await new Promise<void>((resolve) => upstream.listen(ports.upstream, '127.0.0.1', resolve));

    const rendered = renderNginxFiles(spec);
    settingValue = rendered.settingValue;
    const includes = includeOrder(rendered.files).map((file) => {
      let content = moveCertificates(moveListenPorts(file.content, ports), leaf);
      content = moveHostPaths(content, root).replaceAll(`127.0.0.1:${PORTS.prosodyHttp}`, `127.0.0.1:${ports.upstream}`);
      return writeUnder(work.path, join('served', file.path), content);
    });

    // A control server that still allows TLS 1.1 and logs at nginx's default level: it proves the
    // probes below can succeed and that errors would be logged, so their failure on the site means something.
    const control = `
    server {
        listen 127.0.0.1:${ports.control} ssl;
        server_name control.test;
        ssl_certificate ${leaf.fullchainPath};
        ssl_certificate_key ${leaf.keyPath};
        ssl_protocols TLSv1.1 TLSv1.2;
        ssl_ciphers DEFAULT@SECLEVEL=0;
        error_log ${work.path}/served/logs/control-error.log error;
        access_log ${work.path}/served/logs/control-access.log;
        root ${root}/control;
    }`;
    const conf = writeMainConf({ dir: join(work.path, 'served'), includes, extraHttp: control });

    // What the host would have: the app shell (with the SSI include the real index.html uses),
    // config files, the privacy notice, a static asset, an ACME challenge.
    writeUnder(root, '/usr/share/jitsi-meet/index.html', '<html><head><title>app shell</title><script><!--#include virtual="/config.js" --></script></head><body></body></html>\n');
    writeUnder(root, '/usr/share/jitsi-meet/libs/app.bundle.min.js', 'console.log("bundle");\n');
    writeUnder(root, '/usr/share/jitsi-meet/head.html', '<meta name="fragment" content="head">\n');
    writeUnder(root, `/etc/jitsi/meet/${domain}-config.js`, 'var config = { marker: "config-from-alias" };\n');
    writeUnder(root, `/etc/jitsi/meet/${domain}-interface_config.js`, 'var interfaceConfig = { marker: "interface-from-alias" };\n');
    writeUnder(root, '/usr/share/jitsi-eu/www/privacy.html', '<html><body>privacy notice</body></html>\n');
    writeUnder(root, '/usr/share/jitsi-eu/www/privacy.de.html', '<html lang="de"><body>Datenschutzhinweise</body></html>\n');
    writeUnder(root, '/usr/share/jitsi-eu/www/privacy.fr.html', '<html lang="fr"><body>Politique de confidentialité</body></html>\n');
    writeUnder(root, '/usr/share/jitsi-meet/libs/external_api.min.js', 'var JitsiMeetExternalAPI = "embedding-api";\n');
    writeUnder(root, '/var/lib/jitsi-eu/acme/.well-known/acme-challenge/token-abc', 'token-abc.key-authorization\n');
    writeUnder(root, '/control/index.html', 'control\n');
    mkdirSync(join(root, 'var/log/nginx'), { recursive: true });

    nginx = await startNginx(conf, join(work.path, 'served'), ports.https);
  });

  afterAll(async () => {
    await nginx?.stop();
    await new Promise<void>((resolve) => upstream?.close(() => resolve()));
  });

  const SECURITY_HEADERS = [
    ['strict-transport-security', 'nginx-hsts'],
    ['content-security-policy', 'nginx-csp'],
    ['referrer-policy', 'nginx-referrer-policy'],
    ['x-content-type-options', 'nginx-content-type-options'],
    ['x-frame-options', 'nginx-frame-options'],
    ['permissions-policy', 'nginx-permissions-policy'],
  ] as const;

  it('sends the profile headers on the app, config.js, a proxied answer and a 404', async () => {
    const responses = {
      root: await get('/'),
      room: await get('/SomeRoom'),
      config: await get('/config.js'),
      bosh: await get('/http-bind'),
      missing: await get('/static/does-not-exist.js'),
      internal: await get('/room-census'),
    };
    expect(responses.missing.status).toBe(404);
    expect(responses.internal.status).toBe(404);
    for (const [name, response] of Object.entries(responses)) {
      for (const [header, id] of SECURITY_HEADERS) {
        expect(response.headers[header], `${header} on ${name}`).toBe(settingValue(id));
      }
    }
    // The values verify compares against: HSTS at least 180 days, no referrer, nosniff.
    const maxAge = Number(/max-age=(\d+)/.exec(String(responses.root.headers['strict-transport-security']))?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(15_552_000);
    expect(responses.root.headers['referrer-policy']).toBe('no-referrer');
    expect(responses.root.headers['x-content-type-options']).toBe('nosniff');
    expect(responses.root.headers['content-security-policy']).toContain(`connect-src 'self' wss://${domain};`);
  });

  it('names no version and sets no cookie, even when the upstream tries to', async () => {
    for (const path of ['/', '/SomeRoom', '/config.js', '/http-bind', '/nope/nope']) {
      const response = await get(path);
      expect(response.headers.server, path).toBe('nginx');
      expect(response.headers['set-cookie'], path).toBeUndefined();
    }
    expect(upstreamRequests.some((r) => r.url === '/http-bind')).toBe(true);
  });

  it('serves the app for room names, with config.js included through SSI', async () => {
    for (const path of ['/SomeRoom', '/SomeRoom?lang=de&v=2', '/', '/?v=3']) {
      const page = await get(path);
      expect(page.status, path).toBe(200);
      expect(page.headers['content-type'], path).toMatch(/^text\/html/);
      expect(page.body, path).toContain('<title>app shell</title>');
      expect(page.body, path).toContain('config-from-alias');
      // The page carries the configuration: never kept past a reload, whatever the query string.
      expect(page.headers['cache-control'], path).toBeUndefined();
      expect(page.headers.expires, path).toBeUndefined();
    }
    // A file of the app's root with a room-like name is that file, not the app.
    const fragment = await get('/head.html');
    expect(fragment.status).toBe(200);
    expect(fragment.body).toBe('<meta name="fragment" content="head">\n');
    // Deeper paths are files or 404s, never the app.
    for (const path of ['/Some/Room', '/SomeRoom/', '/libs/missing.js']) {
      const missing = await get(path);
      expect(missing.status, path).toBe(404);
      expect(missing.body, path).not.toContain('app shell');
    }
  });

  it('lets browsers keep versioned app files for a year and revalidate everything else', async () => {
    const versioned = await get('/libs/app.bundle.min.js?v=1');
    expect(versioned.status).toBe(200);
    expect(versioned.headers['content-type']).toMatch(/^application\/javascript/);
    expect(versioned.headers['cache-control']).toBe('max-age=31536000');
    expect(Date.parse(String(versioned.headers.expires)) - Date.now()).toBeGreaterThan(364 * 24 * 3600 * 1000);

    for (const path of ['/libs/app.bundle.min.js', '/libs/app.bundle.min.js?v=', '/interface_config.js?v=1', '/config.js?v=1']) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers['cache-control'], path).toBeUndefined();
      expect(response.headers.expires, path).toBeUndefined();
    }
    // Unversioned files can still be revalidated cheaply.
    const plain = await get('/libs/app.bundle.min.js');
    const again = await get('/libs/app.bundle.min.js', { 'if-none-match': String(plain.headers.etag) });
    expect(again.status).toBe(304);
  });

  it('serves config.js, interface_config.js and the privacy notice from their aliased paths', async () => {
    const config = await get('/config.js');
    expect(config.status).toBe(200);
    expect(config.body).toBe('var config = { marker: "config-from-alias" };\n');
    expect(config.headers['content-type']).toMatch(/^application\/javascript/);
    expect((await get('/interface_config.js')).body).toContain('interface-from-alias');
    const notice = await get('/privacy.html');
    expect(notice.status).toBe(200);
    expect(notice.body).toContain('privacy notice');
    // The German and French notices at their own paths, not the room page.
    for (const [path, text] of [['/privacy.de.html', 'Datenschutzhinweise'], ['/privacy.fr.html', 'Politique de confidentialité']]) {
      const page = await get(path!);
      expect(page.status, path).toBe(200);
      expect(page.headers['content-type'], path).toMatch(/^text\/html; charset=utf-8/);
      expect(page.body, path).toContain(text);
    }
  });

  it('serves the embedding API at /external_api.js, not the room page', async () => {
    const api = await get('/external_api.js');
    expect(api.status).toBe(200);
    expect(api.headers['content-type']).toMatch(/^application\/javascript/);
    expect(api.body).toBe('var JitsiMeetExternalAPI = "embedding-api";\n');
  });

  it('answers the ready endpoint with 404 until the ready file exists', async () => {
    expect((await get('/_jitsi-eu/ready')).status).toBe(404);
    writeUnder(root, '/var/lib/jitsi-eu/www/ready', 'ok\n');
    const ready = await get('/_jitsi-eu/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toBe('ok\n');
    expect(ready.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('redirects plain HTTP to HTTPS on the same host with the path kept, and serves ACME challenges', async () => {
    const redirect = await getPlain('/SomeRoom?lang=de');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe(`https://${domain}/SomeRoom?lang=de`);
    expect((await getPlain('/')).headers.location).toBe(`https://${domain}/`);
    const challenge = await getPlain('/.well-known/acme-challenge/token-abc');
    expect(challenge.status).toBe(200);
    expect(challenge.body).toBe('token-abc.key-authorization\n');
    expect((await getPlain('/.well-known/acme-challenge/missing')).status).toBe(404);
  });

  it('proxies BOSH and the XMPP WebSocket to Prosody without the client address', async () => {
    upstreamRequests.length = 0;
    const bosh = await get('/http-bind?probe=1', { 'x-forwarded-for': '198.51.100.23' });
    expect(bosh.status).toBe(200);
    expect(bosh.body).toContain(marker);
    const seen = upstreamRequests.find((r) => r.url === '/http-bind?probe=1');
    expect(seen?.headers.host).toBe(domain);
    expect(seen?.headers['x-forwarded-for']).toBeUndefined();

    const message = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`wss://127.0.0.1:${ports.https}/xmpp-websocket`, 'xmpp', {
        ca: ca.caCertPem,
        headers: { host: domain },
        servername: domain, // passed through to tls.connect; ws's types leave it out
      } as WebSocket.ClientOptions);
      ws.on('message', (data: WebSocket.RawData) => {
        expect(ws.protocol).toBe('xmpp');
        ws.close();
        resolve(data.toString());
      });
      ws.on('error', reject);
    });
    expect(message).toBe(`hello from ${marker}`);
  });

  it('answers every internal endpoint with a plain 404 and never asks an upstream', async () => {
    upstreamRequests.length = 0;
    const paths = [
      '/about/health',
      '/about/version',
      '/colibri/stats',
      '/colibri/v2/conferences',
      '/colibri-ws/default-id/conf/endpoint?pwd=x',
      '/debug',
      '/debug/conference',
      '/metrics',
      '/room-census',
      `/room-size?room=x&domain=${domain}`,
      `/room?room=x&domain=${domain}`,
      '/room-info?room=x',
      '/sessions',
      `/_api/room-info?room=x&domain=${domain}`,
      '/_api/public/x',
      '/conference-request/v1',
    ];
    for (const path of paths) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toContain(marker);
      expect(response.body, path).not.toContain('app shell');
      expect(response.headers['content-type'], path).toMatch(/^text\/html/);
    }
    expect(upstreamRequests).toEqual([]);
  });

  it('speaks TLS 1.2 and 1.3 with forward-secret AEAD suites only, and offers HTTP/2', async () => {
    const tls13 = await handshake(ports.https, { minVersion: 'TLSv1.3' });
    expect(tls13.protocol).toBe('TLSv1.3');
    const tls12 = await handshake(ports.https, { maxVersion: 'TLSv1.2' });
    expect(tls12.protocol).toBe('TLSv1.2');
    expect(settingValue('nginx-tls-ciphers')).toContain(tls12.cipher);
    expect((await handshake(ports.https, { ALPNProtocols: ['h2', 'http/1.1'] })).alpn).toBe('h2');

    const control = { port: ports.control, servername: 'control.test', checkServerIdentity: () => undefined };
    for (const weak of ['ECDHE-RSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA', 'AES128-GCM-SHA256', 'AES256-SHA']) {
      const probe: ConnectionOptions = { maxVersion: 'TLSv1.2', ciphers: `${weak}@SECLEVEL=0` };
      expect((await handshake(ports.control, { ...probe, ...control })).cipher, `control accepts ${weak}`).toBe(weak);
      expect((await handshake(ports.https, probe)).error, weak).toBeDefined();
    }
  });

  it('refuses TLS 1.1 (a control server proves the probe itself works)', async () => {
    const legacy: ConnectionOptions = { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' };
    expect((await handshake(ports.control, { ...legacy, servername: 'control.test', checkServerIdentity: () => undefined })).protocol).toBe('TLSv1.1');
    const refused = await handshake(ports.https, legacy);
    expect(refused.protocol).toBeUndefined();
    // A protocol-version alert: refused for the version itself, not merely for lack of a shared cipher.
    expect(refused.error).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
  });

  it('keeps no access log and no per-request error with a client address', async () => {
    await get('/SomeRoom');
    await get('/static/missing-file.js');
    await getPlain('/SomeRoom');
    // The control server logs at nginx's defaults: the same kind of request leaves the client address there.
    await handshake(ports.control, { servername: 'control.test', checkServerIdentity: () => undefined });
    await new Promise<void>((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port: ports.control, path: '/missing-file.js', servername: 'control.test', ca: ca.caCertPem, checkServerIdentity: () => undefined, agent: false },
        (res) => res.resume().on('end', resolve),
      );
      req.on('error', reject);
      req.end();
    });
    await nginx?.stop(); // flushes and closes every log
    nginx = undefined;
    expect(readIfExists(join(work.path, 'served/logs/control-error.log'))).toContain('client: 127.0.0.1');
    expect(readIfExists(join(work.path, 'served/logs/control-access.log'))).toContain('127.0.0.1');
    expect(readIfExists(join(work.path, 'served/logs/access.log'))).toBe('');
    expect(existsSync(join(root, 'var/log/nginx/error.log'))).toBe(true);
    expect(readIfExists(join(root, 'var/log/nginx/error.log'))).not.toContain('127.0.0.1');
  });
});

describe('the rendered site in Chromium', () => {
  const MEET = 'meet.example.org';
  const LMS = 'lms.example.org';
  const OTHER = 'other.example.org';
  const lmsWork = tempDir('jitsi-eu-nginx-chromium-');
  let browser: Browser;
  let lmsPort: number;
  let lms: ReturnType<typeof createHttpsServer>;
  const sites: { port: number; nginx: RunningNginx }[] = [];
  /** Meeting sites by name: the default stack (no embedding) and one that lets the LMS embed. */
  const sitePort: Record<'closed' | 'embeddable', number> = { closed: 0, embeddable: 0 };

  async function serveSite(name: string, spec: DeploymentSpec): Promise<number> {
    const dir = join(lmsWork.path, name);
    const siteRoot = join(dir, 'root');
    const sitePorts = { http: await freePort(), https: await freePort() };
    const { files } = renderNginxFiles(spec);
    const includes = includeOrder(files).map((file) => writeUnder(dir, join('conf', file.path), moveHostPaths(moveCertificates(moveListenPorts(file.content, sitePorts), leaf), siteRoot)));
    writeUnder(siteRoot, '/usr/share/jitsi-meet/index.html', '<html><head><title>meeting</title></head><body>meeting</body></html>\n');
    writeUnder(siteRoot, '/usr/share/jitsi-meet/libs/external_api.min.js', 'window.embeddingApiLoaded = true;\n');
    mkdirSync(join(siteRoot, 'var/log/nginx'), { recursive: true });
    const nginxConf = writeMainConf({ dir, includes });
    sites.push({ port: sitePorts.https, nginx: await startNginx(nginxConf, dir, sitePorts.https) });
    return sitePorts.https;
  }

  beforeAll(async () => {
    requireTool('chromium');
    chmodSync(lmsWork.path, 0o755);
    const lmsLeaf = ca.issue({ names: [LMS, OTHER] });
    lmsPort = await freePort();
    // The learning platform: a page that loads the embedding API and frames a meeting of the site named in the query.
    lms = createHttpsServer({ cert: lmsLeaf.fullchainPem, key: lmsLeaf.keyPem }, (req, res) => {
      const meetPort = new URL(req.url ?? '/', 'https://x').searchParams.get('site');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<html><head><title>course</title><script src="https://${MEET}:${meetPort}/external_api.js"></script></head>` +
        `<body><iframe src="https://${MEET}:${meetPort}/SomeRoom" allow="camera; microphone"></iframe></body></html>`);
    });
    await new Promise<void>((resolve) => lms.listen(lmsPort, '127.0.0.1', resolve));
    sitePort.closed = await serveSite('closed', makeSpec({ domain: MEET }));
    sitePort.embeddable = await serveSite('embeddable', makeSpec({ domain: MEET, embedOrigins: [`https://${LMS}:${lmsPort}`] }));

    const spki = (pem: string) => createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    browser = await chromium.launch({
      executablePath: findChromium(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP * 127.0.0.1', `--ignore-certificate-errors-spki-list=${spki(leaf.certPem)},${spki(lmsLeaf.certPem)}`],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const site of sites) await site.nginx.stop();
    lms?.closeAllConnections();
    await new Promise<void>((resolve) => (lms ? lms.close(() => resolve()) : resolve()));
    lmsWork.remove();
  });

  /** Opens a page and returns its console messages, and whether the meeting frame (if any) shows the meeting. */
  async function open(url: string): Promise<{ console: string[]; framed?: boolean; apiLoaded: boolean }> {
    const page = await browser.newPage();
    const messages: string[] = [];
    page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    try {
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForTimeout(300);
      const frame = page.frames().find((f) => f !== page.mainFrame());
      const framed = frame ? await frame.evaluate(() => document.title === 'meeting').catch(() => false) : undefined;
      const apiLoaded = await page.evaluate(() => (window as unknown as { embeddingApiLoaded?: boolean }).embeddingApiLoaded === true);
      return { console: messages, ...(framed === undefined ? {} : { framed }), apiLoaded };
    } finally {
      await page.close();
    }
  }

  it('raises no Permissions-Policy error or warning on the meeting page', async () => {
    const { console: messages } = await open(`https://${MEET}:${sitePort.closed}/SomeRoom`);
    expect(messages.filter((m) => /permissions.policy|feature policy/i.test(m))).toEqual([]);
  });

  it('by default no other site can frame a meeting, though it can load the embedding API', async () => {
    const result = await open(`https://${LMS}:${lmsPort}/course?site=${sitePort.closed}`);
    expect(result.apiLoaded).toBe(true);
    expect(result.framed).toBe(false);
    expect(result.console.join('\n')).toMatch(/frame-ancestors 'none'/);
  });

  it('an origin on the allow-list frames a meeting; any other origin still cannot', async () => {
    const allowed = await open(`https://${LMS}:${lmsPort}/course?site=${sitePort.embeddable}`);
    expect(allowed.apiLoaded).toBe(true);
    expect(allowed.framed).toBe(true);
    const other = await open(`https://${OTHER}:${lmsPort}/course?site=${sitePort.embeddable}`);
    expect(other.framed).toBe(false);
    expect(other.console.join('\n')).toMatch(/frame-ancestors/);
  });
});

describe('a dual-stack site in nginx', () => {
  const dualWork = tempDir('jitsi-eu-nginx-ipv6-');
  let site: RunningNginx | undefined;
  let ports: { http: number; https: number; http6: number; https6: number };

  beforeAll(async () => {
    chmodSync(dualWork.path, 0o755);
    ports = { http: await freePort(), https: await freePort(), http6: await freePort(), https6: await freePort() };
    const siteRoot = join(dualWork.path, 'root');
    const { files } = renderNginxFiles(makeSpec({ domain: 'meet.example.org', ipv6: true }));
    const includes = includeOrder(files).map((file) => {
      // The IPv6 listeners move to the IPv6 loopback, each on a port of its own.
      const content = moveListenPorts(file.content, ports)
        .replace(/^(\s*)listen \[::\]:80(;| )/gm, `$1listen [::1]:${ports.http6}$2`)
        .replace(/^(\s*)listen \[::\]:443(;| )/gm, `$1listen [::1]:${ports.https6}$2`);
      return writeUnder(dualWork.path, join('conf', file.path), moveHostPaths(moveCertificates(content, leaf), siteRoot));
    });
    writeUnder(siteRoot, '/usr/share/jitsi-meet/index.html', '<html><head><title>meeting</title></head></html>\n');
    mkdirSync(join(siteRoot, 'var/log/nginx'), { recursive: true });
    const conf = writeMainConf({ dir: dualWork.path, includes });
    expect(nginxConfigTest(conf, dualWork.path).ok).toBe(true);
    site = await startNginx(conf, dualWork.path, ports.https);
  });

  afterAll(async () => {
    await site?.stop();
    dualWork.remove();
  });

  function fetchOver(host: string, port: number, secure: boolean): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const options = { host, port, path: '/SomeRoom', headers: { host: 'meet.example.org' }, agent: false, family: 6 };
      const done = (res: import('node:http').IncomingMessage) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      };
      const req = secure ? httpsRequest({ ...options, servername: 'meet.example.org', ca: ca.caCertPem }, done) : httpRequest(options, done);
      req.on('error', reject);
      req.end();
    });
  }

  it('serves the site and its headers over IPv6 exactly as over IPv4, and redirects plain HTTP there too', async () => {
    const over6 = await fetchOver('::1', ports.https6, true);
    expect(over6.status).toBe(200);
    expect(over6.body).toContain('<title>meeting</title>');
    expect(over6.headers['strict-transport-security']).toMatch(/^max-age=/);
    expect(over6.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const plain6 = await fetchOver('::1', ports.http6, false);
    expect(plain6.status).toBe(301);
    expect(plain6.headers.location).toBe('https://meet.example.org/SomeRoom');
  });
});

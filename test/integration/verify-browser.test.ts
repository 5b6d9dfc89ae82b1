// The --browser recorder in Debian's Chromium (playwright-core), against local HTTPS pages signed by
// a test CA: a page that calls a third-party host and hands an external STUN server to
// RTCPeerConnection gets both reported; a first-party page passes. Other host names resolve to
// nothing inside the browser, so no request leaves the machine.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedBrowser } from '../../scripts/verify/browser/chromium.ts';
import { readHostCredentialsFile } from '../../scripts/verify/browser/host-login.ts';
import { capturedTracks, foreignContacts, recordPage, startRecording } from '../../scripts/verify/browser/recorder.ts';
import { browserPins } from '../../scripts/verify/browser/session.ts';
import { runVerify } from '../../scripts/verify/run.ts';
import type { CheckResult, VerifyReport } from '../../scripts/verify/types.ts';
import { WEB_APP_ENV, startLoopbackDeployment, type LoopbackDeployment, type ServedSite } from '../fixtures/verify/deployment.ts';
import { createTestCa, type IssuedCertificate, type TestCa } from '../helpers/test-ca.ts';
import { freePort, requireTool, tempDir } from '../helpers/tools.ts';

const HOST = 'meet.example.org';

const THIRD_PARTY_PAGE = `<!DOCTYPE html><html><head><title>leaky</title>
<script src="/app.js"></script></head><body>
<img src="https://cdn.example.net/logo.png">
<script>
  fetch('https://tracker.example.net/pixel?room=' + location.pathname).catch(() => {});
  const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:stun.l.google.com:19302' }, { urls: 'stun:${HOST}:3478' }] });
  pc.createDataChannel('probe');
  pc.createOffer().then((offer) => pc.setLocalDescription(offer));
</script></body></html>`;

const FIRST_PARTY_PAGE = `<!DOCTYPE html><html><head><title>clean</title>
<script src="/app.js"></script></head><body>
<script>
  fetch('/config.js').catch(() => {});
  const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:${HOST}:3478' }] });
  pc.createDataChannel('probe');
</script></body></html>`;

const work = tempDir('jitsi-eu-verify-browser-');
let ca: TestCa;
let leaf: IssuedCertificate;
const servers: Server[] = [];
let launched: LaunchedBrowser | undefined;

async function serve(page: string): Promise<number> {
  const server = createServer({ cert: leaf.fullchainPem, key: leaf.keyPem }, (req, res) => {
    if (req.url === '/app.js' || req.url === '/config.js') {
      res.writeHead(200, { 'content-type': 'application/javascript' });
      res.end('window.loaded = true;');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  servers.push(server);
  return port;
}

let leakyPort: number;
let cleanPort: number;

beforeAll(async () => {
  requireTool('chromium');
  ca = createTestCa(work.path);
  leaf = ca.issue({ names: [HOST] });
  leakyPort = await serve(THIRD_PARTY_PAGE);
  cleanPort = await serve(FIRST_PARTY_PAGE);
});

afterAll(async () => {
  await launched?.close();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  work.remove();
});

function byId(report: VerifyReport): Map<string, CheckResult> {
  return new Map(report.checks.map((c) => [c.id, c]));
}

describe('the browser recorder', () => {
  it('records a third-party request and an external STUN server, and blocks the request', async () => {
    const { X509Certificate, createHash } = await import('node:crypto');
    const spki = createHash('sha256').update(new X509Certificate(leaf.certPem).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    launched = await launchChromium({ host: HOST, ip: '127.0.0.1', pinnedSpki: [spki], timeoutMs: 30_000 });
    const record = await recordPage(launched, `https://${HOST}:${leakyPort}/SomeRoom`, { host: HOST, timeoutMs: 20_000, settleMs: 1500 });
    expect(record.error).toBeUndefined();
    expect(record.status).toBe(200);
    expect(record.title).toBe('leaky');
    const foreign = foreignContacts(record, HOST);
    expect(foreign.requests).toEqual(expect.arrayContaining(['https://tracker.example.net/pixel?room=/SomeRoom', 'https://cdn.example.net/logo.png']));
    expect(foreign.requests.some((u) => u.includes(HOST))).toBe(false);
    expect(foreign.ice).toEqual(['stun:stun.l.google.com:19302']);
    expect(record.requests.some((r) => r.url === `https://${HOST}:${leakyPort}/app.js`)).toBe(true);
    // Recorded, then stopped inside the browser: verifying a site never contacts its third parties.
    expect(record.blocked).toEqual(expect.arrayContaining(foreign.requests));
    expect(record.blocked.some((u) => u.includes(HOST))).toBe(false);
  });

  it('without the pinned key the browser refuses the test certificate (no blanket certificate bypass)', async () => {
    const strict = await launchChromium({ host: HOST, ip: '127.0.0.1', timeoutMs: 30_000 });
    try {
      const record = await recordPage(strict, `https://${HOST}:${cleanPort}/`, { host: HOST, timeoutMs: 10_000, settleMs: 0 });
      expect(record.error).toMatch(/ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await strict.close();
    }
  });
});

describe('verify --browser', () => {
  const options = (port: number) => ({
    url: `https://${HOST}:${port}`,
    resolve: [`${HOST}:127.0.0.1`],
    ca: [ca.caCertPath],
    browser: true,
    only: ['browser-first-party-only', 'browser-ice-servers', 'browser-prejoin-muted'],
    timeoutSeconds: 90,
  });

  it('fails a page that contacts third parties, naming the hosts and the STUN server', async () => {
    const checks = byId(await runVerify(options(leakyPort)));
    const requests = checks.get('browser-first-party-only')!;
    expect(requests.status).toBe('FAIL');
    expect(requests.detail).toContain('tracker.example.net');
    expect(requests.detail).toContain('cdn.example.net');
    const ice = checks.get('browser-ice-servers')!;
    expect(ice).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('stun:stun.l.google.com:19302') });
    expect(ice.detail).not.toContain(`stun:${HOST}`);
    expect(checks.get('browser-prejoin-muted')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('not the Jitsi Meet app') });
  });

  it('passes a page that stays on the deployment', async () => {
    const checks = byId(await runVerify(options(cleanPort)));
    expect(checks.get('browser-first-party-only')).toMatchObject({ status: 'PASS', detail: expect.stringContaining(`all to ${HOST}`) });
    expect(checks.get('browser-ice-servers')).toMatchObject({ status: 'PASS', detail: `only stun:${HOST}:3478` });
  });

  it('pins the served key only when Node trusts the certificate with the given CA', async () => {
    const { VerifyContext } = await import('../../scripts/verify/context.ts');
    const { parseTarget } = await import('../../scripts/verify/target.ts');
    const { privacyProfile } = await import('../../infra/privacy/profile.ts');
    const { makeSpec } = await import('../helpers/spec.ts');
    const spec = makeSpec({ domain: HOST });
    const context = (extraCa: string[]) =>
      new VerifyContext({
        target: parseTarget(`https://${HOST}:${cleanPort}`, [`${HOST}:127.0.0.1`]),
        spec,
        profile: privacyProfile(spec),
        fromStack: true,
        expectationSource: 'test',
        extraCa,
        resolved: { addresses: ['127.0.0.1'], via: '--resolve' },
        signal: new AbortController().signal,
        probeTimeoutMs: 3000,
        deadline: Date.now() + 10_000,
        now: new Date(),
        options: {},
      });
    expect(await browserPins(context([ca.caCertPem]))).toHaveLength(1);
    const otherCa = createTestCa(tempDir('jitsi-eu-other-ca-').path);
    expect(await browserPins(context([otherCa.caCertPem]))).toEqual([]);
  });
});

// The loopback deployment: the real nginx serving the rendered site and config.js, a real Prosody
// behind it, and the stand-in app bundle (test/fixtures/verify/stand-in-app.js; the real web app
// when JITSI_WEB_APP names a build of it), which enters a room the way the pinned Jitsi Meet
// release does: stored user settings, defaulting to "not
// muted", outrank config.js (jitsi-meet react/features/base/settings/functions.any.ts and
// settings/reducer.ts); the microphone is opened for the level meter and stopped when entry is
// muted, the camera opened only when video is not muted (jitsi-meet conference.js).
describe('muted entry and host login against the loopback deployment', () => {
  let deployment: LoopbackDeployment;
  let site: ServedSite;
  let configOnly: ServedSite;
  let credentialsDir: ReturnType<typeof tempDir>;
  const HOST_PASSWORD = 'correct horse battery staple';

  beforeAll(async () => {
    deployment = await startLoopbackDeployment();
    site = await deployment.serve();
    // config.js as it was rendered before the stored-settings preset: only the config.js keys.
    configOnly = await deployment.serve({ configJs: (js) => js.slice(0, js.indexOf('(function (entry)')) });
    credentialsDir = tempDir('jitsi-eu-host-login-');
  }, 60_000);

  afterAll(async () => {
    await deployment?.stop();
    credentialsDir?.remove();
  });

  const prejoin = async (served: ServedSite) =>
    byId(await runVerify(served.options({ browser: true, only: ['browser-prejoin-muted'], timeoutSeconds: 90 }))).get('browser-prejoin-muted')!;

  it('config.js keys alone let a first-time visitor in with an open microphone and a live camera', async () => {
    const check = await prejoin(configOnly);
    expect(check.status).toBe('FAIL');
    expect(check.detail).toContain('a live camera track from getUserMedia');
    expect(check.detail).toContain('microphone on at entry in the app');
    expect(check.detail).toContain('camera on at entry in the app');
  }, 120_000);

  it('the rendered config.js lets a first-time visitor in muted: the microphone is stopped, no camera is opened', async () => {
    const check = await prejoin(site);
    expect(check).toMatchObject({ status: 'PASS', detail: expect.stringMatching(/^pre-join screen with microphone and camera muted; \d+ captured track\(s\), none live$/) });
    // The stand-in, like the pinned app, opens the microphone for its level meter and stops it.
    if (!process.env[WEB_APP_ENV]) expect(check.detail).toContain('; 1 captured track(s), none live');
  }, 120_000);

  describe('in the browser', () => {
    let browser: LaunchedBrowser;

    beforeAll(async () => {
      browser = await launchChromium({ host: deployment.spec.domain, ip: '127.0.0.1', pinnedSpki: [await servedSpki(site.httpsPort, deployment.spec.domain)], timeoutMs: 30_000 });
    });

    afterAll(async () => {
      await browser?.close();
    });

    /** Opens a room on the site with `before` run ahead of the page's scripts; returns what the app entered with. */
    async function enter(before: string) {
      const session = await startRecording(browser, { host: deployment.spec.domain, timeoutMs: 20_000, initScripts: [before] });
      try {
        await session.page.goto(`https://${deployment.spec.domain}:${site.httpsPort}/SomeRoom`, { waitUntil: 'load' });
        await session.page.waitForSelector('[data-testid="prejoin.screen"]');
        await session.page.waitForTimeout(2000);
        const media = await session.page.evaluate(() => (window as unknown as { APP: { store: { getState(): Record<string, unknown> } } }).APP.store.getState()['features/base/media']);
        const stored = await session.page.evaluate(() => {
          try {
            return window.localStorage.getItem('features/base/settings');
          } catch {
            return 'no storage';
          }
        });
        return { media, stored, tracks: await capturedTracks(session.page), url: session.page.url() };
      } finally {
        await session.close();
      }
    }

    it('a returning visitor whose stored settings say "not muted" still enters muted, keeping their other settings', async () => {
      const returning = `localStorage.setItem('features/base/settings', JSON.stringify({ displayName: 'Ada', startWithAudioMuted: false, startWithVideoMuted: false }));`;
      const entered = await enter(returning);
      expect(entered.media).toMatchObject({ audio: { muted: true }, video: { muted: VIDEO_MUTED_BY_USER } });
      expect(entered.tracks.filter((t) => t.readyState === 'live')).toEqual([]);
      expect(JSON.parse(entered.stored!)).toMatchObject({ displayName: 'Ada', startWithAudioMuted: true, startWithVideoMuted: true });
    }, 60_000);

    it('a browser that gives the page no storage still enters muted, through the URL fragment', async () => {
      const noStorage = `Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });`;
      const entered = await enter(noStorage);
      expect(entered.stored).toBe('no storage');
      expect(entered.url).toBe(`https://${deployment.spec.domain}:${site.httpsPort}/SomeRoom#config.startWithAudioMuted=true&config.startWithVideoMuted=true`);
      expect(entered.media).toMatchObject({ audio: { muted: true }, video: { muted: VIDEO_MUTED_BY_USER } });
      expect(entered.tracks.filter((t) => t.readyState === 'live')).toEqual([]);
    }, 60_000);
  });

  it('on a secure-auth stack without a host login, the lobby and media checks say how to give one', async () => {
    const checks = byId(await runVerify(site.options({ browser: true, only: ['browser-lobby-knock', 'browser-media-udp-bridge', 'browser-ice-servers'], timeoutSeconds: 90 })));
    for (const id of ['browser-lobby-knock', 'browser-media-udp-bridge']) {
      expect(checks.get(id)).toMatchObject({ status: 'SKIP', detail: expect.stringContaining('pass --host-credentials FILE') });
    }
    // No conference starts here at all (no jicofo): the reason says so, not that a login is missing.
    expect(checks.get('browser-ice-servers')).toMatchObject({
      status: 'SKIP',
      detail: expect.stringMatching(/^no RTCPeerConnection was created: no conference started: the guest was not in a conference after pressing Join/),
    });
  }, 120_000);

  it('with a host login, a site where meetings never start fails the lobby and media checks, and the password is never shown', async () => {
    const file = join(credentialsDir.path, 'host.txt');
    writeFileSync(file, `host\n${HOST_PASSWORD}\n`, { mode: 0o600 });
    const report = await runVerify(
      site.options({ browser: true, hostCredentials: readHostCredentialsFile(file), only: ['browser-lobby-knock', 'browser-media-udp-bridge', 'browser-ice-servers'], timeoutSeconds: 120 }),
    );
    const checks = byId(report);
    const noMeeting = "the host did not join the conference within 20 s: meetings cannot start (is jicofo running and the host's login right?)";
    expect(checks.get('browser-lobby-knock')).toMatchObject({ status: 'FAIL', detail: noMeeting });
    expect(checks.get('browser-media-udp-bridge')).toMatchObject({ status: 'FAIL', detail: noMeeting });
    expect(checks.get('browser-ice-servers')).toMatchObject({ status: 'SKIP', detail: `no RTCPeerConnection was created: no conference started: ${noMeeting}` });
    expect(report.verdict).toBe('fail');
    expect(JSON.stringify(report)).not.toContain(HOST_PASSWORD);
  }, 150_000);
});

/** jitsi-meet react/features/base/media/constants.ts: VIDEO_MUTISM_AUTHORITY.USER. */
const VIDEO_MUTED_BY_USER = 1 << 2;

/** Base64 SHA-256 of the SubjectPublicKeyInfo the site serves, for the browser's key pin. */
async function servedSpki(port: number, servername: string): Promise<string> {
  const { connect } = await import('node:tls');
  const { X509Certificate, createHash } = await import('node:crypto');
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().raw);
      socket.end();
    });
    socket.once('error', reject);
  });
  return createHash('sha256').update(new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

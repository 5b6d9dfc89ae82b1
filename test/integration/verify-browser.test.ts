// The --browser recorder in Debian's Chromium (playwright-core), against local HTTPS pages signed by
// a test CA: a page that calls a third-party host and hands an external STUN server to
// RTCPeerConnection gets both reported; a first-party page passes. Other host names resolve to
// nothing inside the browser, so no request leaves the machine.
import { createServer, type Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedBrowser } from '../../scripts/verify/browser/chromium.ts';
import { foreignContacts, recordPage } from '../../scripts/verify/browser/recorder.ts';
import { browserPins } from '../../scripts/verify/browser/session.ts';
import { runVerify } from '../../scripts/verify/run.ts';
import type { CheckResult, VerifyReport } from '../../scripts/verify/types.ts';
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

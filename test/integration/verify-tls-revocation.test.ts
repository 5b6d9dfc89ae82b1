// Revocation information and OCSP stapling as verify reports them, against the real nginx on
// loopback with certificates from a test CA: a certificate naming only a CRL (as Let's Encrypt's do
// since OCSP ended in 2025), one naming an OCSP responder with and without a stapled answer
// (nginx staples from a file the CA signed), a must-staple certificate without one, a revoked
// certificate, an answer about another certificate, and certificates naming neither.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../scripts/verify/run.ts';
import type { CheckResult } from '../../scripts/verify/types.ts';
import { startNginx, writeMainConf, writeUnder, type RunningNginx } from '../helpers/nginx.ts';
import { makeSpec } from '../helpers/spec.ts';
import { createTestCa, type IssuedCertificate } from '../helpers/test-ca.ts';
import { freePort, tempDir } from '../helpers/tools.ts';

const HOST = 'meet.example.org';
const OCSP_URL = 'http://ocsp.example.org';
const CRL_URL = 'http://crl.example.org/test-ca.crl';
const DAY = 86_400_000;
const work = tempDir('jitsi-eu-verify-revocation-');

interface Variant {
  cert: IssuedCertificate;
  /** DER OCSP answer nginx staples. */
  staple?: string;
}

const ports = new Map<string, number>();
let caPath: string;
let nginx: RunningNginx;

function serverBlock(port: number, variant: Variant): string {
  return `server {
    listen 127.0.0.1:${port} ssl;
    server_name ${HOST};
    ssl_certificate ${variant.cert.fullchainPath};
    ssl_certificate_key ${variant.cert.keyPath};
    ssl_protocols TLSv1.2 TLSv1.3;
${variant.staple ? `    ssl_stapling on;\n    ssl_stapling_file ${variant.staple};\n` : ''}    location / { return 200 "ok"; }
}
`;
}

beforeAll(async () => {
  const ca = createTestCa(work.path);
  caPath = ca.caCertPath;
  const withOcsp = ca.issue({ names: [HOST], ocspUrl: OCSP_URL });
  const revoked = ca.issue({ names: [HOST], ocspUrl: OCSP_URL });
  ca.revoke(revoked);
  const other = ca.issue({ names: [HOST], ocspUrl: OCSP_URL });
  const variants: Record<string, Variant> = {
    crlOnly: { cert: ca.issue({ names: [HOST], crlUrl: CRL_URL }) },
    stapledGood: { cert: withOcsp, staple: ca.ocspResponse(withOcsp) },
    notStapled: { cert: ca.issue({ names: [HOST], ocspUrl: OCSP_URL }) },
    mustStapleNotStapled: { cert: ca.issue({ names: [HOST], ocspUrl: OCSP_URL, mustStaple: true }) },
    stapledRevoked: { cert: revoked, staple: ca.ocspResponse(revoked) },
    stapledOther: { cert: withOcsp, staple: ca.ocspResponse(other) },
    none: { cert: ca.issue({ names: [HOST] }) },
    shortLived: { cert: ca.issue({ names: [HOST], notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 5 * DAY) }) },
  };
  const blocks: string[] = [];
  for (const [name, variant] of Object.entries(variants)) {
    const port = await freePort();
    ports.set(name, port);
    blocks.push(serverBlock(port, variant));
  }
  const dir = join(work.path, 'nginx');
  const site = writeUnder(dir, 'sites/revocation.conf', blocks.join('\n'));
  nginx = await startNginx(writeMainConf({ dir, includes: [site] }), dir, ports.get('crlOnly')!);
});

afterAll(async () => {
  await nginx?.stop();
  work.remove();
});

async function checks(variant: string): Promise<Map<string, CheckResult>> {
  const report = await runVerify({
    url: `https://${HOST}:${ports.get(variant)}`,
    resolve: [`${HOST}:127.0.0.1`],
    spec: makeSpec({ domain: HOST }),
    ca: [caPath],
    only: ['tls-revocation-info', 'tls-ocsp-stapling'],
    timeoutSeconds: 10,
  });
  return new Map(report.checks.map((c) => [c.id, c]));
}

describe('tls-revocation-info', () => {
  it("passes a certificate naming a CRL only, as Let's Encrypt's do", async () => {
    expect((await checks('crlOnly')).get('tls-revocation-info')).toMatchObject({ status: 'PASS', detail: `CRL ${CRL_URL}` });
  });

  it('passes a certificate naming an OCSP responder', async () => {
    expect((await checks('notStapled')).get('tls-revocation-info')).toMatchObject({ status: 'PASS', detail: `OCSP ${OCSP_URL}` });
  });

  it('fails a 90-day certificate naming neither', async () => {
    const result = (await checks('none')).get('tls-revocation-info');
    expect(result).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('neither a CRL distribution point nor an OCSP responder') });
  });

  it('passes a short-lived certificate naming neither', async () => {
    expect((await checks('shortLived')).get('tls-revocation-info')).toMatchObject({ status: 'PASS', detail: expect.stringContaining('short-lived certificate (6 days)') });
  });
});

describe('tls-ocsp-stapling', () => {
  it('passes a certificate without a responder: nothing to staple', async () => {
    expect((await checks('crlOnly')).get('tls-ocsp-stapling')).toMatchObject({ status: 'PASS', detail: expect.stringContaining('names no OCSP responder') });
  });

  it('passes a stapled "good" answer', async () => {
    expect((await checks('stapledGood')).get('tls-ocsp-stapling')).toMatchObject({ status: 'PASS', detail: expect.stringMatching(/^stapled: good until \d{4}-/) });
  });

  it('warns when a responder is named but nothing is stapled', async () => {
    const result = (await checks('notStapled')).get('tls-ocsp-stapling');
    expect(result).toMatchObject({ status: 'WARN', detail: expect.stringContaining(`browsers ask ${OCSP_URL}`) });
  });

  it('fails a must-staple certificate served without a stapled answer', async () => {
    expect((await checks('mustStapleNotStapled')).get('tls-ocsp-stapling')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('must-staple') });
  });

  it('fails a stapled "revoked" answer', async () => {
    expect((await checks('stapledRevoked')).get('tls-ocsp-stapling')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('REVOKED') });
  });

  it('fails a stapled answer about another certificate', async () => {
    expect((await checks('stapledOther')).get('tls-ocsp-stapling')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('another certificate') });
  });
});

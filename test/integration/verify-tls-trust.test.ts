// Certificate trust as verify reports it, against a local TLS server: a Let's Encrypt staging
// stack's untrusted chain is a WARN (by design) while name, expiry and key are still checked; the
// same chain on a production stack, or a self-signed stand-in on a staging stack, fails; --ca makes
// a test CA trusted.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../scripts/verify/run.ts';
import type { CheckResult, VerifyReport } from '../../scripts/verify/types.ts';
import { makeSpec } from '../helpers/spec.ts';
import { freePort, requireTool, tempDir } from '../helpers/tools.ts';

const HOST = 'meet.example.org';
const work = tempDir('jitsi-eu-verify-trust-');
const servers: Server[] = [];

function openssl(args: string[]): void {
  execFileSync(requireTool('openssl'), args, { stdio: 'ignore' });
}

/** A CA named like Let's Encrypt's staging hierarchy, and a leaf for HOST signed by it. */
function stagingChain(): { cert: string; key: string; ca: string } {
  const dir = work.path;
  openssl(['req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', join(dir, 'staging-ca.key'), '-out', join(dir, 'staging-ca.pem'), '-days', '30', '-subj', '/O=(STAGING) Let\'s Encrypt/CN=(STAGING) Test Ersatz E9']);
  openssl(['req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', join(dir, 'leaf.key'), '-out', join(dir, 'leaf.csr'), '-subj', `/CN=${HOST}`]);
  writeFileSync(join(dir, 'leaf.ext'), `subjectAltName = DNS:${HOST}\nbasicConstraints = CA:false\n`);
  openssl(['x509', '-req', '-in', join(dir, 'leaf.csr'), '-CA', join(dir, 'staging-ca.pem'), '-CAkey', join(dir, 'staging-ca.key'), '-CAcreateserial', '-out', join(dir, 'leaf.pem'), '-days', '60', '-sha256', '-extfile', join(dir, 'leaf.ext')]);
  const ca = readFileSync(join(dir, 'staging-ca.pem'), 'utf8');
  return { cert: readFileSync(join(dir, 'leaf.pem'), 'utf8') + ca, key: readFileSync(join(dir, 'leaf.key'), 'utf8'), ca: join(dir, 'staging-ca.pem') };
}

/** A self-signed certificate for HOST, like the stand-in the host uses before ACME succeeds. */
function selfSigned(): { cert: string; key: string } {
  const dir = work.path;
  openssl(['req', '-x509', '-nodes', '-newkey', 'rsa:2048', '-keyout', join(dir, 'self.key'), '-out', join(dir, 'self.pem'), '-days', '30', '-subj', `/CN=${HOST}`, '-addext', `subjectAltName=DNS:${HOST}`]);
  return { cert: readFileSync(join(dir, 'self.pem'), 'utf8'), key: readFileSync(join(dir, 'self.key'), 'utf8') };
}

async function serve(tls: { cert: string; key: string }): Promise<number> {
  const server = createServer({ ...tls, minVersion: 'TLSv1.2' }, (_req, res) => res.end('ok'));
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  servers.push(server);
  return port;
}

let staging: { port: number; ca: string };
let selfSignedPort: number;

beforeAll(async () => {
  const chain = stagingChain();
  staging = { port: await serve(chain), ca: chain.ca };
  selfSignedPort = await serve(selfSigned());
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  work.remove();
});

const TLS_CERT_CHECKS = ['tls-chain-trusted', 'tls-hostname', 'tls-expiry', 'tls-key-strength'];

async function certChecks(port: number, tls: 'letsencrypt' | 'letsencrypt-staging', ca: string[] = []): Promise<Map<string, CheckResult>> {
  const report: VerifyReport = await runVerify({
    url: `https://${HOST}:${port}`,
    resolve: [`${HOST}:127.0.0.1`],
    spec: makeSpec({ domain: HOST, tls }),
    ca,
    only: TLS_CERT_CHECKS,
    timeoutSeconds: 20,
  });
  return new Map(report.checks.map((c) => [c.id, c]));
}

describe('certificate trust', () => {
  it("a staging stack's staging chain: WARN with the reason, name, expiry and key still checked", async () => {
    const checks = await certChecks(staging.port, 'letsencrypt-staging');
    expect(checks.get('tls-chain-trusted')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('staging is not trusted by browsers, by design') });
    expect(checks.get('tls-hostname')?.status).toBe('PASS');
    expect(checks.get('tls-expiry')).toMatchObject({ status: 'PASS', detail: expect.stringMatching(/^(59|60) days left/) });
    expect(checks.get('tls-key-strength')).toMatchObject({ status: 'PASS', detail: 'EC prime256v1, ecdsa-with-SHA256' });
  });

  it('the same chain on a production stack fails', async () => {
    const checks = await certChecks(staging.port, 'letsencrypt');
    expect(checks.get('tls-chain-trusted')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('STAGING') });
  });

  it('a self-signed stand-in fails even on a staging stack', async () => {
    const checks = await certChecks(selfSignedPort, 'letsencrypt-staging');
    expect(checks.get('tls-chain-trusted')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('self-signed') });
  });

  it('--ca makes the chain trusted', async () => {
    const checks = await certChecks(staging.port, 'letsencrypt', [staging.ca]);
    expect(checks.get('tls-chain-trusted')?.status).toBe('PASS');
  });
});

// verify's protocol and key-exchange probes against Node TLS servers on loopback, configured the
// way a legacy or careless server is: TLS 1.0 without 1.1 (the server answers an offer of both
// with 1.0 and the downgrade marker), TLS 1.1, DHE with a small or a proper group, and a port that
// does not speak TLS at all, where this client stops on its own and must not report a refusal.
import { execFileSync } from 'node:child_process';
import { constants } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server, type TlsOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../scripts/verify/run.ts';
import type { CheckResult } from '../../scripts/verify/types.ts';
import { makeSpec } from '../helpers/spec.ts';
import { createTestCa, type IssuedCertificate } from '../helpers/test-ca.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';

const HOST = 'meet.example.org';
const work = tempDir('jitsi-eu-verify-tls-probes-');
const servers: (Server | HttpServer)[] = [];
let leaf: IssuedCertificate;
let caPath: string;

function dhParameters(group: 'modp_1536' | 'ffdhe2048'): string {
  const path = join(work.path, `${group}.pem`);
  execFileSync(requireTool('openssl'), ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', `group:${group}`, '-out', path]);
  return readFileSync(path, 'utf8');
}

async function listen(server: Server | HttpServer): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

function tlsServer(options: TlsOptions): Promise<number> {
  const server = createServer({ cert: leaf.fullchainPem, key: leaf.keyPem, ...options }, (socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
  server.on('tlsClientError', () => undefined);
  return listen(server);
}

async function check(id: string, port: number, extra: { portMap?: string[] } = {}): Promise<CheckResult> {
  const report = await runVerify({
    url: `https://${HOST}:${port}`,
    resolve: [`${HOST}:127.0.0.1`],
    spec: makeSpec({ domain: HOST }),
    ca: [caPath],
    only: [id],
    timeoutSeconds: 10,
    ...extra,
  });
  expect(report.unreachable).toBeUndefined();
  return report.checks[0]!;
}

let modern: number;
let tls10Not11: number;
let tls11: number;
let notTls: number;
let dhSmall: number;
let dh2048: number;

beforeAll(async () => {
  const ca = createTestCa(work.path);
  caPath = ca.caCertPath;
  // DHE-RSA suites need an RSA key.
  leaf = ca.issue({ names: [HOST], key: { type: 'rsa', bits: 2048 }, crlUrl: 'http://crl.example.org/test.crl' });
  const legacyCiphers = 'DEFAULT@SECLEVEL=0';
  modern = await tlsServer({ minVersion: 'TLSv1.2' });
  tls10Not11 = await tlsServer({ minVersion: 'TLSv1', ciphers: legacyCiphers, secureOptions: constants.SSL_OP_NO_TLSv1_1 });
  tls11 = await tlsServer({ minVersion: 'TLSv1.1', ciphers: legacyCiphers });
  const dheSuites = 'DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256';
  dhSmall = await tlsServer({ minVersion: 'TLSv1.2', ciphers: dheSuites, dhparam: dhParameters('modp_1536') });
  dh2048 = await tlsServer({ minVersion: 'TLSv1.2', ciphers: dheSuites, dhparam: dhParameters('ffdhe2048') });
  // Plain HTTP where TLS is expected: every handshake ends in this client's own error.
  notTls = await listen(createHttpServer((_req, res) => res.end('plain')));
});

afterAll(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  work.remove();
});

describe('tls-legacy-refused', () => {
  it('fails a server that accepts TLS 1.0 but not 1.1 (an offer of both would end in the downgrade marker)', async () => {
    const result = await check('tls-legacy-refused', tls10Not11);
    expect(result.status).toBe('FAIL');
    expect(result.detail).toMatch(/accepted TLS 1\.0 \(/);
    expect(result.detail).not.toContain('TLS 1.1 (');
  });

  it('fails a server that accepts TLS 1.1', async () => {
    const result = await check('tls-legacy-refused', tls11);
    expect(result).toMatchObject({ status: 'FAIL', detail: expect.stringMatching(/accepted TLS 1\.1 \(/) });
  });

  it('passes a TLS 1.2+ server, naming the alert it sent for each version', async () => {
    const result = await check('tls-legacy-refused', modern);
    expect(result).toMatchObject({ status: 'PASS', detail: 'refused: TLS 1.0 (alert protocol version), TLS 1.1 (alert protocol version)' });
  });

  it('never passes when this client stopped the handshake itself (a port that does not speak TLS)', async () => {
    const result = await check('tls-legacy-refused', notTls, { portMap: [`80=${notTls}`] });
    expect(result.status).toBe('WARN');
    expect(result.detail).toMatch(/cannot tell whether the server refuses TLS 1\.0 \(ERR_SSL_WRONG_VERSION_NUMBER/);
  });
});

describe('tls-forward-secrecy', () => {
  it('never passes when this client stopped the handshake itself', async () => {
    const result = await check('tls-forward-secrecy', notTls, { portMap: [`80=${notTls}`] });
    expect(result).toMatchObject({ status: 'WARN', detail: expect.stringContaining('cannot tell whether the server refuses weak suites') });
  });
});

describe('tls-dh-params', () => {
  it('fails DHE with a 1536-bit group', async () => {
    const result = await check('tls-dh-params', dhSmall);
    expect(result).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('1536-bit DH group') });
    expect(result.detail).toContain('ssl_dhparam');
  });

  it('passes DHE with the 2048-bit ffdhe2048 group', async () => {
    const result = await check('tls-dh-params', dh2048);
    expect(result).toMatchObject({ status: 'PASS', detail: expect.stringContaining('2048-bit DH group') });
  });

  it('passes an ECDHE-only server', async () => {
    const result = await check('tls-dh-params', modern);
    expect(result).toMatchObject({ status: 'PASS', detail: expect.stringContaining('no DHE suite offered') });
  });

  it('warns when this client stopped the handshake itself', async () => {
    const result = await check('tls-dh-params', notTls, { portMap: [`80=${notTls}`] });
    expect(result.status).toBe('WARN');
  });
});

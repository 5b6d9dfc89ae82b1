// verify's check of the operator channel from outside, through runVerify as deploy and the CLI run
// it: a host that checks signatures refuses the check's unsigned request (PASS); a path that runs
// whatever it is sent fails the check, as do a missing channel and an AWS stack's skip.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../scripts/verify/run.ts';
import { judgeUnsignedAnswer } from '../../scripts/verify/checks/channel.ts';
import { bashRunner, channelKeyPair, startChannelHost, type ChannelHost } from '../helpers/channel-host.ts';
import { makeSpec } from '../helpers/spec.ts';
import { createTestCa, type TestCa } from '../helpers/test-ca.ts';
import { tempDir } from '../helpers/tools.ts';

const DOMAIN = 'meet.channel-verify.eu';
const hetzner = makeSpec({ stack: 'h1', cloud: 'hetzner', region: 'hel1', country: 'FI', regionLabel: 'Helsinki, Finland', instanceType: 'ccx23', domain: DOMAIN });
let dir: ReturnType<typeof tempDir>;
let ca: TestCa;
let caFile: string;
let host: ChannelHost;
let open: Server;
let openPort = 0;
const ran: string[] = [];

beforeAll(async () => {
  dir = tempDir();
  ca = createTestCa(dir.path);
  caFile = join(dir.path, 'ca.pem');
  writeFileSync(caFile, ca.caCertPem);
  host = await startChannelHost({ ca, domain: DOMAIN, publicKeyPem: channelKeyPair().publicKeyPem, run: bashRunner({}), names: [DOMAIN] });
  // A channel that runs whatever it is sent: what the check exists to catch.
  const cert = ca.issue({ names: [DOMAIN] });
  open = createServer({ key: cert.keyPem, cert: cert.fullchainPem }, async (request, response) => {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const { script } = JSON.parse(body) as { script: string };
    ran.push(script);
    const answer = await bashRunner({})(script, 1);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => open.listen(0, '127.0.0.1', resolve));
  openPort = (open.address() as AddressInfo).port;
});
afterAll(async () => {
  await host.stop();
  await new Promise<void>((resolve) => open.close(() => resolve()));
  dir.remove();
});

const verifyAt = (port: number, spec = hetzner) =>
  runVerify({ spec, only: ['http-channel-refuses-unsigned'], resolve: [`${DOMAIN}:127.0.0.1`], portMap: [`443=${port}`, `80=${port}`], ca: [caFile], timeoutSeconds: 20 });

describe('http-channel-refuses-unsigned', () => {
  it('passes when the host refuses the unsigned request with 401 and the JSON error; nothing ran', async () => {
    const report = await verifyAt(host.port);
    expect(report.checks).toEqual([{ id: 'http-channel-refuses-unsigned', title: expect.any(String), status: 'PASS', detail: "/_jitsi-eu/channel/run refuses a request not signed with the stack's key (401, JSON error only)" }]);
    expect(host.refusals).toEqual(['401 signature']);
    expect(host.scripts).toEqual([]);
  });

  it('fails when the path runs the request', async () => {
    const report = await verifyAt(openPort);
    expect(report.checks[0]!.status).toBe('FAIL');
    expect(report.checks[0]!.detail).toMatch(/^\/_jitsi-eu\/channel\/run ran a request that was not signed \(HTTP 200\): anyone can run commands as root/);
    expect(ran).toEqual(['echo jitsi-eu-verify-unsigned']);
    expect(report.verdict).toBe('fail');
  });

  it('fails on a 404 or any other answer than the JSON error; skips on AWS', async () => {
    expect(judgeUnsignedAnswer({ status: 404, body: '<html>' }).detail).toMatch(/has no channel/);
    expect(judgeUnsignedAnswer({ status: 401, body: '<html>Unauthorized</html>' }).status).toBe('FAIL');
    expect(judgeUnsignedAnswer({ status: 400, body: '{"error":"x"}' }).status).toBe('FAIL');
    const aws = await verifyAt(host.port, makeSpec({ domain: DOMAIN }));
    expect(aws.checks[0]).toMatchObject({ status: 'SKIP', detail: 'AWS stacks have no channel path: SSM Run Command reaches their hosts' });
  });
});

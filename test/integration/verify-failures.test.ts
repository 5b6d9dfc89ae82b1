// verify against hosts that cannot be verified: a host that drops every packet, a refused port, a
// name that does not resolve (and a DNS server that never answers), and a server that accepts
// connections but never speaks. Each run ends within its --timeout, says what happened, and
// the CLI exits 2. Everything stays on loopback: the DNS servers are the test's own.
import { execFile, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify, verifyExitCode } from '../../scripts/verify/run.ts';
import type { VerifyOptions, VerifyReport } from '../../scripts/verify/types.ts';
import { startUnresponsivePorts } from '../fixtures/verify/deployment.ts';
import { startLoopbackDns, type LoopbackDns } from '../helpers/dns-server.ts';
import { freePort } from '../helpers/tools.ts';

const execFileAsync = promisify(execFile);
const TIMEOUT_SECONDS = 3;
const HOST = 'meet.example.org';

let blackhole: { ports: number[]; child: ChildProcess };
let hanging: Server;
let hangingPort: number;
const hangingSockets = new Set<Socket>();
/** Answers NXDOMAIN to every name. */
let nxdomain: LoopbackDns;
/** Never answers. */
let silentDns: LoopbackDns;

beforeAll(async () => {
  blackhole = await startUnresponsivePorts(2);
  hanging = createServer((socket) => {
    // Accept, read, never answer.
    hangingSockets.add(socket);
    socket.on('close', () => hangingSockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  hangingPort = (hanging.address() as { port: number }).port;
  nxdomain = await startLoopbackDns();
  silentDns = await startLoopbackDns({ silent: true });
});

afterAll(async () => {
  blackhole?.child.stdin?.end();
  blackhole?.child.kill();
  for (const socket of hangingSockets) socket.destroy();
  await new Promise<void>((resolve) => (hanging ? hanging.close(() => resolve()) : resolve()));
  await nxdomain?.stop();
  await silentDns?.stop();
});

async function timed(options: VerifyOptions): Promise<{ report: VerifyReport; ms: number }> {
  const started = Date.now();
  const report = await runVerify({ timeoutSeconds: TIMEOUT_SECONDS, ...options });
  return { report, ms: Date.now() - started };
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return execFileAsync('npx', ['tsx', 'scripts/verify.ts', '--timeout', String(TIMEOUT_SECONDS), ...args], { encoding: 'utf8' }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

const url = (port: number) => `https://${HOST}:${port}`;
const resolve = [`${HOST}:127.0.0.1`];

describe('a host that cannot be verified', () => {
  it('a host that drops every packet: unreachable, within the timeout, exit 2', async () => {
    const [https, http] = blackhole.ports as [number, number];
    const { report, ms } = await timed({ url: url(https), resolve, portMap: [`80=${http}`] });
    expect(ms).toBeLessThan(TIMEOUT_SECONDS * 1000);
    expect(report.unreachable).toMatch(/cannot be reached: HTTPS port \d+: no TLS handshake within \d+ ms; HTTP port \d+: no complete answer/);
    expect(verifyExitCode(report)).toBe(2);
    expect(report.checks.find((c) => c.id === 'dns-resolves')?.status).toBe('PASS');
    expect(report.checks.filter((c) => c.id !== 'dns-resolves').every((c) => c.status === 'SKIP')).toBe(true);
  });

  it('a refused port: unreachable at once, with the reason', async () => {
    const { report, ms } = await timed({ url: url(await freePort()), resolve, portMap: [`80=${await freePort()}`] });
    expect(ms).toBeLessThan(1500);
    expect(report.unreachable).toMatch(/HTTPS port \d+: connection refused; HTTP port \d+: connection refused/);
    expect(verifyExitCode(report)).toBe(2);
  });

  it('a name that does not resolve: a clear DNS message and the --resolve hint', async () => {
    const { report, ms } = await timed({ url: `https://no-such-host.example.org`, dnsServers: [nxdomain.server] });
    expect(ms).toBeLessThan(TIMEOUT_SECONDS * 1000);
    expect(report.unreachable).toContain('cannot resolve no-such-host.example.org: no such domain');
    expect(report.unreachable).toContain('--resolve no-such-host.example.org:IP');
    expect(report.checks.find((c) => c.id === 'dns-resolves')?.status).toBe('FAIL');
    expect(verifyExitCode(report)).toBe(2);
  });

  it('a DNS server that never answers: ends within the timeout', async () => {
    const { report, ms } = await timed({ url: `https://meet.example.org`, dnsServers: [silentDns.server] });
    expect(ms).toBeLessThan(TIMEOUT_SECONDS * 1000 + 200);
    expect(report.unreachable).toContain('cannot resolve meet.example.org');
    expect(verifyExitCode(report)).toBe(2);
  });

  it('a server that accepts connections but never answers: ends within the timeout', async () => {
    const { report, ms } = await timed({ url: url(hangingPort), resolve, portMap: [`80=${hangingPort}`] });
    expect(ms).toBeLessThan(TIMEOUT_SECONDS * 1000);
    expect(report.unreachable).toMatch(/HTTPS port \d+: no TLS handshake within \d+ ms; HTTP port \d+: no complete answer within \d+ ms/);
    expect(verifyExitCode(report)).toBe(2);
  });

  it('through the CLI: exit 2 with the reason on the terminal, for each of them', async () => {
    const [https, http] = blackhole.ports as [number, number];
    const runs = await Promise.all([
      cli(['--url', url(https), '--resolve', resolve[0]!, '--port-map', `80=${http}`]),
      cli(['--url', url(await freePort()), '--resolve', resolve[0]!, '--port-map', `80=${await freePort()}`]),
      cli(['--url', 'https://no-such-host.example.org', '--dns', nxdomain.server, '--json']),
      cli(['--url', url(hangingPort), '--resolve', resolve[0]!, '--port-map', `80=${hangingPort}`]),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(runs[0]!.stdout).toContain('UNREACHABLE');
    expect(runs[1]!.stdout).toContain('connection refused');
    const json = JSON.parse(runs[2]!.stdout) as { verdict: string; error: string };
    expect(json.verdict).toBe('fail');
    expect(json.error).toContain('no such domain');
    expect(runs[2]!.stderr).toContain('no such domain');
    expect(runs[3]!.stdout).toContain('no TLS handshake');
  });
});

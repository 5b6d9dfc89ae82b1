// status for a stack on Hetzner Cloud, against the loopback fake of the Cloud API: the stack's
// servers (selected by both labels) with state, addresses, role, type, creation and expiry; a
// stopped bridge or a short pool is a problem. The signaling node is read through the loopback
// channel host (real signatures, real TLS), which runs status's probe in bash with the tools
// answering what a host recorded: versions, jicofo's statistics, certificate and revision reach
// the report; a channel that does not answer, or a stack without one, is said and exits 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBundle } from '../../infra/render/bundle.ts';
import { ChannelHostCommands } from '../../scripts/lib/channel/client.ts';
import { channelTarget } from '../../scripts/lib/channel/stack.ts';
import type { StackOutputs } from '../../scripts/lib/workspace.ts';
import { bundleRevision } from '../../scripts/status/revision.ts';
import { channelKeyPair, startChannelHost, type ChannelHost } from '../helpers/channel-host.ts';
import { RECORDED, runOnRecordedHost, type RecordedHost } from '../helpers/recorded-hosts.ts';
import { createTestCa, type TestCa } from '../helpers/test-ca.ts';
import { freePort, tempDir } from '../helpers/tools.ts';
import type { StatusDeps } from '../../scripts/status/deps.ts';
import { statusMain } from '../../scripts/status/main.ts';
import type { CloudStatusReport } from '../../scripts/status/cloud-report.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import { startFakeHetzner, type FakeHetzner } from '../helpers/fake-hetzner-api.ts';
import { makeSpec } from '../helpers/spec.ts';
import { HETZNER_PRICES_RECORDED_ON, HETZNER_PRIMARY_IPV4_MONTHLY_EUR, HETZNER_SERVER_MONTHLY_EUR } from '../../infra/cost/hetzner-prices.ts';
import { HOURS_PER_MONTH } from '../../infra/cost/prices.ts';

const NOW = new Date('2026-12-06T12:00:00Z');
const labels = (stack: string, role: string) => ({ 'jitsi-eu/project': 'jitsi-eu', 'jitsi-eu/stack': stack, 'jitsi-eu/role': role, 'jitsi-eu/expires-at': '20261207T180000Z' });
const spec = (stack: string) =>
  makeSpec({ stack, cloud: 'hetzner', region: 'fsn1', regionLabel: 'Falkenstein, Germany', topology: 'scalable', bridges: { min: 2, max: 2, instanceType: 'ccx33' }, instanceType: 'ccx23', sandbox: true, expiresAt: '2026-12-07T18:00:00.000Z' });
const round2 = (value: number) => Math.round(value * 100) / 100;
const PUBLIC_NOT_AFTER = '2027-02-01T00:00:00.000Z';
let fake: FakeHetzner;
let dir: ReturnType<typeof tempDir>;
let ca: TestCa;
let channelHost: ChannelHost;
const keys = channelKeyPair();
/** What the signaling node behind the channel has recorded, for the next status run. */
let recorded: RecordedHost;
/** A signaling node doing fine, running what the stack renders. */
const healthy = (stack: string): RecordedHost => ({
  dpkg: RECORDED.signalingDpkg(spec(stack).jitsiVersion),
  revisionFile: `${bundleRevision(renderBundle(spec(stack)), 'signaling')}\n`,
  jicofoStats: RECORDED.jicofoStats(3, 9, 2),
  jicofoDebug: RECORDED.jicofoDebug(spec(stack).domain, POOLS[stack] ?? {}),
  certificateFile: liveCertificate,
});
/** The bridges jicofo has in its pool, per stack: server id → its view. */
const POOLS: Record<string, Parameters<typeof RECORDED.jicofoDebug>[1]> = {
  hs: { '102': { endpoints: 5 } },
  ok: { '202': { endpoints: 4 }, '203': { drain: true, endpoints: 1 } },
};
let liveCertificate: string;

beforeAll(async () => {
  dir = tempDir();
  ca = createTestCa(dir.path);
  // The node's live certificate: the one it serves publicly (same notAfter).
  liveCertificate = ca.issue({ names: ['meet.example.org'], notAfter: new Date(PUBLIC_NOT_AFTER) }).fullchainPath;
  channelHost = await startChannelHost({
    ca,
    domain: spec('any').domain,
    publicKeyPem: keys.publicKeyPem,
    run: (script) => {
      const result = runOnRecordedHost(recorded, spec('any').domain, script);
      return { exitCode: result.status ?? 124, stdout: result.stdout, stderr: result.stderr, seconds: 0.1 };
    },
  });
  fake = await startFakeHetzner({
    servers: [
      { id: 101, name: 'hs-signaling', labels: labels('hs', 'signaling'), ipv4: '203.0.113.101', network: 1, privateIp: '10.0.0.10', created: '2026-12-06T10:00:00+00:00' },
      { id: 102, name: 'hs-bridge-0', labels: labels('hs', 'bridge'), ipv4: '203.0.113.102', network: 1, privateIp: '10.0.0.11', serverType: 'ccx33' },
      { id: 103, name: 'hs-bridge-1', labels: labels('hs', 'bridge'), ipv4: '203.0.113.103', network: 1, privateIp: '10.0.0.12', serverType: 'ccx33', status: 'off' },
      { id: 104, name: 'hs-handmade', labels: { 'jitsi-eu/stack': 'hs', 'jitsi-eu/role': 'bridge' } },
      { id: 105, name: 'other-signaling', labels: labels('other', 'signaling') },
      { id: 201, name: 'ok-signaling', labels: labels('ok', 'signaling'), ipv4: '203.0.113.201' },
      { id: 202, name: 'ok-bridge-0', labels: labels('ok', 'bridge') },
      { id: 203, name: 'ok-bridge-1', labels: labels('ok', 'bridge') },
      { id: 301, name: 'hc-signaling', labels: labels('hc', 'signaling'), ipv4: '203.0.113.31', serverType: 'ccx23', created: '2026-12-06T10:00:00+00:00' },
      { id: 302, name: 'hc-bridge-1', labels: labels('hc', 'bridge'), ipv4: '203.0.113.32', serverType: 'ccx33', created: '2026-11-20T08:00:00+00:00', status: 'off' },
      { id: 303, name: 'hc-bridge-2', labels: labels('hc', 'bridge'), ipv4: '203.0.113.33', serverType: 'cax21', created: '2026-11-20T08:00:00+00:00', volumes: [77] },
      { id: 304, name: 'other-bridge', labels: labels('other', 'bridge'), ipv4: '203.0.113.99', serverType: 'ccx63' },
    ],
    primaryIps: [
      // The signaling node's own, kept while unassigned; a bridge's come with the server, unlabelled.
      { id: 401, name: 'hc-signaling-ipv4', labels: labels('hc', 'address'), ip: '203.0.113.31', assignee: 301 },
      { id: 402, name: 'hc-spare-ipv4', labels: labels('hc', 'address'), ip: '203.0.113.40' },
      { id: 403, name: 'other-ipv4', labels: labels('other', 'address'), ip: '203.0.113.98' },
    ],
  });
});

afterAll(async () => {
  await fake?.stop();
  await channelHost?.stop();
  dir?.remove();
});

type Channel = { url?: string } | 'none';

interface NodeSide {
  /** The channel's address (default the loopback channel host), or 'none' for a stack deployed before the channel. */
  channel?: Channel;
  /** What the signaling node recorded (default: healthy). */
  host?: RecordedHost;
  timeoutMs?: number;
}

async function status(stack: string, json = true, env: Record<string, string> = { ...fake.env, JITSI_EU_CHANNEL_CA: ca.caCertPath }, { channel = {}, host = healthy(stack), timeoutMs = 5000 }: NodeSide = {}) {
  let out = '';
  recorded = host;
  const deps: StatusDeps = {
    loadSpec: () => spec(stack),
    requireCredentials: async () => {
      throw new Error('AWS credentials are not asked on Hetzner');
    },
    openStack: () => {
      throw new Error('the AWS inventory must not be read for a Hetzner stack');
    },
    // The stack's outputs as Pulumi gives them; the channel's CA comes from JITSI_EU_CHANNEL_CA.
    openChannel: async (s, options) => {
      const outputs: StackOutputs = channel === 'none' ? {} : { channelUrl: { value: channel.url ?? channelHost.url, secret: false }, channelPrivateKey: { value: keys.privateKeyPem, secret: true } };
      return new ChannelHostCommands(channelTarget(outputs, s), { ...options, retryMs: 50 });
    },
    publicCertificate: async () => ({ notAfter: PUBLIC_NOT_AFTER, trusted: true }),
    now: () => NOW,
    out: (text) => (out += text),
    progress: () => {},
    env,
  };
  const code = await statusMain({ stack, json, timeoutMs }, deps);
  return { code, out, report: json ? (JSON.parse(out) as CloudStatusReport) : undefined };
}

describe('status on Hetzner Cloud', () => {
  it('lists the stack\'s servers as the API reports them and judges a stopped bridge and a short pool', async () => {
    const { code, report } = await status('hs');
    expect(code).toBe(1);
    expect(report!.cloud).toBe('hetzner');
    expect(report!.servers.map((s) => [s.name, s.role, s.state, s.publicIpv4, s.privateIps])).toEqual([
      ['hs-signaling', 'signaling', 'running', '203.0.113.101', ['10.0.0.10']],
      ['hs-bridge-0', 'bridge', 'running', '203.0.113.102', ['10.0.0.11']],
      ['hs-bridge-1', 'bridge', 'off', '203.0.113.103', ['10.0.0.12']],
    ]);
    expect(report!.servers[0]).toMatchObject({ id: '101', serverType: 'ccx23', location: 'fsn1-dc14', created: '2026-12-06T10:00:00.000Z', expiresAt: '2026-12-07T18:00:00.000Z' });
    expect(report!.problems.map((p) => p.message)).toEqual(['bridge hs-bridge-1 is off', '1 bridge server runs; the stack has a pool of 2']);
    expect(report!.notes.join(' ')).toMatch(/the bridges have no channel: their package versions and configuration revision are not read; the jicofo column is jicofo's view/);
    expect(report!.sandbox).toEqual({ expiresAt: '2026-12-07T18:00:00.000Z', timeLeftMs: 30 * 3_600_000 });
    // Both labels were asked for: the half-labelled server is not the stack's.
    expect(fake.log.some((r) => new URLSearchParams(r.query).get('label_selector') === 'jitsi-eu/project=jitsi-eu,jitsi-eu/stack=hs')).toBe(true);
  });

  it('a healthy stack: exit 0, and the text says the bridges are not read instead of failing', async () => {
    const { code, out } = await status('ok', false);
    expect(code).toBe(0);
    expect(out).toMatch(/Stack ok \(Hetzner Cloud fsn1, scalable\)/);
    expect(out).toMatch(/ok-signaling \(201\)/);
    expect(out).toMatch(/note: the bridges have no channel/);
    // Jicofo's view of each bridge, from the signaling node: a draining bridge is no problem.
    expect(out).toMatch(/ok-bridge-0 \(202\) +bridge +running +in its pool, 4 participants /);
    expect(out).toMatch(/ok-bridge-1 \(203\) +bridge +running +draining, 1 participant /);
    expect(out).toMatch(/ok-signaling \(201\) +signaling +running +- /);
    expect(out).not.toContain('staff-meeting');
    expect(out).toMatch(/✓ every server of the stack runs/);
  });

  it("a running bridge jicofo does not have in its pool, or cannot use: each a problem, exit 1", async () => {
    const host = { ...healthy('ok'), jicofoDebug: RECORDED.jicofoDebug(spec('ok').domain, { '202': { operational: false, endpoints: 0 } }) };
    const { code, report } = await status('ok', true, undefined, { host });
    expect(code).toBe(1);
    expect(report!.problems.map((p) => p.message)).toEqual([
      "bridge ok-bridge-0 is in jicofo's pool but not operational (its health checks fail)",
      "bridge ok-bridge-1 runs but is not in jicofo's pool: its videobridge has not signed in",
    ]);
    expect(report!.signalingNode!.jicofoBridges).toEqual({ '202': { drain: false, gracefulShutdown: false, operational: false, endpoints: 0, version: '2.3.209-gb7d4a1c5' } });
  });

  it('reads the signaling node through the channel: packages, jicofo\'s statistics, its certificate and revision, in --json and in the text', async () => {
    channelHost.scripts.length = 0;
    const expectedRevision = bundleRevision(renderBundle(spec('ok')), 'signaling');
    const { code, report } = await status('ok');
    expect(report!.problems).toEqual([]);
    expect(code).toBe(0);
    expect(report!.signalingNode).toEqual({
      name: 'ok-signaling',
      id: '201',
      answer: 'answered',
      packages: expect.arrayContaining([{ name: 'jitsi-meet', version: report!.versions.expectedPackage }, { name: 'jicofo', version: '1.0-1172-1' }]),
      revision: expectedRevision,
      expectedRevision,
      focus: { conferences: 3, participants: 9, bridges: 2, operationalBridges: 2 },
      certificateNotAfter: PUBLIC_NOT_AFTER,
      jicofoBridges: {
        '202': { drain: false, gracefulShutdown: false, operational: true, endpoints: 4, version: '2.3.209-gb7d4a1c5' },
        '203': { drain: true, gracefulShutdown: false, operational: true, endpoints: 1, version: '2.3.209-gb7d4a1c5' },
      },
    });
    expect(report!.conferences).toEqual({ conferences: 3, participants: 9, source: 'jicofo' });
    expect(report!.certificate).toMatchObject({ hostNotAfter: PUBLIC_NOT_AFTER, publicNotAfter: PUBLIC_NOT_AFTER });
    // One signed request, accepted, carrying the probe AWS hosts get (the signaling part, no videobridge on this node).
    expect(channelHost.refusals).toEqual([]);
    expect(channelHost.scripts).toHaveLength(1);
    expect(channelHost.scripts[0]).toContain('### jitsi-eu-status jicofo-stats');
    expect(channelHost.scripts[0]).not.toContain('### jitsi-eu-status jvb-stats');

    const { out } = await status('ok', false);
    expect(out).toContain('Signaling node ok-signaling (201), through the channel: answered');
    expect(out).toContain(`jitsi-meet ${report!.versions.expectedPackage}, jitsi-meet-web 1.0.9043-1, jicofo 1.0-1172-1`);
    expect(out).toContain(`configuration revision: ${expectedRevision}, as the stack renders`);
    expect(out).toContain('Conferences now: 3, participants: 9 (from jicofo)');
    expect(out).toContain('Certificate of meet.example.org: on the signaling node until 2027-02-01, served until 2027-02-01');
    // The channel key is a secret: never printed.
    expect(out).not.toContain(keys.privateKeyPem.split('\n')[1]);
  });

  it('a signaling node on another revision and release: each is a problem, with what to do', async () => {
    const { code, report } = await status('ok', true, undefined, { host: { ...healthy('ok'), dpkg: RECORDED.signalingDpkg('9999'), revisionFile: '0123456789ab\n' } });
    expect(code).toBe(1);
    const expectedRevision = bundleRevision(renderBundle(spec('ok')), 'signaling');
    expect(report!.problems).toEqual([
      { message: `signaling ok-signaling runs jitsi-meet 2.0.9999-1; the stack pins release ${report!.versions.release} (${report!.versions.expectedPackage})`, hint: 'a new Jitsi release reaches hosts by replacing them: npm run deploy' },
      { message: `signaling ok-signaling runs configuration revision 0123456789ab; the stack renders ${expectedRevision}`, hint: 'npm run deploy -- --stack ok applies the stack\'s configuration' },
    ]);
  });

  it('a channel that does not answer: the servers, cost and certificate are still reported, the node part says why, exit 1', async () => {
    const url = `https://127.0.0.1:${await freePort()}/_jitsi-eu/channel/run`;
    const { code, report } = await status('ok', true, undefined, { channel: { url }, timeoutMs: 1000 });
    expect(code).toBe(1);
    expect(report!.servers.map((s) => s.name)).toEqual(['ok-signaling', 'ok-bridge-0', 'ok-bridge-1']);
    expect(report!.cost.lines.length).toBeGreaterThan(0);
    expect(report!.certificate.publicNotAfter).toBe(PUBLIC_NOT_AFTER);
    expect(report!.signalingNode).toMatchObject({ answer: 'no-answer', packages: [] });
    expect(report!.signalingNode!.answerDetail).toMatch(/^no answer from https:\/\/127\.0\.0\.1:\d+\/_jitsi-eu\/channel\/run within 1 s: .*is the signaling node running, and port 443 open to this machine\?$/);
    expect(report!.problems.map((p) => p.message)).toEqual([`signaling ok-signaling did not answer: ${report!.signalingNode!.answerDetail}`]);
    expect(report!.conferences.source).toBe('none');

    const { out } = await status('ok', false, undefined, { channel: { url }, timeoutMs: 1000 });
    expect(out).toMatch(/Signaling node ok-signaling \(201\), through the channel: not read: no answer from https:\/\/127\.0\.0\.1/);
    expect(out).toContain('Conferences now: unknown (no statistics answered)');
  });

  it('a stack deployed before the channel: the node part says so and how to add it, the rest is reported, exit 1', async () => {
    const { code, report } = await status('ok', true, undefined, { channel: 'none' });
    expect(code).toBe(1);
    expect(report!.servers).toHaveLength(3);
    expect(report!.signalingNode).toMatchObject({ answer: 'failed' });
    expect(report!.signalingNode!.answerDetail).toMatch(/^stack ok has no operator channel yet .* Run npm run deploy -- --stack ok once: it adds the channel/);
    expect(report!.problems).toHaveLength(1);
  });

  it('costs the servers and Primary IPv4s that exist, from the dated Hetzner table; a stopped server counts in full; an unknown type and a volume are named, not guessed', async () => {
    const { report } = await status('hc');
    const cost = report!.cost;
    expect(cost).toMatchObject({ currency: 'EUR', priceList: 'Hetzner Cloud list prices', pricesRecordedOn: HETZNER_PRICES_RECORDED_ON, since: '2026-12-01T00:00:00.000Z', until: NOW.toISOString() });
    // ccx23 for 2 hours, ccx33 since the 1st (132 hours, though off), four Primary IPv4s (two from the 1st 09:00, two since the 1st).
    const share = (hours: number) => hours / HOURS_PER_MONTH;
    const ip = HETZNER_PRIMARY_IPV4_MONTHLY_EUR;
    expect(cost.lines).toEqual([
      { item: 'server', description: 'signaling ccx23', quantity: 1, unitMonthlyEur: HETZNER_SERVER_MONTHLY_EUR.ccx23, monthlyEur: HETZNER_SERVER_MONTHLY_EUR.ccx23, soFarEur: round2(HETZNER_SERVER_MONTHLY_EUR.ccx23! * share(2)) },
      { item: 'server', description: 'bridge ccx33', quantity: 1, unitMonthlyEur: HETZNER_SERVER_MONTHLY_EUR.ccx33, monthlyEur: HETZNER_SERVER_MONTHLY_EUR.ccx33, soFarEur: round2(HETZNER_SERVER_MONTHLY_EUR.ccx33! * share(132)) },
      { item: 'public-ipv4', description: 'Primary IPv4 address', quantity: 3, unitMonthlyEur: ip, monthlyEur: 3 * ip, soFarEur: round2(ip * share(123) + 2 * ip * share(132)) },
      { item: 'public-ipv4', description: 'Primary IPv4 address (not assigned to a server)', quantity: 1, unitMonthlyEur: ip, monthlyEur: ip, soFarEur: round2(ip * share(123)) },
    ]);
    expect(cost.monthlyEur).toBe(round2(HETZNER_SERVER_MONTHLY_EUR.ccx23! + HETZNER_SERVER_MONTHLY_EUR.ccx33! + 4 * ip));
    expect(cost.unpriced).toEqual([
      'server hc-bridge-2 (cax21): price not in infra/cost/hetzner-prices.ts',
      'volume 77 attached to hc-bridge-2: volumes are not in the price tables (jitsi-eu creates none)',
    ]);
    expect(cost.notes[0]).toMatch(/^hc-bridge-1 is not running and counted in full: Hetzner Cloud bills a powered-off server in full .*; source: https:\/\/docs\.hetzner\.com\/cloud\/billing\/faq/);
    // The other stack's server and address are not counted; the Primary IPs were asked by both labels.
    expect(fake.log.some((r) => r.path === '/v1/primary_ips' && new URLSearchParams(r.query).get('label_selector') === 'jitsi-eu/project=jitsi-eu,jitsi-eu/stack=hc')).toBe(true);

    const text = (await status('hc', false)).out;
    expect(text).toContain(`Cost this month so far: €${cost.soFarEur.toFixed(2)} since 2026-12-01; a full month of what exists now: €${cost.monthlyEur.toFixed(2)} (Hetzner Cloud list prices, recorded ${HETZNER_PRICES_RECORDED_ON}; 2 not priced, below)`);
    expect(text).toContain('not priced: server hc-bridge-2 (cax21)');
  });

  it('a JITSI_EU_CHANNEL_CA file that cannot be read: a usage error naming the variable and the file', async () => {
    const missing = `${dir.path}/no-such-ca.pem`;
    await expect(status('ok', true, { ...fake.env, JITSI_EU_CHANNEL_CA: missing })).rejects.toThrow(UsageError);
    await expect(status('ok', true, { ...fake.env, JITSI_EU_CHANNEL_CA: missing })).rejects.toThrow(`JITSI_EU_CHANNEL_CA: cannot read ${missing} (ENOENT)`);
  });

  it('without HCLOUD_TOKEN: a usage error naming it', async () => {
    await expect(status('ok', true, {})).rejects.toThrow(UsageError);
    await expect(status('ok', true, {})).rejects.toThrow(/HCLOUD_TOKEN is not set/);
  });
});

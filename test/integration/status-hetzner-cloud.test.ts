// status for a stack on Hetzner Cloud, against the loopback fake of the Cloud API: the stack's
// servers (selected by both labels) with state, addresses, role, type, creation and expiry; a
// stopped bridge or a short pool is a problem; what cannot be read on this cloud is said.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
let fake: FakeHetzner;

beforeAll(async () => {
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
});

async function status(stack: string, json = true, env: Record<string, string> = fake.env) {
  let out = '';
  const deps: StatusDeps = {
    loadSpec: () => spec(stack),
    requireCredentials: async () => {
      throw new Error('AWS credentials are not asked on Hetzner');
    },
    openStack: () => {
      throw new Error('the AWS inventory must not be read for a Hetzner stack');
    },
    publicCertificate: async () => ({ notAfter: '2027-02-01T00:00:00.000Z', trusted: true }),
    now: () => NOW,
    out: (text) => (out += text),
    progress: () => {},
    env,
  };
  const code = await statusMain({ stack, json, timeoutMs: 5000 }, deps);
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
    expect(report!.notes.join(' ')).toMatch(/configuration revision .* not read: this cloud offers no channel/);
    expect(report!.sandbox).toEqual({ expiresAt: '2026-12-07T18:00:00.000Z', timeLeftMs: 30 * 3_600_000 });
    // Both labels were asked for: the half-labelled server is not the stack's.
    expect(fake.log.some((r) => new URLSearchParams(r.query).get('label_selector') === 'jitsi-eu/project=jitsi-eu,jitsi-eu/stack=hs')).toBe(true);
  });

  it('a healthy stack: exit 0, and the text says what is not read instead of failing', async () => {
    const { code, out } = await status('ok', false);
    expect(code).toBe(0);
    expect(out).toMatch(/Stack ok \(Hetzner Cloud fsn1, scalable\)/);
    expect(out).toMatch(/ok-signaling \(201\)/);
    expect(out).toMatch(/note: .*revision of each host are not read/);
    expect(out).toMatch(/✓ every server of the stack runs/);
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

  it('without HCLOUD_TOKEN: a usage error naming it', async () => {
    await expect(status('ok', true, {})).rejects.toThrow(UsageError);
    await expect(status('ok', true, {})).rejects.toThrow(/HCLOUD_TOKEN is not set/);
  });
});

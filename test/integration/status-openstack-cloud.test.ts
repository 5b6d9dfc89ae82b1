// status for a stack on OpenStack, against the loopback fake cloud: the stack's servers (Nova,
// selected by both tags) with state, fixed and floating addresses, role from metadata, flavor and
// expiry; a stopped bridge is a problem; what cannot be read on this cloud is said.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusDeps } from '../../scripts/status/deps.ts';
import { statusMain } from '../../scripts/status/main.ts';
import { channelTarget } from '../../scripts/lib/channel/stack.ts';
import type { CloudStatusReport } from '../../scripts/status/cloud-report.ts';
import { FAKE_OS_USER, startFakeOpenstack, type FakeOpenstack } from '../helpers/fake-openstack-api.ts';
import { makeSpec } from '../helpers/spec.ts';
import { tempDir } from '../helpers/tools.ts';

const NOW = new Date('2026-12-06T12:00:00Z');
const tags = (stack: string) => ['jitsi-eu:project=jitsi-eu', `jitsi-eu:stack=${stack}`, 'jitsi-eu:expires-at=2026-12-07T18:00:00.000Z'];
const spec = (stack: string) =>
  makeSpec({
    stack,
    cloud: 'openstack',
    region: 'RegionOne',
    regionLabel: 'Gravelines, France',
    country: 'FR',
    openstackCloud: 'fake',
    externalNetwork: 'Ext-Net',
    topology: 'scalable',
    instanceType: 'b2-15',
    bridges: { min: 1, max: 1, instanceType: 'c2-15' },
  });
const dir = tempDir();
let fake: FakeOpenstack;

beforeAll(async () => {
  fake = await startFakeOpenstack(
    {
      servers: [
        {
          id: 'a1',
          name: 'os-status-signaling',
          tags: tags('os-status'),
          metadata: { 'jitsi-eu:role': 'signaling', 'jitsi-eu:public-ipv4': '198.51.100.30' },
          addresses: { 'os-status-network': [{ addr: '10.0.0.10', type: 'fixed' }, { addr: '198.51.100.30', type: 'floating' }] },
          created: '2026-12-06T10:00:00Z',
        },
        { id: 'a2', name: 'os-status-bridge-0', tags: tags('os-status'), metadata: { 'jitsi-eu:role': 'bridge' }, status: 'SHUTOFF', flavor: 'c2-15', addresses: { 'os-status-network': [{ addr: '10.0.0.11', type: 'fixed' }] } },
        { id: 'a3', name: 'os-status-handmade', tags: ['jitsi-eu:stack=os-status'], metadata: { 'jitsi-eu:role': 'bridge' } },
        { id: 'a4', name: 'os-status-signaling', tags: tags('os-status'), metadata: { 'jitsi-eu:role': 'signaling' }, region: 'RegionTwo' },
        {
          id: 'c1',
          name: 'os-cost-signaling',
          tags: tags('os-cost'),
          metadata: { 'jitsi-eu:role': 'signaling' },
          flavor: 'b2-15',
          volumes: ['vol-9'],
          addresses: { 'os-cost-network': [{ addr: '10.0.0.10', type: 'fixed' }, { addr: '198.51.100.40', type: 'floating' }] },
        },
      ],
      ports: [{ id: 'port-c1', tags: tags('os-cost'), network: 'net-c', ip: '10.0.0.10', deviceId: 'c1', deviceOwner: 'compute:nova' }],
      floatingips: [
        { id: 'fip-c1', name: '', tags: tags('os-cost'), address: '198.51.100.40', port: 'port-c1' },
        { id: 'fip-spare', name: '', tags: tags('os-cost'), address: '198.51.100.41' },
        { id: 'fip-other', name: '', tags: tags('os-status'), address: '198.51.100.42' },
        { id: 'fip-elsewhere', name: '', tags: tags('os-cost'), address: '198.51.100.43', region: 'RegionTwo' },
      ],
    },
    { pageSize: 1 },
  );
  writeFileSync(join(dir.path, 'clouds.yaml'), fake.cloudsYaml('fake'));
});

afterAll(async () => {
  await fake?.stop();
  dir.remove();
});

async function status(stack: string, env: Record<string, string>) {
  let out = '';
  const deps: StatusDeps = {
    loadSpec: () => spec(stack),
    requireCredentials: async () => {
      throw new Error('AWS credentials are not asked on OpenStack');
    },
    openStack: () => {
      throw new Error('the AWS inventory must not be read for an OpenStack stack');
    },
    // Deployed before the channel: its outputs have none.
    openChannel: async (s) => {
      channelTarget({}, s);
      throw new Error('channelTarget accepts outputs without a channel');
    },
    publicCertificate: async () => ({ notAfter: '2027-02-01T00:00:00.000Z', trusted: true }),
    now: () => NOW,
    out: (text) => (out += text),
    progress: () => {},
    env,
  };
  const code = await statusMain({ stack, json: true, timeoutMs: 5000 }, deps);
  return { code, out, report: JSON.parse(out) as CloudStatusReport };
}

describe('status on OpenStack', () => {
  it('lists the stack\'s servers in its region from Nova, across pages, and judges a stopped bridge', async () => {
    const { code, report, out } = await status('os-status', { OS_CLIENT_CONFIG_FILE: join(dir.path, 'clouds.yaml') });
    expect(code).toBe(1);
    expect(report.region).toBe('RegionOne');
    expect(report.servers.map((s) => [s.id, s.role, s.state, s.running, s.publicIpv4 ?? null, s.privateIps, s.serverType])).toEqual([
      ['a1', 'signaling', 'ACTIVE', true, '198.51.100.30', ['10.0.0.10'], 'b2-15'],
      ['a2', 'bridge', 'SHUTOFF', false, null, ['10.0.0.11'], 'c2-15'],
    ]);
    expect(report.servers[0]).toMatchObject({ created: '2026-12-06T10:00:00.000Z', expiresAt: '2026-12-07T18:00:00.000Z', location: 'nova' });
    expect(report.problems.map((p) => p.message)).toEqual([
      'bridge os-status-bridge-0 is SHUTOFF',
      '0 bridge servers run; the stack has a pool of 1',
      'signaling os-status-signaling did not answer: stack os-status has no operator channel yet (its outputs lack channelUrl and channelPrivateKey): it was deployed before jitsi-eu had one. Run npm run deploy -- --stack os-status once: it adds the channel (the signaling node is replaced once, ending meetings on it).',
    ]);
    expect(report.signalingNode).toMatchObject({ id: 'a1', answer: 'failed', packages: [] });
    expect(report.notes.join(' ')).toMatch(/the bridges have no channel/);
    expect(fake.log.some((r) => r.path === '/RegionOne/compute/v2.1/servers/detail' && new URLSearchParams(r.query).get('tags') === 'jitsi-eu:project=jitsi-eu,jitsi-eu:stack=os-status')).toBe(true);
    expect(out).not.toContain(FAKE_OS_USER.password);
    for (const token of fake.tokens) expect(out).not.toContain(token);
  });

  it('on a cloud without a price list: every server, floating IP and volume the stack has is named as not priced, nothing guessed', async () => {
    const { report } = await status('os-cost', { OS_CLIENT_CONFIG_FILE: join(dir.path, 'clouds.yaml') });
    expect(report.cost).toMatchObject({ priceList: 'no price list for the OpenStack cloud of region RegionOne', pricesRecordedOn: 'never', sources: [], monthlyEur: 0, soFarEur: 0, lines: [] });
    expect(report.cost.unpriced).toEqual([
      'server os-cost-signaling (b2-15): price jitsi-eu has no price list for region RegionOne',
      'volume vol-9 attached to os-cost-signaling: volumes are not in the price tables (jitsi-eu creates none)',
      'floating IP 198.51.100.40: price jitsi-eu has no price list for region RegionOne',
      'floating IP 198.51.100.41: price jitsi-eu has no price list for region RegionOne',
    ]);
    expect(fake.log.some((r) => r.path === '/RegionOne/network/v2.0/floatingips' && new URLSearchParams(r.query).get('tags') === 'jitsi-eu:project=jitsi-eu,jitsi-eu:stack=os-cost')).toBe(true);
  });

  it('without the clouds.yaml entry the stack names: a usage error naming it', async () => {
    await expect(status('os-status', { OS_CLIENT_CONFIG_FILE: join(dir.path, 'missing.yaml'), HOME: dir.path })).rejects.toThrow(/no clouds.yaml entry "fake"/);
  });
});

// The orphan check and --purge on Hetzner Cloud, against a fake of the Hetzner Cloud API on
// loopback (real HTTP, the documented response shapes, label selectors and pagination). The fake
// holds a stack's servers, firewall, primary IPs and network, plus decoys: another stack's
// resources, a server with the stack label but not the project label, and an unlabelled server
// with a similar name. Only the stack's own are removed, in an order the provider accepts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teardownMain, type TeardownDeps, type TeardownReport } from '../../scripts/teardown/main.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import { startFakeHetzner, type FakeHetzner } from '../helpers/fake-hetzner-api.ts';
import { runNpmScriptAsync } from '../helpers/npm-run.ts';
import { MemoryWorkspace } from '../fixtures/fake-pulumi/memory-workspace.ts';

const TOKEN = 'hcloud-secret-Zq81xY20aa93';
const own = (stack: string) => ({ 'jitsi-eu/project': 'jitsi-eu', 'jitsi-eu/stack': stack });
let fake: FakeHetzner;

beforeAll(async () => {
  fake = await startFakeHetzner(
    {
      zones: [
        {
          id: 7,
          name: 'example.org',
          rrsets: [
            { name: 'meet', type: 'A', values: ['203.0.113.11'] },
            { name: '_jitsi-eu.meet', type: 'TXT', values: ['"jitsi-eu:stack=hz-one"'] },
            { name: 'meet', type: 'MX', values: ['10 mail.example.org.'] },
            { name: 'other', type: 'A', values: ['203.0.113.77'] },
            { name: '@', type: 'SOA', values: ['hydrogen.ns.hetzner.com. dns.hetzner.com. 1 86400 10800 3600000 3600'] },
          ],
        },
      ],
      servers: [
        { id: 11, name: 'hz-one-signaling', labels: { ...own('hz-one'), 'jitsi-eu/role': 'signaling' }, ipv4: '203.0.113.11', network: 21, privateIp: '10.0.0.10' },
        { id: 12, name: 'hz-one-bridge-0', labels: { ...own('hz-one'), 'jitsi-eu/role': 'bridge' }, ipv4: '203.0.113.12', network: 21 },
        { id: 13, name: 'hz-two-signaling', labels: own('hz-two'), ipv4: '203.0.113.13', network: 22 },
        // The stack's label without the project's: listed, never removed.
        { id: 14, name: 'hz-one-handmade', labels: { 'jitsi-eu/stack': 'hz-one' } },
        // Unlabelled, with a name like the stack's: not the stack's at all.
        { id: 15, name: 'hz-one-signaling-copy', labels: {} },
        // What a failed destroy of stack hz-full left behind.
        { id: 16, name: 'hz-full-bridge-3', labels: own('hz-full') },
      ],
      firewalls: [
        { id: 31, name: 'hz-one-firewall', labels: own('hz-one'), servers: [11], selector: 'jitsi-eu/stack=hz-one,jitsi-eu/role=bridge' },
        { id: 32, name: 'hz-two-firewall', labels: own('hz-two'), servers: [13] },
      ],
      networks: [
        { id: 21, name: 'hz-one-network', labels: own('hz-one') },
        { id: 22, name: 'hz-two-network', labels: own('hz-two') },
      ],
      primaryIps: [
        { id: 41, name: 'hz-one-signaling-ipv4', labels: own('hz-one'), ip: '203.0.113.11', assignee: 11 },
        { id: 42, name: 'hz-one-bridge-0-ipv4', labels: own('hz-one'), ip: '203.0.113.12', assignee: 12, autoDelete: true },
        { id: 43, name: 'hz-two-signaling-ipv4', labels: own('hz-two'), ip: '203.0.113.13', assignee: 13 },
      ],
    },
    { token: TOKEN, maxPerPage: 2 },
  );
});

afterAll(async () => {
  await fake?.stop();
});

function deps(env: Record<string, string> = fake.env, answer = true, workspace?: MemoryWorkspace) {
  const stdout: string[] = [];
  const said: string[] = [];
  const d: TeardownDeps & { stdout: string[]; said: string[] } = {
    stdout,
    said,
    openWorkspace: async () => {
      if (workspace) return workspace;
      throw new Error('the orphan check never opens the Pulumi workspace');
    },
    requireCredentials: async () => {
      throw new Error('AWS credentials are not asked on Hetzner');
    },
    findOrphans: async () => {
      throw new Error('the AWS orphan check must not run for a Hetzner stack');
    },
    purge: async () => {
      throw new Error('the AWS purge must not run for a Hetzner stack');
    },
    readStackConfig: (stack) => workspace?.files.get(stack)?.config ?? (stack === 'hz-one' ? { 'jitsi-eu:cloud': 'hetzner', 'jitsi-eu:location': 'fsn1', 'jitsi-eu:domain': 'meet.example.org' } : undefined),
    confirm: async (question) => (said.push(question), answer),
    env,
    out: (t) => stdout.push(t),
    progress: (m) => said.push(m),
    onOutput: () => {},
  };
  return d;
}

async function teardown(args: string[], d = deps()): Promise<{ code: number; report: TeardownReport; said: string[] }> {
  const code = await teardownMain([...args, '--json'], d);
  return { code, report: JSON.parse(d.stdout.join('')) as TeardownReport, said: d.said };
}

const names = (list: readonly { resourceId: string }[]) => list.map((o) => o.resourceId).sort();
/** DELETE calls since the `from`th request. */
const deletes = (from = 0) => fake.log.slice(from).filter((r) => r.method === 'DELETE').map((r) => r.path);

describe('teardown --orphans on Hetzner Cloud', () => {
  it('lists what carries the stack label, reading every page, and marks only what also has the project label purgeable', async () => {
    const before = fake.log.length;
    const { code, report } = await teardown(['--stack', 'hz-one', '--orphans']);
    expect(code).toBe(1);
    expect(report.cloud).toBe('hetzner');
    expect(names(report.orphans)).toEqual([
      '_jitsi-eu.meet.example.org TXT',
      'hz-one-bridge-0',
      'hz-one-bridge-0-ipv4',
      'hz-one-firewall',
      'hz-one-handmade',
      'hz-one-network',
      'hz-one-signaling',
      'hz-one-signaling-ipv4',
      'meet.example.org A',
      'meet.example.org MX',
    ]);
    // DNS records carry no labels jitsi-eu trusts: the A record has the ownership proof, the MX is the operator's.
    expect(report.orphans.find((o) => o.resourceId === 'meet.example.org MX')).toMatchObject({ purgeable: false });
    const handmade = report.orphans.find((o) => o.resourceId === 'hz-one-handmade')!;
    expect(handmade).toMatchObject({ kind: 'hcloud:server', purgeable: false });
    expect(handmade.note).toMatch(/lacks jitsi-eu\/project=jitsi-eu/);
    expect(report.orphans.filter((o) => o.purgeable)).toHaveLength(8);
    const reads = fake.log.slice(before).filter((r) => !r.path.startsWith('/v1/zones'));
    expect(reads.every((r) => r.method === 'GET')).toBe(true);
    // Two servers per page in this fake: the second page was asked for.
    expect(reads.some((r) => r.path === '/v1/servers' && r.query.includes('page=2'))).toBe(true);
    expect(reads.every((r) => new URLSearchParams(r.query).get('label_selector') === 'jitsi-eu/stack=hz-one')).toBe(true);
  });

  it('--cloud hetzner finds the stack when its stack file is gone, and the hint names the cloud', async () => {
    const d = deps();
    expect(await teardownMain(['--stack', 'hz-two', '--orphans', '--cloud', 'hetzner'], d)).toBe(1);
    const text = d.stdout.join('');
    expect(text).toMatch(/hz-two-signaling/);
    expect(text).toMatch(/npm run teardown -- --stack hz-two --orphans --purge --cloud hetzner/);
    expect(text).not.toMatch(/hz-one/);
    await expect(teardownMain(['--stack', 'hz-two', '--orphans', '--cloud', 'azure'], deps())).rejects.toThrow(/--cloud: azure is not a cloud jitsi-eu knows: use aws, hetzner, openstack/);
    await expect(teardownMain(['--stack', 'hz-one', '--orphans', '--cloud', 'aws'], deps())).rejects.toThrow(/--cloud aws differs from jitsi-eu:cloud hetzner/);
  });

  it('retries when the API throttles (429)', async () => {
    fake.throttleNext(2);
    const { report } = await teardown(['--stack', 'hz-two', '--orphans', '--cloud', 'hetzner']);
    expect(names(report.orphans)).toEqual(['hz-two-firewall', 'hz-two-network', 'hz-two-signaling', 'hz-two-signaling-ipv4']);
    expect(fake.log.filter((r) => r.status === 429)).toHaveLength(2);
  });

  it('refuses --purge without confirmation and changes nothing', async () => {
    await expect(teardownMain(['--stack', 'hz-one', '--orphans', '--purge'], deps(fake.env, false))).rejects.toThrow(/not confirmed: nothing was removed/);
    expect(deletes()).toEqual([]);
  });
});

describe('teardown --orphans --purge on Hetzner Cloud', () => {
  it('the fake refuses what Hetzner refuses: an applied firewall, an assigned primary IP', async () => {
    const headers = { Authorization: `Bearer ${TOKEN}` };
    const firewall = await fetch(`${fake.env.HCLOUD_ENDPOINT}/firewalls/31`, { method: 'DELETE', headers });
    expect(firewall.status).toBe(422);
    expect(((await firewall.json()) as { error: { code: string } }).error.code).toBe('resource_in_use');
    const address = await fetch(`${fake.env.HCLOUD_ENDPOINT}/primary_ips/41`, { method: 'DELETE', headers });
    expect(((await address.json()) as { error: { code: string } }).error.code).toBe('must_be_unassigned');
    expect(fake.ids('firewalls')).toContain(31);
  });

  it('removes exactly the stack\'s resources, servers first, the firewall after taking it off, and leaves the decoys', async () => {
    const start = fake.log.length;
    const { code, report, said } = await teardown(['--stack', 'hz-one', '--orphans', '--purge', '--yes']);
    // The half-labelled server stays, listed for a look by hand.
    expect(code).toBe(1);
    expect(names(report.remaining)).toEqual(['hz-one-handmade', 'meet.example.org MX']);
    expect(report.purged!.every((p) => p.removed)).toBe(true);
    // The auto-deleted primary IP went with its server: counted as already gone.
    expect(report.purged!.find((p) => p.resourceId === 'hz-one-bridge-0-ipv4')).toMatchObject({ removed: true, alreadyGone: true });
    expect(deletes(start)).toEqual([
      '/v1/servers/11',
      '/v1/servers/12',
      '/v1/firewalls/31',
      '/v1/primary_ips/41',
      '/v1/primary_ips/42',
      '/v1/networks/21',
      // The site's record first, the ownership record that proves it last.
      '/v1/zones/7/rrsets/meet/A',
      '/v1/zones/7/rrsets/_jitsi-eu.meet/TXT',
    ]);
    expect(fake.rrsets('example.org')).toEqual(['@/SOA', 'meet/MX', 'other/A']);
    const log = fake.log.slice(start);
    const removeFrom = log.findIndex((r) => r.path === '/v1/firewalls/31/actions/remove_from_resources');
    expect(removeFrom).toBeGreaterThan(-1);
    expect(removeFrom).toBeLessThan(log.findIndex((r) => r.method === 'DELETE' && r.path === '/v1/firewalls/31'));
    // No deletion was refused: the order was right the first time.
    expect(log.filter((r) => r.status >= 400 && r.status !== 404)).toEqual([]);
    expect(said.some((m) => /waiting for server/.test(m))).toBe(true);
    expect(fake.ids('servers')).toEqual([13, 14, 15, 16]);
    expect(fake.ids('firewalls')).toEqual([32]);
    expect(fake.ids('networks')).toEqual([22]);
    expect(fake.ids('primary_ips')).toEqual([43]);
  });

  it('a purge of a stack with nothing half-labelled succeeds, and a second purge finds nothing and succeeds', async () => {
    const first = await teardown(['--stack', 'hz-two', '--orphans', '--purge', '--yes', '--cloud', 'hetzner']);
    expect(first.code).toBe(0);
    expect(first.report.remaining).toEqual([]);
    expect(fake.ids('servers')).toEqual([14, 15, 16]);
    const start = fake.log.length;
    const second = await teardown(['--stack', 'hz-two', '--orphans', '--purge', '--yes', '--cloud', 'hetzner']);
    expect(second.code).toBe(0);
    expect(second.report.orphans).toEqual([]);
    expect(second.report.purged).toBeUndefined();
    expect(deletes(start)).toEqual([]);
  });
});

describe('teardown of a Hetzner stack: pulumi destroy, then the orphan check', () => {
  const config = { 'jitsi-eu:cloud': 'hetzner', 'jitsi-eu:location': 'nbg1', 'jitsi-eu:domain': 'full.example.org' };

  it('checks HCLOUD_TOKEN before destroying anything', async () => {
    const ws = new MemoryWorkspace();
    ws.seed('hz-full', config, { resources: 9 });
    await expect(teardownMain(['--stack', 'hz-full', '--yes'], deps({}, true, ws))).rejects.toThrow(/HCLOUD_TOKEN is not set/);
    expect(ws.opsFor('hz-full')).toEqual([]);
  });

  it('destroys and removes the stack, then lists what still carries its labels (exit 1), with no AWS step', async () => {
    const ws = new MemoryWorkspace();
    ws.seed('hz-full', config, { resources: 9 });
    const { code, report } = await teardown(['--stack', 'hz-full', '--yes'], deps(fake.env, true, ws));
    expect(code).toBe(1);
    expect(ws.opsFor('hz-full')).toEqual(['destroy', 'removeStack']);
    expect(report.region).toBe('nbg1');
    expect(report.accountsRemoved).toBeUndefined();
    expect(names(report.orphans)).toEqual(['hz-full-bridge-3']);
  });
});

describe('teardown on Hetzner Cloud from the command line', () => {
  it('without HCLOUD_TOKEN: exit 2 naming HCLOUD_TOKEN, and no request made', async () => {
    const before = fake.log.length;
    const run = await runNpmScriptAsync('teardown', ['--stack', 'hz-gone', '--orphans', '--cloud', 'hetzner'], { HCLOUD_ENDPOINT: fake.env.HCLOUD_ENDPOINT! });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/HCLOUD_TOKEN is not set/);
    expect(fake.log.length).toBe(before);
  });

  it('a wrong token: exit 2 saying Hetzner refused it, without printing it', async () => {
    const run = await runNpmScriptAsync('teardown', ['--stack', 'hz-gone', '--orphans', '--cloud', 'hetzner'], { ...fake.env, HCLOUD_TOKEN: 'wrong-token-Kq77' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/refused HCLOUD_TOKEN \(401/);
    expect(`${run.stdout}${run.stderr}`).not.toContain('wrong-token-Kq77');
  });

  it('lists and purges through npm run, never printing the token', async () => {
    const listed = await runNpmScriptAsync('teardown', ['--stack', 'hz-one', '--orphans', '--cloud', 'hetzner'], fake.env);
    expect(listed.code).toBe(1);
    expect(listed.stdout).toMatch(/hz-one-handmade/);
    const refused = await runNpmScriptAsync('teardown', ['--stack', 'hz-one', '--orphans', '--purge', '--cloud', 'hetzner'], fake.env);
    // Nothing purgeable is left, so nothing is asked; the half-labelled server is reported.
    expect(refused.code).toBe(1);
    for (const run of [listed, refused]) expect(`${run.stdout}${run.stderr}`).not.toContain(TOKEN);
  });
});

// The Hetzner Cloud stack under mocks, for both topologies, with and without IPv6 and a DNS zone:
// which resources it registers, where, with which firewall rules, labels and user data, what it
// outputs, and that it refuses Hetzner's locations outside the EU.
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type RecordedResource, isSecretValue } from '../../scripts/plan/record.ts';
import { policyInputs } from '../../scripts/plan/run.ts';
import { runPolicies } from '../../infra/policy/offline.ts';
import { specFromConfig } from '../../infra/spec/index.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { configurationRecord, roleArchive } from '../../infra/render/delivery.ts';
import { ADMIN_PORTS, TURN_RELAY_PORTS } from '../../infra/ports.ts';
import { hourlyCostEur } from '../../infra/cost/model.ts';
import { findLiteralSecrets } from '../../infra/policy/user-data-scan.ts';
import { type HetznerRole, hetznerLabels, hetznerStackSelector } from '../../infra/hetzner/labels.ts';
import { hetznerUserData } from '../../infra/hetzner/user-data.ts';
import { nameInZone } from '../../infra/hetzner/dns.ts';
import { hetznerName } from '../../infra/hetzner/layout.ts';
import { HETZNER_IPV6_ADDRESS, HETZNER_SIGNALING_IPV4, type HetznerRun, runHetznerProgram } from '../helpers/hetzner-mocks.ts';
import { channelKeyLineOf } from '../helpers/channel-key.ts';


const T = {
  server: 'hcloud:index/server:Server',
  network: 'hcloud:index/network:Network',
  subnet: 'hcloud:index/networkSubnet:NetworkSubnet',
  firewall: 'hcloud:index/firewall:Firewall',
  primaryIp: 'hcloud:index/primaryIp:PrimaryIp',
  rrset: 'hcloud:index/zoneRrset:ZoneRrset',
  channelKey: 'tls:index/privateKey:PrivateKey',
} as const;
const WORLD = '0.0.0.0/0';
const WORLD6 = '::/0';

interface Variant {
  name: string;
  topology: 'single' | 'scalable';
  location: string;
  ipv6: boolean;
  dnsZone: boolean;
  turn: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'single', topology: 'single', location: 'fsn1', ipv6: false, dnsZone: false, turn: true },
  { name: 'single-dual-stack-dns', topology: 'single', location: 'hel1', ipv6: true, dnsZone: true, turn: true },
  { name: 'scalable', topology: 'scalable', location: 'nbg1', ipv6: false, dnsZone: false, turn: false },
  { name: 'scalable-dual-stack-dns', topology: 'scalable', location: 'fsn1', ipv6: true, dnsZone: true, turn: true },
];

function configFor(v: Variant): Record<string, string> {
  return {
    'jitsi-eu:cloud': 'hetzner',
    'jitsi-eu:location': v.location,
    'jitsi-eu:domain': `${v.name}.meet.example.org`,
    'jitsi-eu:acmeEmail': 'ops@example.org',
    'jitsi-eu:organization': 'Example University',
    'jitsi-eu:privacyContact': 'dpo@example.org',
    'jitsi-eu:owner': 'lecturer@example.org',
    'jitsi-eu:expiresAt': '2030-01-01T00:00:00Z',
    'jitsi-eu:auth': 'secure',
    'jitsi-eu:topology': v.topology,
    'jitsi-eu:ipv6': String(v.ipv6),
    'jitsi-eu:turn': String(v.turn),
    ...(v.dnsZone ? { 'jitsi-eu:dnsZone': 'meet.example.org' } : {}),
    ...(v.topology === 'scalable' ? { 'jitsi-eu:bridges': JSON.stringify({ min: 3, max: 3, instanceType: 'ccx33' }) } : {}),
  };
}

interface Run extends HetznerRun {
  variant: Variant;
  spec: DeploymentSpec;
}
const runs = new Map<string, Run>();

beforeAll(async () => {
  for (const variant of VARIANTS) {
    const config = configFor(variant);
    const result = specFromConfig(config, { stack: variant.name });
    if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.problems)}`);
    const run = await runHetznerProgram({ stack: variant.name, config, zones: { 'meet.example.org': 'primary' } });
    if (run.error) throw run.error;
    runs.set(variant.name, { ...run, variant, spec: result.spec });
  }
});

const runOf = (name: string) => runs.get(name)!;
const all = (r: Run, type: string) => r.recording.resources.filter((x) => x.type === type);
function one(r: Run, type: string, name: string): RecordedResource {
  const found = all(r, type).filter((x) => x.name === name);
  expect(found, `${type} ${name}`).toHaveLength(1);
  return found[0]!;
}
const obj = (v: unknown) => v as Record<string, unknown>;
const list = (v: unknown) => v as Record<string, unknown>[];
const signalingServer = (r: Run) => one(r, T.server, 'signaling-server');
const bridgeServers = (r: Run) => all(r, T.server).filter((s) => s.name.startsWith('bridges-'));

function rules(firewall: RecordedResource) {
  return list(firewall.inputs.rules)
    .map((rule) => `${String(rule.direction)} ${String(rule.protocol)} ${String(rule.port)} from ${(rule.sourceIps as string[]).join(' ')}`)
    .sort();
}

describe.each(VARIANTS)('$name', (variant) => {
  it('registers only Hetzner resources, in jitsi-eu:hetzner components, with the counts of its topology', () => {
    const r = runOf(variant.name);
    const bridges = variant.topology === 'scalable' ? 3 : 0;
    const count = (type: string) => all(r, type).length;
    expect(count(T.network)).toBe(1);
    expect(count(T.subnet)).toBe(1);
    expect(count(T.firewall)).toBe(bridges ? 2 : 1);
    expect(count(T.primaryIp)).toBe(variant.ipv6 ? 2 : 1);
    expect(count(T.server)).toBe(1 + bridges);
    expect(count(T.rrset)).toBe(variant.dnsZone ? (variant.ipv6 ? 3 : 2) : 0);
    const custom = r.recording.resources.filter((x) => x.custom && !x.type.startsWith('pulumi:providers:'));
    expect(count(T.channelKey)).toBe(1);
    expect(custom.length).toBe(Object.values(T).reduce((sum, type) => sum + count(type), 0));
    // No parameter store, no generated password: the one secret Pulumi makes is the channel key,
    // which lives in the stack's state only (nothing at Hetzner).
    expect(r.recording.resources.filter((x) => !x.type.startsWith('hcloud:') && x.custom && !x.type.startsWith('pulumi:providers:')).map((x) => x.type)).toEqual([T.channelKey]);
    expect(r.recording.resources.some((x) => x.type.startsWith('random:') || x.type.startsWith('aws:'))).toBe(false);
    const components = r.recording.resources.filter((x) => !x.custom).map((x) => x.type).sort();
    expect(components).toEqual(['jitsi-eu:channel:ChannelKey', 'jitsi-eu:hetzner:Dns', 'jitsi-eu:hetzner:Network', 'jitsi-eu:hetzner:SignalingNode', ...(bridges ? ['jitsi-eu:hetzner:BridgePool'] : [])].sort());
    expect(signalingServer(r).urn).toContain('jitsi-eu:hetzner:SignalingNode$hcloud:index/server:Server');
    for (const bridge of bridgeServers(r)) expect(bridge.urn).toContain('jitsi-eu:hetzner:BridgePool$hcloud:index/server:Server');
  });

  it('places every server and address in the configured EU location, on the EU network zone', () => {
    const r = runOf(variant.name);
    for (const resource of [...all(r, T.server), ...all(r, T.primaryIp)]) expect(resource.inputs.location, resource.name).toBe(variant.location);
    for (const server of all(r, T.server)) expect(server.inputs.datacenter).toBeUndefined();
    const subnet = one(r, T.subnet, 'network-hosts');
    expect(subnet.inputs).toMatchObject({ networkZone: 'eu-central', ipRange: '10.0.0.0/24', type: 'cloud' });
    expect(Number(subnet.inputs.networkId)).toBe(Number(one(r, T.network, 'network-private').id));
    expect(one(r, T.network, 'network-private').inputs.ipRange).toBe('10.0.0.0/16');
  });

  it("opens exactly Jitsi's public ports, no SSH and no admin port", () => {
    const r = runOf(variant.name);
    const from = variant.ipv6 ? `${WORLD} ${WORLD6}` : WORLD;
    const expected = [`in tcp 443 from ${from}`, `in tcp 80 from ${from}`];
    if (variant.topology === 'single') expected.push(`in udp 10000 from ${from}`);
    if (variant.turn) {
      expected.push(`in udp 3478 from ${from}`, `in tcp 3478 from ${from}`, `in tcp 5349 from ${from}`, `in udp ${TURN_RELAY_PORTS.min}-${TURN_RELAY_PORTS.max} from ${from}`);
    }
    const signalingFirewall = one(r, T.firewall, 'network-signaling');
    expect(rules(signalingFirewall)).toEqual(expected.sort());
    if (variant.topology === 'scalable') expect(rules(one(r, T.firewall, 'network-bridges'))).toEqual([`in udp 10000 from ${from}`]);
    for (const firewall of all(r, T.firewall)) {
      for (const rule of list(firewall.inputs.rules)) {
        expect(rule.direction).toBe('in');
        expect(['tcp', 'udp']).toContain(rule.protocol);
        const [low, high = low] = String(rule.port).split('-').map(Number);
        const covered = ADMIN_PORTS.filter((port) => low! <= port && port <= high!);
        expect(covered, `${firewall.name} ${String(rule.port)}`).toEqual([]);
      }
    }
    // Each server is behind its role's firewall and no other.
    expect(signalingServer(r).inputs.firewallIds).toEqual([Number(signalingFirewall.id)]);
    for (const bridge of bridgeServers(r)) expect(bridge.inputs.firewallIds).toEqual([Number(one(r, T.firewall, 'network-bridges').id)]);
  });

  it('builds the signaling node without SSH keys or backups, on its Primary IPs and the fixed private address', () => {
    const r = runOf(variant.name);
    const server = signalingServer(r);
    expect(server.inputs).toMatchObject({ serverType: 'ccx23', image: 'debian-12', backups: false, shutdownBeforeDeletion: true });
    expect(server.inputs.sshKeys ?? []).toEqual([]);
    const subnet = one(r, T.subnet, 'network-hosts');
    expect(server.inputs.networks).toEqual([{ subnetId: subnet.id, ip: '10.0.0.10', aliasIps: [] }]);
    const ipv4 = one(r, T.primaryIp, 'signaling-ipv4');
    expect(ipv4.inputs).toMatchObject({ type: 'ipv4', autoDelete: false, assigneeType: 'server' });
    const publicNet = list(server.inputs.publicNets);
    expect(publicNet).toHaveLength(1);
    expect(publicNet[0]).toMatchObject({ ipv4Enabled: true, ipv4: Number(ipv4.id), ipv6Enabled: variant.ipv6 });
    if (variant.ipv6) {
      const ipv6 = one(r, T.primaryIp, 'signaling-ipv6');
      expect(ipv6.inputs).toMatchObject({ type: 'ipv6', autoDelete: false });
      expect(publicNet[0]!.ipv6).toBe(Number(ipv6.id));
    } else {
      expect(publicNet[0]!.ipv6).toBeUndefined();
    }
    // The Primary IPs and the private address move to a replacement only once the old server is gone.
    expect(r.options.get(`${T.server}::signaling-server`)?.deleteBeforeReplace).toBe(true);
  });

  it('passes each server the user data of its role, which holds no secret', () => {
    const r = runOf(variant.name);
    const bundle = renderBundle(r.spec);
    const values = { signalingPrivateIp: '10.0.0.10' };
    // Only the signaling node gets the channel key.
    expect(signalingServer(r).inputs.userData).toBe(hetznerUserData(r.spec, bundle, 'signaling', { ...values, channelKey: channelKeyLineOf(r.recording) }));
    for (const bridge of bridgeServers(r)) expect(bridge.inputs.userData).toBe(hetznerUserData(r.spec, bundle, 'bridge', values));
    for (const server of all(r, T.server)) {
      const userData = server.inputs.userData;
      expect(typeof userData, 'user data is plain text, never a Pulumi secret').toBe('string');
      expect(findLiteralSecrets(userData as string), server.name).toEqual([]);
    }
    // No resource takes a secret: the hosts generate theirs (the channel key's private half is an output only).
    const secretInputs = (value: unknown): boolean =>
      isSecretValue(value) || (typeof value === 'object' && value !== null && Object.values(value).some(secretInputs));
    expect(r.recording.resources.filter((x) => secretInputs(x.inputs)).map((x) => x.name)).toEqual([]);
  });

  it('labels every resource teardown relies on with the project, the stack and its role', () => {
    const r = runOf(variant.name);
    const expectLabels = (resource: RecordedResource, role?: HetznerRole) => expect(resource.inputs.labels, resource.name).toEqual(hetznerLabels(r.spec, role));
    expectLabels(one(r, T.network, 'network-private'), 'network');
    for (const firewall of all(r, T.firewall)) expectLabels(firewall, 'firewall');
    for (const address of all(r, T.primaryIp)) expectLabels(address, 'address');
    expectLabels(signalingServer(r), 'signaling');
    for (const bridge of bridgeServers(r)) expectLabels(bridge, 'bridge');
    for (const record of all(r, T.rrset)) expectLabels(record);
    // The selector teardown lists a stack with matches every one of them.
    const selector = Object.fromEntries(hetznerStackSelector(variant.name).split(',').map((pair) => pair.split('=') as [string, string]));
    const labelled = r.recording.resources.filter((x) => x.inputs.labels !== undefined);
    // The channel key exists in the stack's state only: nothing at Hetzner to label.
    expect(labelled.length).toBe(r.recording.resources.filter((x) => x.custom && x.type !== T.subnet && x.type !== T.channelKey && !x.type.startsWith('pulumi:providers:')).length);
    for (const resource of labelled) expect(resource.inputs.labels, resource.name).toMatchObject(selector);
    expect(signalingServer(r).inputs.labels).toMatchObject({ 'jitsi-eu/owner': 'lecturer-at-example.org', 'jitsi-eu/expires-at': '20300101T000000Z' });
  });

  it('creates the DNS records in the Hetzner zone when one is configured, and says which to create otherwise', () => {
    const r = runOf(variant.name);
    const outputs = r.recording.outputs;
    const host = `${variant.name}.meet.example.org`;
    const expectedRecords = [
      { name: host, type: 'A', value: HETZNER_SIGNALING_IPV4, ttl: 300 },
      ...(variant.ipv6 ? [{ name: host, type: 'AAAA', value: HETZNER_IPV6_ADDRESS, ttl: 300 }] : []),
    ];
    expect(outputs.dnsRecords).toEqual(expectedRecords);
    expect(outputs.dnsManaged).toBe(variant.dnsZone);
    const lookups = r.recording.invokes.filter((i) => i.token === 'hcloud:index/getZone:getZone');
    if (!variant.dnsZone) {
      expect(lookups).toEqual([]);
      expect(all(r, T.rrset)).toEqual([]);
      return;
    }
    expect(lookups.map((l) => l.inputs.name)).toEqual(['meet.example.org']);
    const records = all(r, T.rrset).map((x) => ({ zone: x.inputs.zone, name: x.inputs.name, type: x.inputs.type, ttl: x.inputs.ttl, records: x.inputs.records }));
    expect(records).toEqual(expect.arrayContaining([
      { zone: 'meet.example.org', name: variant.name, type: 'A', ttl: 300, records: [{ value: HETZNER_SIGNALING_IPV4 }] },
      { zone: 'meet.example.org', name: `_jitsi-eu.${variant.name}`, type: 'TXT', ttl: 300, records: [{ value: `"jitsi-eu:stack=${variant.name}"` }] },
      ...(variant.ipv6 ? [{ zone: 'meet.example.org', name: variant.name, type: 'AAAA', ttl: 300, records: [{ value: HETZNER_IPV6_ADDRESS }] }] : []),
    ]));
    expect(records).toHaveLength(expectedRecords.length + 1);
  });

  it("outputs the Hetzner stack's ids, addresses, cost and configuration records", () => {
    const r = runOf(variant.name);
    const outputs = r.recording.outputs;
    expect(outputs).toMatchObject({
      cloud: 'hetzner',
      url: `https://${variant.name}.meet.example.org/`,
      publicIp: HETZNER_SIGNALING_IPV4,
      region: variant.location,
      signalingInstanceId: signalingServer(r).id,
      hourlyCostEur: hourlyCostEur(r.spec),
    });
    expect(outputs).not.toHaveProperty('ssmShellCommand');
    expect(outputs).not.toHaveProperty('bridgeAsgName');
    if (variant.topology === 'scalable') expect(outputs.bridgeServerIds).toEqual(bridgeServers(r).map((b) => b.id));
    else expect(outputs).not.toHaveProperty('bridgeServerIds');
    const bundle = renderBundle(r.spec);
    const roles = variant.topology === 'scalable' ? ['signaling', 'bridge'] as const : ['signaling'] as const;
    expect(Object.keys(outputs.configuration).sort()).toEqual([...roles].sort());
    for (const role of roles) {
      expect(outputs.configuration[role]).toEqual(configurationRecord(roleArchive(r.spec, bundle, role, { signalingPrivateIp: '10.0.0.10' })));
    }
  });

  it('passes every policy of the pack', () => {
    const r = runOf(variant.name);
    const results = runPolicies(policyInputs(r.recording.resources), { allowNonEuRegion: false });
    expect(results.filter((x) => x.status === 'fail').map((x) => ({ policy: x.policy, violations: x.violations.map((v) => `${v.name}: ${v.message}`) }))).toEqual([]);
  });
});

describe('the bridge pool', () => {
  const r = () => runOf('scalable-dual-stack-dns');

  it('is a fixed pool of bridges.min servers of the bridge type, each shut down before it is deleted', () => {
    const bridges = bridgeServers(r());
    expect(bridges).toHaveLength(3);
    expect(new Set(bridges.map((b) => b.inputs.name)).size).toBe(3);
    for (const bridge of bridges) {
      expect(bridge.inputs).toMatchObject({ serverType: 'ccx33', image: 'debian-12', backups: false, shutdownBeforeDeletion: true, publicNets: [{ ipv4Enabled: true, ipv6Enabled: true }] });
      expect(bridge.inputs.sshKeys ?? []).toEqual([]);
      // Hetzner picks each bridge's private address; only the signaling node's is fixed.
      expect(bridge.inputs.networks).toEqual([{ subnetId: one(r(), T.subnet, 'network-hosts').id, aliasIps: [] }]);
    }
    expect(bridgeServers(runOf('scalable')).every((b) => obj(list(b.inputs.publicNets)[0]).ipv6Enabled === false)).toBe(true);
  });

  it('boots after the signaling node and is replaced with it, under a new name per generation', () => {
    const signalingUrn = signalingServer(r()).urn;
    for (const bridge of bridgeServers(r())) {
      const key = `${T.server}::${bridge.name}`;
      expect(r().dependsOn.get(key)).toEqual([signalingUrn]);
      expect(r().replaceWith.get(key)).toEqual([signalingUrn]);
      expect(r().options.get(key)?.deleteBeforeReplace).toBeFalsy();
      expect(String(bridge.inputs.name)).toMatch(/^jitsi-eu-scalable-dual-stack-dns-bridge-[1-3]-[0-9a-f]{8}$/);
    }
  });

  it('gets new server names when the bridges would be replaced, so old and new can run side by side', async () => {
    const names = (run: HetznerRun) => bridgeServers(run as Run).map((b) => String(b.inputs.name)).sort();
    const config = configFor(VARIANTS[3]!);
    // A new Debian image makes new servers.
    const newImage = await runHetznerProgram({ stack: 'scalable-dual-stack-dns', config: { ...config, 'jitsi-eu:image': 'debian-13' }, zones: { 'meet.example.org': 'primary' } });
    if (newImage.error) throw newImage.error;
    const before = names(r());
    const after = names(newImage);
    expect(after).toHaveLength(3);
    for (const name of after) expect(before).not.toContain(name);
  });
});

describe('refusals', () => {
  it.each(['ash', 'hil', 'sin'])('refuses jitsi-eu:location %s before creating anything, naming why', async (location) => {
    const run = await runHetznerProgram({ stack: 'abroad', config: { ...configFor(VARIANTS[0]!), 'jitsi-eu:location': location } });
    expect(pulumi.RunError.isInstance(run.error)).toBe(true);
    const message = (run.error as Error).message;
    expect(message).toContain(`jitsi-eu:location: "${location}"`);
    expect(message).toMatch(/outside the EU/);
    expect(message).toMatch(location === 'sin' ? /Singapore/ : /United States/);
    expect(message).toContain('fsn1');
    expect(run.recording.resources.filter((x) => x.custom)).toEqual([]);
  });

  it('stops with the fix when the DNS zone is not in the project or cannot be changed through the API', async () => {
    const config = { ...configFor(VARIANTS[1]!) };
    const missing = await runHetznerProgram({ stack: 'nozone', config, zones: {} });
    expect(pulumi.RunError.isInstance(missing.error)).toBe(true);
    expect((missing.error as Error).message).toMatch(/jitsi-eu:dnsZone: the zone meet\.example\.org is not in this Hetzner Cloud project/);
    const secondary = await runHetznerProgram({ stack: 'secondary', config, zones: { 'meet.example.org': 'secondary' } });
    expect(pulumi.RunError.isInstance(secondary.error)).toBe(true);
    expect((secondary.error as Error).message).toMatch(/secondary zone .*remove jitsi-eu:dnsZone/);
    for (const run of [missing, secondary]) expect(run.recording.resources.filter((x) => x.custom)).toEqual([]);
  });
});

describe('record names inside a zone', () => {
  it('are relative to the zone, "@" at its apex', () => {
    expect(nameInZone('meet.example.org', 'example.org')).toBe('meet');
    expect(nameInZone('_jitsi-eu.meet.example.org', 'example.org')).toBe('_jitsi-eu.meet');
    expect(nameInZone('example.org', 'example.org')).toBe('@');
    expect(() => nameInZone('meet.example.com', 'example.org')).toThrow(/not inside the zone example.org/);
    expect(() => nameInZone('badexample.org', 'example.org')).toThrow();
  });
});

describe('resource names at Hetzner', () => {
  it('are host names: "_" and "." become "-", long stack names are cut to 63 characters and stay distinct', () => {
    expect(hetznerName({ stack: 'Team_A.prod' }, 'signaling')).toBe('jitsi-eu-team-a-prod-signaling');
    const long = (suffix: string) => hetznerName({ stack: `${'lecture-series-'.repeat(6)}${suffix}` }, 'bridge-1-0123abcd');
    for (const name of [long('a'), long('b')]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    }
    expect(long('a')).not.toBe(long('b'));
  });
});

// The OpenStack program under Pulumi's mocks, single and scalable: which resources it registers,
// in which region, the security group rules exactly, what servers carry in user data and
// metadata, the tags teardown selects by, the Designate records, and the stacks it refuses.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { RecordedResource, Recording } from '../../scripts/plan/record.ts';
import { providerUrn } from '../../scripts/plan/record.ts';
import { specFromConfig } from '../../infra/spec/index.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { ADMIN_PORTS } from '../../infra/ports.ts';
import { openstackUserData } from '../../infra/openstack/user-data.ts';
import { findLiteralSecrets } from '../../infra/policy/user-data-scan.ts';
import {
  MOCK_EXTERNAL_NETWORK_ID,
  MOCK_IPV6_POOL_ID,
  MOCK_ZONE_ID,
  OPENSTACK_CONFIG,
  OPENSTACK_SCALABLE,
  type OptionsSeen,
  mockIpv6For,
  recordOpenstackProgram,
  runOpenstackProgram,
} from '../helpers/openstack-mocks.ts';
import { channelKeyLineOf } from '../helpers/channel-key.ts';


const T = {
  provider: 'pulumi:providers:openstack',
  network: 'openstack:networking/network:Network',
  subnet: 'openstack:networking/subnet:Subnet',
  router: 'openstack:networking/router:Router',
  routerInterface: 'openstack:networking/routerInterface:RouterInterface',
  secGroup: 'openstack:networking/secGroup:SecGroup',
  rule: 'openstack:networking/secGroupRule:SecGroupRule',
  floatingIp: 'openstack:networking/floatingIp:FloatingIp',
  associate: 'openstack:networking/floatingIpAssociate:FloatingIpAssociate',
  port: 'openstack:networking/port:Port',
  instance: 'openstack:compute/instance:Instance',
  recordSet: 'openstack:dns/recordSet:RecordSet',
  channelKey: 'tls:index/privateKey:PrivateKey',
} as const;

const BASE: Record<string, string> = {
  ...OPENSTACK_CONFIG,
  'jitsi-eu:owner': 'ops@example.org',
  'jitsi-eu:expiresAt': '2030-01-01T00:00:00Z',
  'jitsi-eu:auth': 'secure',
};
const SCALABLE = OPENSTACK_SCALABLE;

interface Run {
  spec: DeploymentSpec;
  recording: Recording;
}

async function run(stack: string, config: Record<string, string>): Promise<Run> {
  const result = specFromConfig(config, { stack });
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.problems)}`);
  return { spec: result.spec, recording: await recordOpenstackProgram(stack, config) };
}

let single: Run;
let scalable: Run;
let dual: Run;
let withZone: Run;

beforeAll(async () => {
  single = await run('os-single', BASE);
  scalable = await run('os-scalable', { ...BASE, ...SCALABLE, 'openstack:cloud': 'ovh-gra' });
  dual = await run('os-dual', { ...BASE, ...SCALABLE, 'jitsi-eu:ipv6': 'true', 'jitsi-eu:dnsZone': 'example.org' });
  withZone = await run('os-zone', { ...BASE, 'jitsi-eu:dnsZone': 'example.org' });
}, 120_000);

const all = (r: Run, type: string) => r.recording.resources.filter((x) => x.type === type);
function one(r: Run, type: string, name: string): RecordedResource {
  const found = all(r, type).filter((x) => x.name === name);
  expect(found, `${type} ${name}`).toHaveLength(1);
  return found[0]!;
}
const counts = (r: Run) => {
  const out: Record<string, number> = {};
  for (const x of r.recording.resources) if (x.custom) out[x.type] = (out[x.type] ?? 0) + 1;
  return out;
};
const obj = (v: unknown) => v as Record<string, unknown>;

interface Rule {
  direction: string;
  ethertype: string;
  protocol?: string;
  min?: number;
  max?: number;
  remote: string;
}
/** The rules of one security group, found through the group's id. */
function rulesOf(r: Run, group: RecordedResource): Rule[] {
  return all(r, T.rule)
    .filter((x) => x.inputs.securityGroupId === group.id)
    .map(({ inputs: i }) => ({
      direction: String(i.direction),
      ethertype: String(i.ethertype),
      ...(i.protocol !== undefined ? { protocol: String(i.protocol) } : {}),
      ...(i.portRangeMin !== undefined ? { min: Number(i.portRangeMin), max: Number(i.portRangeMax) } : {}),
      remote: String(i.remoteIpPrefix),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
const sorted = (rules: Rule[]) => [...rules].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
const world = (protocol: string, min: number, max = min): Rule => ({ direction: 'ingress', ethertype: 'IPv4', protocol, min, max, remote: '0.0.0.0/0' });
const world6 = (protocol: string, min: number, max = min): Rule => ({ direction: 'ingress', ethertype: 'IPv6', protocol, min, max, remote: '::/0' });
const privateOnly = (min: number): Rule => ({ direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', min, max: min, remote: '10.0.0.0/24' });
const EGRESS: Rule = { direction: 'egress', ethertype: 'IPv4', remote: '0.0.0.0/0' };
const EGRESS6: Rule = { direction: 'egress', ethertype: 'IPv6', remote: '::/0' };
const TURN_RULES = [world('udp', 3478), world('tcp', 3478), world('tcp', 5349), world('udp', 49152, 49407)];

describe('resources', () => {
  it('single: one network routed to the external network, one security group, one server on a floating address', () => {
    expect(counts(single)).toEqual({
      [T.provider]: 1,
      [T.network]: 1,
      [T.subnet]: 1,
      [T.router]: 1,
      [T.routerInterface]: 1,
      [T.secGroup]: 1,
      [T.rule]: 8,
      [T.floatingIp]: 1,
      [T.port]: 1,
      [T.instance]: 1,
      [T.associate]: 1,
      [T.channelKey]: 1,
    });
  });

  it('scalable: the signaling node and a fixed pool of bridges.min servers, each on its own floating address', () => {
    expect(counts(scalable)).toMatchObject({ [T.secGroup]: 2, [T.floatingIp]: 3, [T.port]: 3, [T.instance]: 3, [T.associate]: 3 });
    expect(all(scalable, T.instance).map((x) => x.inputs.flavorName).sort()).toEqual(['b3-16', 'b3-32', 'b3-32']);
    const addresses = all(scalable, T.floatingIp).map((x) => x.id);
    expect(new Set(addresses).size).toBe(3);
  });

  it('every resource is managed by the one provider, pinned to the region (and the clouds.yaml entry when named)', () => {
    for (const r of [single, scalable]) {
      const provider = all(r, T.provider);
      expect(provider).toHaveLength(1);
      // The channel key is made by Pulumi itself (its default tls provider): nothing in the cloud.
      for (const x of r.recording.resources.filter((x) => x.custom && x.type !== T.provider && x.type !== T.channelKey)) {
        expect(providerUrn(x.provider ?? ''), `${x.type} ${x.name}`).toBe(provider[0]!.urn);
      }
      for (const invoke of r.recording.invokes) expect(providerUrn(invoke.provider ?? '')).toBe(provider[0]!.urn);
    }
    expect(all(single, T.provider)[0]!.inputs).toMatchObject({ region: 'GRA11' });
    expect(all(single, T.provider)[0]!.inputs.cloud).toBeUndefined();
    expect(all(scalable, T.provider)[0]!.inputs).toMatchObject({ region: 'GRA11', cloud: 'ovh-gra' });
  });

  it('the router takes the external network looked up by name; floating addresses come from it', () => {
    const lookup = single.recording.invokes.find((i) => i.token === 'openstack:networking/getNetwork:getNetwork');
    expect(lookup?.inputs).toMatchObject({ name: 'Ext-Net', external: true });
    expect(one(single, T.router, 'network-router').inputs.externalNetworkId).toBe(MOCK_EXTERNAL_NETWORK_ID);
    for (const fip of all(scalable, T.floatingIp)) expect(fip.inputs.pool).toBe('Ext-Net');
    const subnet = one(single, T.subnet, 'network-subnet');
    expect(subnet.inputs).toMatchObject({ cidr: '10.0.0.0/24', ipVersion: 4 });
    // DHCP never hands out the signaling node's fixed address.
    expect(subnet.inputs.allocationPools).toEqual([{ start: '10.0.0.100', end: '10.0.0.250' }]);
    expect(one(single, T.routerInterface, 'network-router-subnet').inputs).toMatchObject({ subnetId: subnet.id });
  });

  it('servers: flavor, the image by name, the config drive, a clean stop before deletion, no key pair', () => {
    for (const server of all(scalable, T.instance)) {
      expect(server.inputs).toMatchObject({ imageName: 'Debian 12', configDrive: true, stopBeforeDestroy: true });
      expect(server.inputs.keyPair).toBeUndefined();
      expect(server.inputs.adminPass).toBeUndefined();
      expect(server.inputs.networks).toEqual([{ port: expect.any(String) }]);
    }
    const port = one(single, T.port, 'signaling-port');
    expect(port.inputs.fixedIps).toEqual([{ subnetId: one(single, T.subnet, 'network-subnet').id, ipAddress: '10.0.0.10' }]);
    expect(one(single, T.instance, 'signaling-server').inputs.networks).toEqual([{ port: port.id }]);
  });

  it('a server is deleted before its replacement is made (its port takes one server at a time)', async () => {
    const seen: OptionsSeen = new Map();
    await runOpenstackProgram('os-options', { ...BASE, ...SCALABLE }, seen);
    for (const host of ['signaling', 'bridges-1', 'bridges-2']) {
      expect(seen.get(`${T.instance}::${host}-server`)?.deleteBeforeReplace, host).toBe(true);
    }
  });

  it('the floating address exists before its server, and ports wait for the router', () => {
    const events = scalable.recording.events;
    const at = (type: string, name: string) => events.indexOf(`create ${type} ${name}`);
    for (const host of ['signaling', 'bridges-1', 'bridges-2']) {
      expect(at(T.floatingIp, `${host}-fip`)).toBeGreaterThanOrEqual(0);
      expect(at(T.floatingIp, `${host}-fip`)).toBeLessThan(at(T.instance, `${host}-server`));
      expect(at(T.routerInterface, 'network-router-subnet')).toBeLessThan(at(T.port, `${host}-port`));
    }
  });
});

describe('security groups', () => {
  it('single: exactly Jitsi\'s ports from the Internet, nothing from the private subnet, default rules deleted', () => {
    const groups = all(single, T.secGroup);
    expect(groups.map((g) => g.inputs.deleteDefaultRules)).toEqual([true]);
    expect(rulesOf(single, groups[0]!)).toEqual(sorted([world('tcp', 443), world('tcp', 80), world('udp', 10000), ...TURN_RULES, EGRESS]));
  });

  it('scalable: no media on the signaling node; XMPP (5222) and the bridge share (8099) from the private subnet only', () => {
    const signaling = one(scalable, T.secGroup, 'network-signaling-sg');
    const bridge = one(scalable, T.secGroup, 'network-bridge-sg');
    expect(rulesOf(scalable, signaling)).toEqual(sorted([world('tcp', 443), world('tcp', 80), ...TURN_RULES, privateOnly(5222), privateOnly(8099), EGRESS]));
    expect(rulesOf(scalable, bridge)).toEqual(sorted([world('udp', 10000), EGRESS]));
    expect(bridge.inputs.deleteDefaultRules).toBe(true);
    for (const server of all(scalable, T.port)) {
      const group = server.name === 'signaling-port' ? signaling : bridge;
      expect(server.inputs.securityGroupIds, server.name).toEqual([group.id]);
    }
  });

  it('without TURN the TURN ports stay closed', async () => {
    const noTurn = await run('os-noturn', { ...BASE, 'jitsi-eu:turn': 'false' });
    expect(rulesOf(noTurn, all(noTurn, T.secGroup)[0]!)).toEqual(sorted([world('tcp', 443), world('tcp', 80), world('udp', 10000), EGRESS]));
  });

  it('no rule anywhere opens SSH or an admin port to the Internet', () => {
    for (const r of [single, scalable, dual]) {
      for (const rule of all(r, T.rule).map((x) => x.inputs)) {
        if (rule.direction !== 'ingress') continue;
        expect(rule.protocol, JSON.stringify(rule)).toMatch(/^(tcp|udp)$/);
        expect(rule.remoteIpPrefix, JSON.stringify(rule)).toBeDefined();
        const covered = ADMIN_PORTS.filter((p) => Number(rule.portRangeMin) <= p && p <= Number(rule.portRangeMax));
        if (covered.length > 0) expect(rule.remoteIpPrefix, `port ${covered.join(',')}`).toBe('10.0.0.0/24');
        expect(Number(rule.portRangeMin) <= 22 && 22 <= Number(rule.portRangeMax)).toBe(false);
      }
    }
  });

  it('dual stack: the same ports open to ::/0, and an IPv6 subnet from the cloud\'s default pool', () => {
    const signaling = one(dual, T.secGroup, 'network-signaling-sg');
    const bridge = one(dual, T.secGroup, 'network-bridge-sg');
    const turn6 = [world6('udp', 3478), world6('tcp', 3478), world6('tcp', 5349), world6('udp', 49152, 49407)];
    expect(rulesOf(dual, signaling)).toEqual(sorted([
      world('tcp', 443), world('tcp', 80), ...TURN_RULES, world6('tcp', 443), world6('tcp', 80), ...turn6,
      privateOnly(5222), privateOnly(8099), EGRESS, EGRESS6,
    ]));
    expect(rulesOf(dual, bridge)).toEqual(sorted([world('udp', 10000), world6('udp', 10000), EGRESS, EGRESS6]));
    expect(one(dual, T.subnet, 'network-subnet-v6').inputs).toMatchObject({ ipVersion: 6, subnetpoolId: MOCK_IPV6_POOL_ID, ipv6AddressMode: 'slaac', ipv6RaMode: 'slaac' });
    expect(all(dual, T.routerInterface)).toHaveLength(2);
    expect(all(single, T.subnet)).toHaveLength(1);
  });
});

describe('user data and metadata', () => {
  it('each server gets exactly the host side\'s user data for its role, with the signaling node\'s private address', () => {
    for (const r of [single, scalable]) {
      const bundle = renderBundle(r.spec);
      for (const server of all(r, T.instance)) {
        const role = server.name === 'signaling-server' ? 'signaling' : 'bridge';
        // Only the signaling node gets the channel key.
        const values = role === 'signaling' ? { signalingPrivateIp: '10.0.0.10', channelKey: channelKeyLineOf(r.recording) } : { signalingPrivateIp: '10.0.0.10' };
        expect(server.inputs.userData, server.name).toBe(openstackUserData(r.spec, bundle, role, values));
      }
    }
  });

  it('no secret in user data or metadata: no generated password exists, nothing looks like a credential', () => {
    for (const r of [single, scalable, dual]) {
      expect(r.recording.resources.filter((x) => x.type.startsWith('random:'))).toEqual([]);
      for (const server of all(r, T.instance)) {
        expect(findLiteralSecrets(String(server.inputs.userData)), server.name).toEqual([]);
        expect(server.inputs.userData).not.toMatch(/@@jitsi-eu-deploy:/);
        // Metadata holds exactly the stack's facts, the role and the public address.
        expect(Object.keys(obj(server.inputs.metadata)).sort()).toEqual([
          'jitsi-eu:expires-at', 'jitsi-eu:owner', 'jitsi-eu:project', 'jitsi-eu:public-ipv4', 'jitsi-eu:role', 'jitsi-eu:stack',
        ]);
      }
    }
  });

  it('each server\'s metadata carries its own floating address, which is bound to its own port', () => {
    for (const host of ['signaling', 'bridges-1', 'bridges-2']) {
      const metadata = obj(one(scalable, T.instance, `${host}-server`).inputs.metadata);
      expect(metadata['jitsi-eu:role']).toBe(host === 'signaling' ? 'signaling' : 'bridge');
      const bound = one(scalable, T.associate, `${host}-fip-port`).inputs;
      expect(bound).toEqual({ floatingIp: metadata['jitsi-eu:public-ipv4'], portId: one(scalable, T.port, `${host}-port`).id });
    }
    expect(obj(one(scalable, T.instance, 'signaling-server').inputs.metadata)['jitsi-eu:public-ipv4']).toBe(scalable.recording.outputs.publicIp);
    const bridgeAddresses = ['bridges-1', 'bridges-2'].map((h) => obj(one(scalable, T.instance, `${h}-server`).inputs.metadata)['jitsi-eu:public-ipv4']);
    expect(new Set([...bridgeAddresses, scalable.recording.outputs.publicIp]).size).toBe(3);
  });
});

describe('tags teardown relies on', () => {
  const TAGGABLE = [T.network, T.subnet, T.router, T.secGroup, T.port, T.floatingIp, T.instance];

  it('every taggable resource carries project, stack, owner and expiry; servers carry them as metadata too', () => {
    for (const r of [single, scalable, dual]) {
      const expected = [
        'jitsi-eu:project=jitsi-eu',
        `jitsi-eu:stack=${r.spec.stack}`,
        'jitsi-eu:expires-at=2030-01-01T00:00:00.000Z',
        'jitsi-eu:owner=ops@example.org',
      ].sort();
      const taggable = r.recording.resources.filter((x) => TAGGABLE.includes(x.type as (typeof TAGGABLE)[number]));
      expect(taggable.length).toBeGreaterThan(6);
      for (const x of taggable) expect([...(x.inputs.tags as string[])].sort(), `${x.type} ${x.name}`).toEqual(expected);
      for (const server of all(r, T.instance)) {
        expect(obj(server.inputs.metadata)).toMatchObject({ 'jitsi-eu:project': 'jitsi-eu', 'jitsi-eu:stack': r.spec.stack });
      }
    }
  });

  it('a sandbox says so in its tags', async () => {
    const sandbox = await run('os-sandbox', { ...BASE, 'jitsi-eu:sandbox': 'true', 'jitsi-eu:tls': 'letsencrypt-staging' });
    for (const x of all(sandbox, T.instance)) {
      expect(x.inputs.tags).toContain('jitsi-eu:sandbox=true');
      expect(obj(x.inputs.metadata)['jitsi-eu:sandbox']).toBe('true');
    }
  });
});

describe('DNS', () => {
  it('without jitsi-eu:dnsZone: no record set, the outputs list the A record to create', () => {
    expect(all(single, T.recordSet)).toEqual([]);
    expect(single.recording.invokes.map((i) => i.token)).not.toContain('openstack:dns/getDnsZone:getDnsZone');
    expect(single.recording.outputs.dnsManaged).toBe(false);
    expect(single.recording.outputs.dnsRecords).toEqual([{ name: 'meet.example.org', type: 'A', value: single.recording.outputs.publicIp, ttl: 300 }]);
  });

  it('with it: the Designate zone by its absolute name, the A record and the ownership TXT record', () => {
    const lookup = withZone.recording.invokes.find((i) => i.token === 'openstack:dns/getDnsZone:getDnsZone');
    expect(lookup?.inputs).toMatchObject({ name: 'example.org.' });
    const ip = withZone.recording.outputs.publicIp;
    expect(all(withZone, T.recordSet).map((x) => x.inputs).sort((a, b) => String(a.type).localeCompare(String(b.type)))).toEqual([
      expect.objectContaining({ zoneId: MOCK_ZONE_ID, name: 'meet.example.org.', type: 'A', ttl: 300, records: [ip] }),
      expect.objectContaining({ zoneId: MOCK_ZONE_ID, name: '_jitsi-eu.meet.example.org.', type: 'TXT', ttl: 300, records: ['jitsi-eu:stack=os-zone'] }),
    ]);
    expect(withZone.recording.outputs.dnsManaged).toBe(true);
  });

  it('dual stack: an AAAA record with the signaling node\'s SLAAC address', () => {
    const aaaa = all(dual, T.recordSet).filter((x) => x.inputs.type === 'AAAA');
    expect(aaaa.map((x) => x.inputs.records)).toEqual([[mockIpv6For('signaling-port')]]);
    expect(dual.recording.outputs.dnsRecords.map((r) => r.type)).toEqual(['A', 'AAAA']);
  });
});

describe('outputs', () => {
  it('name the cloud, the region, the servers by their OpenStack ids and the configuration of each role', () => {
    const out = scalable.recording.outputs;
    expect(out).toMatchObject({ cloud: 'openstack', region: 'GRA11', url: 'https://meet.example.org/' });
    expect(out.signalingInstanceId).toBe(one(scalable, T.instance, 'signaling-server').id);
    expect(out.bridgeServerIds).toEqual(['bridges-1-server', 'bridges-2-server'].map((n) => one(scalable, T.instance, n).id));
    expect(out.publicIp).toBe(one(scalable, T.associate, 'signaling-fip-port').inputs.floatingIp);
    expect(Object.keys(out.configuration).sort()).toEqual(['bridge', 'signaling']);
    expect(single.recording.outputs.bridgeServerIds).toBeUndefined();
    expect(out.ssmShellCommand).toBeUndefined();
  });
});

describe('residency', () => {
  it('refuses a stack whose region is in the US, before any resource exists', async () => {
    const refused = await runOpenstackProgram('os-us', { ...BASE, 'openstack:region': 'US-EAST-VA-1', 'jitsi-eu:country': 'US' });
    expect(String(refused.error)).toMatch(/jitsi-eu:country: "?US"? is outside the EU\/EEA/);
    expect(refused.recording.resources.filter((x) => x.custom)).toEqual([]);
  });

  it('refuses Switzerland without the opt-in and accepts it with jitsi-eu:allowNonEuRegion', async () => {
    const zurich = { ...BASE, 'openstack:region': 'ZRH1', 'jitsi-eu:country': 'CH' };
    const refused = await runOpenstackProgram('os-ch', zurich);
    expect(String(refused.error)).toMatch(/jitsi-eu:country: "?CH"? is outside the EU\/EEA: allowed only with jitsi-eu:allowNonEuRegion: true/);
    expect(refused.recording.resources.filter((x) => x.custom)).toEqual([]);
    const accepted = await runOpenstackProgram('os-ch-ok', { ...zurich, 'jitsi-eu:allowNonEuRegion': 'true' });
    expect(accepted.error).toBeUndefined();
    expect(accepted.recording.outputs.region).toBe('ZRH1');
    expect(accepted.recording.resources.find((x) => x.type === T.provider)?.inputs).toMatchObject({ region: 'ZRH1' });
  });
});

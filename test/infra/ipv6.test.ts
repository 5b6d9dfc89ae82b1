// Dual stack under Pulumi's mocks: with jitsi-eu:ipv6 the VPC, subnets, routes, security groups,
// hosts and DNS records carry IPv6, opening exactly the ports IPv4 opens; without it, nothing does.
import { beforeAll, describe, expect, it } from 'vitest';
import { MOCK_IPV6_ADDRESS, MOCK_IPV6_BLOCK, type Recording, type RecordedResource, recordProgram } from '../../scripts/plan/record.ts';
import { ipv6SubnetCidr } from '../../infra/aws/network.ts';
import { runPolicies } from '../../infra/policy/offline.ts';
import { policyInputs } from '../../scripts/plan/run.ts';

const ACCOUNT = '210987654321';

const config = (topology: 'single' | 'scalable', ipv6: boolean): Record<string, string> => ({
  'aws:region': 'eu-central-1',
  'jitsi-eu:domain': 'meet.example.org',
  'jitsi-eu:dnsZone': 'example.org',
  'jitsi-eu:acmeEmail': 'ops@example.org',
  'jitsi-eu:organization': 'Example University',
  'jitsi-eu:privacyContact': 'dpo@example.org',
  'jitsi-eu:topology': topology,
  'jitsi-eu:ipv6': String(ipv6),
});

const runs = new Map<string, Recording>();
beforeAll(async () => {
  for (const topology of ['single', 'scalable'] as const) {
    for (const ipv6 of [true, false]) {
      const stack = `${topology}-${ipv6 ? 'dual' : 'v4'}`;
      runs.set(stack, await recordProgram({ stack, config: config(topology, ipv6), accountId: ACCOUNT }));
    }
  }
}, 120_000);

const ofType = (r: Recording, type: string) => r.resources.filter((x) => x.type === type);
const rules = (sg: RecordedResource, kind: 'ingress' | 'egress') => (sg.inputs[kind] as Record<string, unknown>[]) ?? [];
const rule = (r: Record<string, unknown>) => `${String(r.protocol)} ${String(r.fromPort)}-${String(r.toPort)}`;

describe('the IPv6 address plan', () => {
  it('cuts /64 subnets out of the VPC /56', () => {
    expect(ipv6SubnetCidr('2600:1f18:abcd:ef00::/56', 0)).toBe('2600:1f18:abcd:ef00::/64');
    expect(ipv6SubnetCidr('2600:1f18:abcd:ef00::/56', 1)).toBe('2600:1f18:abcd:ef01::/64');
    expect(ipv6SubnetCidr('2a05:d014:0:100::/56', 255)).toBe('2a05:d014:0:1ff::/64');
    expect(() => ipv6SubnetCidr('2600:1f18:abcd:ef00::/64', 0)).toThrow(/\/56/);
    expect(() => ipv6SubnetCidr('2600:1f18:abcd:ef01::/56', 0)).toThrow(/host bits/);
    expect(() => ipv6SubnetCidr('2600:1f18:abcd:ef00::/56', 256)).toThrow(/outside/);
  });
});

describe.each(['single', 'scalable'])('%s topology with jitsi-eu:ipv6', (topology) => {
  const dual = () => runs.get(`${topology}-dual`)!;
  const v4 = () => runs.get(`${topology}-v4`)!;

  it('gives the VPC an Amazon IPv6 block, each subnet its own /64, and IPv6 a default route', () => {
    const [vpc] = ofType(dual(), 'aws:ec2/vpc:Vpc');
    expect(vpc!.inputs.assignGeneratedIpv6CidrBlock).toBe(true);
    const subnets = ofType(dual(), 'aws:ec2/subnet:Subnet');
    expect(subnets.map((s) => s.inputs.ipv6CidrBlock).sort()).toEqual([ipv6SubnetCidr(MOCK_IPV6_BLOCK, 0), ipv6SubnetCidr(MOCK_IPV6_BLOCK, 1)]);
    for (const subnet of subnets) expect(subnet.inputs.assignIpv6AddressOnCreation).toBe(true);
    const [table] = ofType(dual(), 'aws:ec2/routeTable:RouteTable');
    const routes = table!.inputs.routes as Record<string, unknown>[];
    expect(routes.map((r) => r.cidrBlock ?? r.ipv6CidrBlock).sort()).toEqual(['0.0.0.0/0', '::/0']);
    expect(new Set(routes.map((r) => r.gatewayId)).size).toBe(1);
  });

  it('opens to ::/0 exactly the ports open to 0.0.0.0/0, on every security group', () => {
    const groups = ofType(dual(), 'aws:ec2/securityGroup:SecurityGroup');
    expect(groups.length).toBe(topology === 'single' ? 1 : 2);
    for (const sg of groups) {
      const world4 = rules(sg, 'ingress').filter((r) => (r.cidrBlocks as string[] | undefined)?.includes('0.0.0.0/0')).map(rule).sort();
      const world6 = rules(sg, 'ingress').filter((r) => (r.ipv6CidrBlocks as string[] | undefined)?.includes('::/0')).map(rule).sort();
      expect(world6, sg.name).toEqual(world4);
      expect(world6.length, sg.name).toBeGreaterThan(0);
      // Nothing else is open to IPv6: no other range, and the bridges-only XMPP rule stays IPv4-internal.
      for (const r of rules(sg, 'ingress')) expect([[], ['::/0']], `${sg.name} ${rule(r)}`).toContainEqual((r.ipv6CidrBlocks as string[] | undefined) ?? []);
      const xmpp = rules(sg, 'ingress').find((r) => r.fromPort === 5222);
      if (xmpp) expect(xmpp.ipv6CidrBlocks).toBeUndefined();
      expect(rules(sg, 'egress').map((r) => r.ipv6CidrBlocks)).toEqual([['::/0']]);
    }
    // The same ports as without IPv6.
    const ports = (r: Recording) => ofType(r, 'aws:ec2/securityGroup:SecurityGroup').map((sg) => rules(sg, 'ingress').map(rule).sort());
    expect(ports(dual())).toEqual(ports(v4()));
  });

  it('gives every host an IPv6 address, and the site an AAAA record next to its A record', () => {
    const [eni] = ofType(dual(), 'aws:ec2/networkInterface:NetworkInterface');
    expect(eni!.inputs.ipv6AddressCount).toBe(1);
    if (topology === 'scalable') {
      const [template] = ofType(dual(), 'aws:ec2/launchTemplate:LaunchTemplate');
      expect((template!.inputs.networkInterfaces as Record<string, unknown>[])[0]!.ipv6AddressCount).toBe(1);
    }
    const records = ofType(dual(), 'aws:route53/record:Record').map((r) => ({ type: r.inputs.type, name: r.inputs.name, records: r.inputs.records }));
    expect(records).toContainEqual({ type: 'AAAA', name: 'meet.example.org', records: [MOCK_IPV6_ADDRESS] });
    expect(records.filter((r) => r.type === 'A')).toHaveLength(1);
    const outputs = dual().outputs as { dnsRecords: { type: string; value: string }[] };
    expect(outputs.dnsRecords.map((r) => `${r.type} ${r.value}`)).toContain(`AAAA ${MOCK_IPV6_ADDRESS}`);
  });

  it('passes every policy of the pack (world-open IPv6 counts as world-open)', () => {
    const results = runPolicies(policyInputs(dual().resources), { allowNonEuRegion: false });
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
  });

  it('without it, nothing carries IPv6', () => {
    const text = JSON.stringify(v4().resources.map((r) => r.inputs));
    expect(text).not.toMatch(/ipv6|::\/0/i);
    // Address records only: the TXT record beside them proves the name's ownership for teardown.
    expect(ofType(v4(), 'aws:route53/record:Record').map((r) => r.inputs.type).filter((t) => t !== 'TXT')).toEqual(['A']);
  });
});

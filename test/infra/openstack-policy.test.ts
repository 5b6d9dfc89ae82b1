// The OpenStack policies over resources recorded from the program under mocks: the program as it
// is passes every policy, and each policy refuses a resource that breaks its rule.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { RecordedResource } from '../../scripts/plan/record.ts';
import { policyInputs } from '../../scripts/plan/run.ts';
import { type PolicyResourceInput, type PolicyResult, runPolicies } from '../../infra/policy/offline.ts';
import { OPENSTACK_POLICIES } from '../../infra/policy/openstack.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { FAKE_PRIVATE_KEY_PEM } from '../fixtures/policy/leaked-secrets.ts';
import { channelKeyUserData } from '../fixtures/policy/channel-key.ts';
import { OPENSTACK_CONFIG, OPENSTACK_SCALABLE, recordOpenstackProgram } from '../helpers/openstack-mocks.ts';


const BASE: Record<string, string> = {
  ...OPENSTACK_CONFIG,
  ...OPENSTACK_SCALABLE,
  'jitsi-eu:auth': 'secure',
  'jitsi-eu:ipv6': 'true',
  'jitsi-eu:dnsZone': 'example.org',
};

const EU = { allowNonEuRegion: false };
const INSTANCE = 'openstack:compute/instance:Instance';
const RULE = 'openstack:networking/secGroupRule:SecGroupRule';
const PROVIDER = 'pulumi:providers:openstack';

let recorded: RecordedResource[];
beforeAll(async () => {
  recorded = (await recordOpenstackProgram('os-policy', BASE)).resources;
}, 60_000);

const inputs = () => structuredClone(policyInputs(recorded));
const find = (resources: PolicyResourceInput[], type: string, name?: string) => {
  const found = resources.find((r) => r.type === type && (name === undefined || r.name === name));
  if (!found) throw new Error(`no ${type} ${name ?? ''}`);
  return found;
};
const failing = (results: PolicyResult[]) => results.filter((r) => r.status === 'fail').map((r) => r.policy);
const messages = (results: PolicyResult[], policy: string) => results.find((r) => r.policy === policy)!.violations.map((v) => v.message);
const extra = (type: string, name: string, props: Record<string, unknown>): PolicyResourceInput => ({ type, name, urn: `urn:pulumi:test::jitsi-eu::${type}::${name}`, props });

describe('the program as it is', () => {
  it('passes every policy, and the OpenStack ones are in the pack', () => {
    const results = runPolicies(inputs(), EU);
    expect(failing(results)).toEqual([]);
    expect(results.map((r) => r.policy)).toEqual(expect.arrayContaining(OPENSTACK_POLICIES.map((p) => p.name)));
  });
});

describe('openstack-region', () => {
  it('refuses a provider without a region', () => {
    const r = inputs();
    delete find(r, PROVIDER).props.region;
    expect(failing(runPolicies(r, EU))).toEqual(['openstack-region']);
  });
});

describe('openstack-no-public-admin-ports', () => {
  it('refuses SSH from the Internet', () => {
    const r = [...inputs(), extra(RULE, 'ssh', { direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: '0.0.0.0/0' })];
    const results = runPolicies(r, EU);
    expect(failing(results)).toEqual(['openstack-no-public-admin-ports', 'openstack-only-jitsi-ports']);
    expect(messages(results, 'openstack-no-public-admin-ports')[0]).toContain('port 22');
  });

  it('refuses the bridge share opened to the IPv6 Internet instead of the private subnet', () => {
    const r = inputs();
    const share = find(r, RULE, 'network-signaling-ingress-tcp-8099-private');
    Object.assign(share.props, { ethertype: 'IPv6', remoteIpPrefix: '::/0' });
    expect(messages(runPolicies(r, EU), 'openstack-no-public-admin-ports')).toEqual([
      "tcp 8099-8099 is open to ::/0 and covers port 8099: open it to the stack's private subnet only, or not at all",
    ]);
  });

  it('reads a rule without a remote, or without protocol and ports, as open to everything', () => {
    const r = inputs();
    delete find(r, RULE, 'network-signaling-ingress-tcp-5222-private').props.remoteIpPrefix;
    const anyProtocol = extra(RULE, 'all', { direction: 'ingress', ethertype: 'IPv4', remoteIpPrefix: '0.0.0.0/0' });
    const found = messages(runPolicies([...r, anyProtocol], EU), 'openstack-no-public-admin-ports');
    expect(found).toHaveLength(2);
    expect(found[0]).toContain('open to anywhere and covers port 5222');
    expect(found[1]).toContain('any 0-65535');
  });

  it('refuses an admin port in a Nova security group too, and lets egress and the private subnet be', () => {
    const nova = extra('openstack:compute/secGroup:SecGroup', 'legacy', { rules: [{ ipProtocol: 'tcp', fromPort: 8000, toPort: 9000, cidr: '0.0.0.0/0' }] });
    expect(messages(runPolicies([...inputs(), nova], EU), 'openstack-no-public-admin-ports')[0]).toContain('8080, 8099, 8443, 8888');
    const egress = extra(RULE, 'out', { direction: 'egress', ethertype: 'IPv4', protocol: 'tcp', portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: '0.0.0.0/0' });
    expect(failing(runPolicies([...inputs(), egress], EU))).toEqual([]);
  });
});

describe('openstack-only-jitsi-ports', () => {
  it('refuses a port Jitsi does not serve, and a TURN relay range wider than coturn\'s', () => {
    const r = inputs();
    Object.assign(find(r, RULE, 'network-signaling-ingress-udp-49152-49407-v6').props, { portRangeMax: 65535 });
    const dashboard = extra(RULE, 'dashboard', { direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', portRangeMin: 3000, portRangeMax: 3000, remoteIpPrefix: '0.0.0.0/0' });
    const results = runPolicies([...r, dashboard], EU);
    expect(failing(results)).toEqual(['openstack-only-jitsi-ports']);
    expect(messages(results, 'openstack-only-jitsi-ports')).toEqual([
      "udp 49152-65535 is open to ::/0 but is not a port Jitsi serves to the Internet",
      "tcp 3000-3000 is open to 0.0.0.0/0 but is not a port Jitsi serves to the Internet",
    ]);
  });
});

describe('openstack-no-ssh-keys', () => {
  it('refuses a server given a key pair, and a key pair created', () => {
    const r = inputs();
    find(r, INSTANCE, 'signaling-server').props.keyPair = 'ops-laptop';
    const results = runPolicies([...r, extra('openstack:compute/keypair:Keypair', 'ops', { publicKey: 'ssh-ed25519 AAAA' })], EU);
    expect(failing(results)).toEqual(['openstack-no-ssh-keys']);
    expect(messages(results, 'openstack-no-ssh-keys')).toHaveLength(2);
  });
});

describe('openstack-required-tags', () => {
  it('refuses a resource without the stack tag, and one from another project', () => {
    const r = inputs();
    const port = find(r, 'openstack:networking/port:Port', 'bridges-1-port');
    port.props.tags = (port.props.tags as string[]).filter((t) => !t.startsWith('jitsi-eu:stack='));
    const fip = find(r, 'openstack:networking/floatingIp:FloatingIp', 'signaling-fip');
    fip.props.tags = (fip.props.tags as string[]).map((t) => (t.startsWith('jitsi-eu:project=') ? 'jitsi-eu:project=other' : t));
    const results = runPolicies(r, EU);
    expect(failing(results)).toEqual(['openstack-required-tags']);
    expect(messages(results, 'openstack-required-tags').sort()).toEqual([
      'the resource lacks the tags jitsi-eu:project=jitsi-eu',
      'the resource lacks the tags jitsi-eu:stack=<stack>',
    ]);
  });

  it('refuses a server whose metadata lacks the stack', () => {
    const r = inputs();
    delete (find(r, INSTANCE, 'bridges-2-server').props.metadata as Record<string, unknown>)['jitsi-eu:stack'];
    expect(messages(runPolicies(r, EU), 'openstack-required-tags')).toEqual(["the server's metadata lacks jitsi-eu:stack"]);
  });
});

describe('openstack-no-secrets-in-user-data', () => {
  it('refuses a literal password in user data, a private key, and a secret in metadata', () => {
    const r = inputs();
    find(r, INSTANCE, 'signaling-server').props.userData = `#cloud-config\nwrite_files:\n  - path: /etc/x\n    content: |\n      JVB_PASSWORD=Zx9kQ2mLp4Rt7VwB\n`;
    find(r, INSTANCE, 'bridges-1-server').props.userData = `#cloud-config\n# ${FAKE_PRIVATE_KEY_PEM}`;
    (find(r, INSTANCE, 'bridges-2-server').props.metadata as Record<string, unknown>)['jvb-password'] = 'Zx9kQ2mLp4Rt7VwB';
    const results = runPolicies(r, EU);
    expect(failing(results)).toEqual(['openstack-no-secrets-in-user-data']);
    const found = messages(results, 'openstack-no-secrets-in-user-data');
    expect(found).toHaveLength(3);
    expect(found.join('\n')).toContain('JVB_PASSWORD is set to a literal value');
    expect(found.join('\n')).toContain('a PEM private key');
    expect(found.join('\n')).toContain('server metadata: jvb-password is set to a literal value');
    expect(found.join('\n')).not.toContain('Zx9kQ2mLp4Rt7VwB');
  });

  it("lets the signaling node carry the channel's public key, and refuses its private key, plain or encoded", () => {
    const key = channelKeyUserData();
    const onSignaling = (userData: string) => {
      const r = inputs();
      find(r, INSTANCE, 'signaling-server').props.userData = userData;
      return runPolicies(r, EU);
    };
    expect(failing(onSignaling(key.publicHalf))).toEqual([]);
    const plain = onSignaling(key.privateHalf);
    expect(failing(plain)).toEqual(['openstack-no-secrets-in-user-data']);
    expect(messages(plain, 'openstack-no-secrets-in-user-data')).toEqual([expect.stringContaining('a PEM private key')]);
    const encoded = onSignaling(key.privateHalfEncoded);
    expect(messages(encoded, 'openstack-no-secrets-in-user-data')).toEqual([expect.stringContaining('write_files /etc/jitsi-eu/channel.pub: a PEM private key')]);
  });
});

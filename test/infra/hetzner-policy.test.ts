// The Hetzner policies over resources the program registers under mocks: the stack as it is
// passes, and each policy refuses the resource that breaks its rule, saying why.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { policyInputs } from '../../scripts/plan/run.ts';
import { type PolicyResourceInput, type PolicyResult, runPolicies } from '../../infra/policy/offline.ts';
import { HETZNER_POLICIES } from '../../infra/policy/hetzner.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { FAKE_PRIVATE_KEY_PEM } from '../fixtures/policy/leaked-secrets.ts';
import { channelKeyUserData } from '../fixtures/policy/channel-key.ts';
import { runHetznerProgram } from '../helpers/hetzner-mocks.ts';


const SERVER = 'hcloud:index/server:Server';
const FIREWALL = 'hcloud:index/firewall:Firewall';
const PRIMARY_IP = 'hcloud:index/primaryIp:PrimaryIp';
const NETWORK = 'hcloud:index/network:Network';
const EU = { allowNonEuRegion: false };

let recorded: PolicyResourceInput[];

beforeAll(async () => {
  const run = await runHetznerProgram({
    stack: 'policy-hetzner',
    zones: { 'example.org': 'primary' },
    config: {
      'jitsi-eu:cloud': 'hetzner',
      'jitsi-eu:location': 'nbg1',
      'jitsi-eu:domain': 'meet.example.org',
      'jitsi-eu:dnsZone': 'example.org',
      'jitsi-eu:acmeEmail': 'ops@example.org',
      'jitsi-eu:organization': 'Example University',
      'jitsi-eu:privacyContact': 'dpo@example.org',
      'jitsi-eu:topology': 'scalable',
      'jitsi-eu:bridges': '{"min":2,"max":2}',
      'jitsi-eu:ipv6': 'true',
    },
  });
  if (run.error) throw run.error;
  recorded = policyInputs(run.recording.resources);
});

/** The recorded resources, with one changed or added. */
function withChange(type: string, change: (props: Record<string, unknown>) => void, name?: string): PolicyResourceInput[] {
  const resources = structuredClone(recorded);
  const target = resources.find((r) => r.type === type && (name === undefined || r.name === name));
  if (!target) throw new Error(`no ${type} ${name ?? ''}`);
  change(target.props);
  return resources;
}
const extra = (type: string, name: string, props: Record<string, unknown>): PolicyResourceInput =>
  ({ type, name, urn: `urn:pulumi:policy-hetzner::jitsi-eu::${type}::${name}`, props });
const failing = (results: PolicyResult[]) => results.filter((r) => r.status === 'fail').map((r) => r.policy);
const messages = (results: PolicyResult[], policy: string) => results.find((r) => r.policy === policy)!.violations.map((v) => v.message);
const worldRule = (protocol: string, port: string) => ({ direction: 'in', protocol, port, sourceIps: ['0.0.0.0/0', '::/0'] });
const addRule = (rule: Record<string, unknown>) => (props: Record<string, unknown>) => {
  props.rules = [...(props.rules as unknown[]), rule];
};

describe('the Hetzner stack as it is', () => {
  it('passes every policy, the Hetzner ones among them, all mandatory', () => {
    const results = runPolicies(recorded, EU);
    const names = results.map((r) => r.policy);
    for (const policy of HETZNER_POLICIES) {
      expect(names).toContain(policy.name);
      expect(policy.enforcementLevel).toBe('mandatory');
    }
    expect(failing(results)).toEqual([]);
  });
});

describe('hetzner-eu-location', () => {
  it.each([
    [SERVER, 'ash', /ash is in Ashburn, Virginia, in the United States, outside the EU: use one of fsn1, nbg1, hel1/],
    [SERVER, 'sin', /sin is in Singapore, outside the EU/],
    [PRIMARY_IP, 'hil', /hil is in Hillsboro, Oregon/],
    [SERVER, 'fra1', /fra1 is not a Hetzner EU location/],
  ])('refuses a %s in %s', (type, location, message) => {
    const results = runPolicies(withChange(type, (props) => void (props.location = location)), EU);
    expect(failing(results)).toEqual(['hetzner-eu-location']);
    expect(messages(results, 'hetzner-eu-location')[0]).toMatch(message);
  });

  it('reads the location from a datacenter name, and refuses a server with neither', () => {
    const inDatacenter = runPolicies(withChange(SERVER, (props) => {
      delete props.location;
      props.datacenter = 'ash-dc1';
    }), EU);
    expect(messages(inDatacenter, 'hetzner-eu-location')).toEqual([expect.stringMatching(/^location ash is in Ashburn/)]);
    const nowhere = runPolicies(withChange(SERVER, (props) => void delete props.location), EU);
    expect(messages(nowhere, 'hetzner-eu-location')).toEqual([expect.stringMatching(/no location is set, so Hetzner would choose one/)]);
    expect(failing(runPolicies(withChange(SERVER, (props) => {
      delete props.location;
      props.datacenter = 'hel1-dc2';
    }), EU))).toEqual([]);
  });
});

describe('hetzner-eu-location, network zones and things placed with a server', () => {
  it('refuses a private subnet outside the EU network zone', () => {
    const results = runPolicies(withChange('hcloud:index/networkSubnet:NetworkSubnet', (props) => void (props.networkZone = 'us-east')), EU);
    expect(messages(results, 'hetzner-eu-location')).toEqual(['network zone us-east is outside the EU: use eu-central']);
  });

  it("reads a floating IP's home location, and lets a volume or floating IP follow its server", () => {
    const floating = runPolicies([...recorded, extra('hcloud:index/floatingIp:FloatingIp', 'fip', { type: 'ipv4', homeLocation: 'ash', labels: { 'jitsi-eu/project': 'jitsi-eu', 'jitsi-eu/stack': 'policy-hetzner' } })], EU);
    expect(messages(floating, 'hetzner-eu-location')).toEqual([expect.stringMatching(/^location ash is in Ashburn/)]);
    const labels = { 'jitsi-eu/project': 'jitsi-eu', 'jitsi-eu/stack': 'policy-hetzner' };
    const followers = [
      extra('hcloud:index/volume:Volume', 'data', { size: 10, serverId: 100200, labels }),
      extra('hcloud:index/floatingIp:FloatingIp', 'fip', { type: 'ipv4', serverId: 100200, labels }),
    ];
    expect(failing(runPolicies([...recorded, ...followers], EU))).toEqual([]);
    const loose = runPolicies([...recorded, extra('hcloud:index/volume:Volume', 'loose', { size: 10, labels })], EU);
    expect(messages(loose, 'hetzner-eu-location')).toEqual([expect.stringMatching(/no location is set/)]);
  });
});

describe('hetzner-no-ssh-keys', () => {
  it('refuses a server given an SSH key, and an SSH key resource', () => {
    const keyed = runPolicies(withChange(SERVER, (props) => void (props.sshKeys = ['ops-laptop']), 'signaling-server'), EU);
    expect(failing(keyed)).toEqual(['hetzner-no-ssh-keys']);
    expect(messages(keyed, 'hetzner-no-ssh-keys')).toEqual(['sshKeys gives the server 1 SSH key (ops-laptop): remove them']);
    const created = runPolicies([...recorded, extra('hcloud:index/sshKey:SshKey', 'ops', { name: 'ops', publicKey: 'ssh-ed25519 AAAA' })], EU);
    expect(failing(created)).toEqual(['hetzner-no-ssh-keys']);
  });
});

describe('firewall rules', () => {
  it('refuses SSH open to the world under both rules', () => {
    const results = runPolicies(withChange(FIREWALL, addRule(worldRule('tcp', '22')), 'network-signaling'), EU);
    expect(failing(results).sort()).toEqual(['hetzner-jitsi-ports-only', 'hetzner-no-public-admin-ports']);
    expect(messages(results, 'hetzner-no-public-admin-ports')).toEqual(['tcp 22 is open to the Internet and covers port 22']);
  });

  it.each([
    ['tcp', '8099', [8099]],
    ['tcp', '5000-6000', [5222, 5269, 5280, 5281, 5347]],
    ['tcp', 'any', 'all'],
    ['gre', '', 'all'],
  ] as const)('refuses %s %s open to the world as an admin port', (protocol, port, covered) => {
    const rule = { ...worldRule(protocol, port), ...(port === '' ? { port: undefined } : {}) };
    const results = runPolicies(withChange(FIREWALL, addRule(rule), 'network-bridges'), EU);
    expect(failing(results)).toContain('hetzner-no-public-admin-ports');
    const [message] = messages(results, 'hetzner-no-public-admin-ports');
    if (covered === 'all') expect(message).toMatch(/covers ports 22, 3389, 5222/);
    else expect(message).toMatch(new RegExp(`covers ports? ${covered.join(', ')}$`));
  });

  it('refuses any port Jitsi does not serve, even from a narrow source or without an admin port', () => {
    const fromOffice = runPolicies(withChange(FIREWALL, addRule({ direction: 'in', protocol: 'tcp', port: '22', sourceIps: ['198.51.100.0/24'] })), EU);
    expect(failing(fromOffice)).toEqual(['hetzner-jitsi-ports-only']);
    expect(messages(fromOffice, 'hetzner-jitsi-ports-only')).toEqual(['the inbound rule tcp 22 from 198.51.100.0/24 is not traffic Jitsi serves: remove it']);
    for (const rule of [worldRule('icmp', ''), worldRule('udp', '10000-10100'), worldRule('tcp', '10000'), worldRule('udp', '49000-49407')]) {
      expect(failing(runPolicies(withChange(FIREWALL, addRule(rule)), EU)), JSON.stringify(rule)).toEqual(['hetzner-jitsi-ports-only']);
    }
  });

  it("accepts each of Jitsi's ports, and outbound rules are not its business", () => {
    for (const rule of [worldRule('tcp', '443'), worldRule('tcp', '5349'), worldRule('udp', '3478'), worldRule('udp', '49200-49300')]) {
      expect(failing(runPolicies(withChange(FIREWALL, addRule(rule)), EU))).toEqual([]);
    }
    const outbound = { direction: 'out', protocol: 'tcp', port: '22', destinationIps: ['0.0.0.0/0'] };
    expect(failing(runPolicies(withChange(FIREWALL, addRule(outbound)), EU))).toEqual([]);
  });
});

describe('hetzner-required-labels', () => {
  it.each([SERVER, NETWORK, FIREWALL, PRIMARY_IP])('refuses a %s without the stack label', (type) => {
    const results = runPolicies(withChange(type, (props) => void delete (props.labels as Record<string, unknown>)['jitsi-eu/stack']), EU);
    expect(failing(results)).toEqual(['hetzner-required-labels']);
    expect(messages(results, 'hetzner-required-labels')).toEqual(['the resource lacks the label jitsi-eu/stack: teardown could not find it']);
  });

  it("refuses another project's label value and a resource with no labels at all", () => {
    const other = runPolicies(withChange(SERVER, (props) => void ((props.labels as Record<string, unknown>)['jitsi-eu/project'] = 'elsewhere')), EU);
    expect(messages(other, 'hetzner-required-labels')).toEqual(['the resource lacks the label jitsi-eu/project=jitsi-eu: teardown could not find it']);
    const bare = runPolicies([...recorded, extra('hcloud:index/volume:Volume', 'data', { location: 'nbg1', size: 10 })], EU);
    expect(messages(bare, 'hetzner-required-labels')).toEqual(['the resource lacks the labels jitsi-eu/project=jitsi-eu and jitsi-eu/stack: teardown could not find it']);
  });
});

describe('hetzner-no-secrets-in-user-data', () => {
  it('refuses a server whose user data carries a literal secret', () => {
    const leaked = `#cloud-config\nwrite_files:\n  - path: /root/.ssh/id\n    content: |\n${FAKE_PRIVATE_KEY_PEM.split('\n').map((l) => `      ${l}`).join('\n')}\n`;
    const pem = runPolicies(withChange(SERVER, (props) => void (props.userData = leaked), 'bridges-1'), EU);
    expect(failing(pem)).toEqual(['hetzner-no-secrets-in-user-data']);
    expect(messages(pem, 'hetzner-no-secrets-in-user-data')).toEqual(['user data: a PEM private key']);
    const assigned = runPolicies(withChange(SERVER, (props) => void (props.userData = '#cloud-config\nbootcmd:\n  - echo JVB_PASSWORD="Zr8kq2LmP4xw" > /etc/jvb\n')), EU);
    expect(messages(assigned, 'hetzner-no-secrets-in-user-data')).toEqual([expect.stringMatching(/JVB_PASSWORD is set to a literal value/)]);
  });

  it("lets the signaling node carry the channel's public key, and refuses its private key, plain or encoded", () => {
    const key = channelKeyUserData();
    const onSignaling = (userData: string) => runPolicies(withChange(SERVER, (props) => void (props.userData = userData), 'signaling-server'), EU);
    expect(failing(onSignaling(key.publicHalf))).toEqual([]);
    const plain = onSignaling(key.privateHalf);
    expect(failing(plain)).toEqual(['hetzner-no-secrets-in-user-data']);
    expect(messages(plain, 'hetzner-no-secrets-in-user-data')).toEqual(['user data: a PEM private key']);
    const encoded = onSignaling(key.privateHalfEncoded);
    expect(messages(encoded, 'hetzner-no-secrets-in-user-data')).toEqual(['write_files /etc/jitsi-eu/channel.pub: a PEM private key']);
  });
});

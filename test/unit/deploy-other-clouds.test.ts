// deploy on Hetzner Cloud and OpenStack stacks: the provider's credentials are checked before
// Pulumi previews anything; the preview says what a change means for meetings: a configuration-only
// change keeps the signaling node (applied in place through the stack's channel after the update),
// new user data (release, image, server type) replaces it, and a bridge's new configuration
// replaces the bridges; no SSM step and no image pinning; the outputs and the hints name each
// cloud's own ways.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { stackFileFor } from '../../infra/spec/index.ts';
import { meetingImpact, type Impact, type ImpactContext } from '../../scripts/deploy/impact.ts';
import { configurationChanges, configurationImpacts } from '../../scripts/deploy/configuration.ts';
import { configurationRecord, roleArchive } from '../../infra/render/delivery.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { hostRoles } from '../../infra/render/roles.ts';
import { SIGNALING_PRIVATE_IP } from '../../infra/private-network.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { makeSpec } from '../helpers/spec.ts';
import { bootTroubleHints } from '../../scripts/deploy/hints.ts';
import { deployMain, type DeployDeps } from '../../scripts/deploy/main.ts';
import { summarisePreview } from '../../scripts/deploy/preview.ts';
import { UsageError, loadSpecOrThrow } from '../../scripts/lib/cli.ts';
import type { StackOutputs } from '../../scripts/lib/workspace.ts';
import { PASSING_PROBES } from '../fixtures/fake-pulumi/memory-deps.ts';
import { MemoryWorkspace } from '../fixtures/fake-pulumi/memory-workspace.ts';
import { create, previewRun, remove, replace, same, update, type FixtureResource } from '../fixtures/fake-pulumi/preview-events.ts';
import { writeCloudStack } from '../helpers/cloud-stacks.ts';
import type { EngineEvent } from '../../scripts/lib/workspace.ts';

const HCLOUD_SERVER = 'hcloud:index/server:Server';
const OS_INSTANCE = 'openstack:compute/instance:Instance';

const H = {
  signaling: { chain: ['jitsi-eu:hetzner:SignalingNode', HCLOUD_SERVER], name: 'signaling-server', inputs: { image: 'debian-12', serverType: 'ccx23', userData: '#cloud-config a', labels: { 'jitsi-eu/role': 'signaling' } } },
  // Named neutrally: the role comes from the label, not the name.
  bridge0: { chain: ['jitsi-eu:hetzner:BridgePool', HCLOUD_SERVER], name: 'pool-0', inputs: { serverType: 'ccx33', userData: '#cloud-config b', labels: { 'jitsi-eu/role': 'bridge' } } },
  bridge1: { chain: ['jitsi-eu:hetzner:BridgePool', HCLOUD_SERVER], name: 'pool-1', inputs: { serverType: 'ccx33', userData: '#cloud-config b', labels: { 'jitsi-eu/role': 'bridge' } } },
  primaryIp: { chain: ['jitsi-eu:hetzner:SignalingNode', 'hcloud:index/primaryIp:PrimaryIp'], name: 'signaling-ipv4', inputs: { type: 'ipv4' } },
  firewall: { chain: ['jitsi-eu:hetzner:Network', 'hcloud:index/firewall:Firewall'], name: 'firewall', inputs: { rules: [] } },
  network: { chain: ['jitsi-eu:hetzner:Network', 'hcloud:index/network:Network'], name: 'network', inputs: { ipRange: '10.0.0.0/16' } },
} satisfies Record<string, FixtureResource>;

const O = {
  signaling: { chain: ['jitsi-eu:openstack:SignalingNode', OS_INSTANCE], name: 'signaling', inputs: { flavorName: 'c3-8', userData: 'a', metadata: { 'jitsi-eu:role': 'signaling' } } },
  bridge: { chain: ['jitsi-eu:openstack:BridgePool', OS_INSTANCE], name: 'jvb-0', inputs: { flavorName: 'c3-16', userData: 'b', metadata: { 'jitsi-eu:role': 'bridge' } } },
  floatingIp: { chain: ['jitsi-eu:openstack:SignalingNode', 'openstack:networking/floatingIp:FloatingIp'], name: 'signaling-fip', inputs: { pool: 'Ext-Net' } },
} satisfies Record<string, FixtureResource>;

const hetznerScalable: ImpactContext = { domain: 'meet.example.eu', topology: 'scalable', cloud: 'hetzner' };

function existingRun(steps: EngineEvent[], unchanged = 20) {
  const kinds = summarisePreview({ events: steps, changeSummary: {} }).changes.map((c) => c.kind);
  const counts: Record<string, number> = { same: unchanged };
  for (const k of kinds) counts[k] = (counts[k] ?? 0) + 1;
  return previewRun([same(H.firewall), ...steps], counts);
}
const impactOf = (steps: EngineEvent[], ctx: ImpactContext, configuration: Impact[] = []): Impact[] => meetingImpact(summarisePreview(existingRun(steps)), ctx, configuration);
const kinds = (impacts: Impact[]) => impacts.map((i) => i.kind);

/** What applying `after` in place means, against a stack that last deployed `before` (deploy's own comparison). */
function configurationFrom(before: DeploymentSpec, after: DeploymentSpec): Impact[] {
  const bundle = renderBundle(before);
  const deployed = Object.fromEntries(hostRoles(before).map((role) => [role, configurationRecord(roleArchive(before, bundle, role, { signalingPrivateIp: SIGNALING_PRIVATE_IP }))]));
  return configurationImpacts(configurationChanges(after, deployed), after);
}
const hetznerSpec = (overrides: Partial<DeploymentSpec>) =>
  makeSpec({ cloud: 'hetzner', region: 'fsn1', instanceType: 'ccx23', topology: 'scalable', bridges: { min: 2, max: 2, instanceType: 'ccx33' }, ...overrides });

describe('what a preview means for meetings on Hetzner Cloud and OpenStack', () => {
  it('new user data replaces the signaling server: meetings end, and the words say why (release, image or server type; configuration alone goes in place)', () => {
    const impacts = impactOf(replace(H.signaling, { userData: 'update-replace' }), hetznerScalable);
    expect(kinds(impacts)).toEqual(['signaling-replaced']);
    const [replaced] = impacts;
    expect(replaced!.severity).toBe('interrupts');
    expect(replaced!.text).toMatch(/^The signaling server is replaced \(new user data: the Jitsi release, the image or the server type changed, or the stack has no record of the node it runs; a change of configuration alone is applied in place\): meetings in progress end/);
    expect(replaced!.text).toContain('The public address stays.');
    expect(replaced!.text).toContain('the service secrets it made at its first boot) is gone');
    expect(replaced!.text).not.toContain('no channel');
  });

  it('on a single server, says it carries the whole deployment; a user-data change shown as an update is a replacement all the same', () => {
    const [impact] = impactOf([update(O.signaling, { userData: 'update' })], { domain: 'meet.example.eu', topology: 'single', cloud: 'openstack' });
    expect(impact).toMatchObject({ kind: 'signaling-replaced', severity: 'interrupts' });
    expect(impact!.text).toMatch(/^The server \(it runs the whole deployment, videobridge included\) is replaced \(new user data: /);
  });

  it('bridges found by their label are replaced, new ones first on Hetzner, with a shutdown (the drain) before deletion; the provider does not wait for meetings', () => {
    const impacts = impactOf([...replace(H.bridge0, { userData: 'update-replace' }), ...replace(H.bridge1, { userData: 'update-replace' })], hetznerScalable);
    expect(kinds(impacts)).toEqual(['bridges-replaced']);
    expect(impacts[0]).toMatchObject({ severity: 'notice', resources: ['pool-0', 'pool-1'] });
    expect(impacts[0]!.text).toMatch(/^2 bridge servers are replaced \(their configuration changed: on Hetzner Cloud a bridge's configuration travels in its user data and bridges take no commands, so a new configuration means new bridges\)\. The new bridges are created first/);
    expect(impacts[0]!.text).toContain('shut down before it is deleted, which starts the same graceful drain as on AWS');
    expect(impacts[0]!.text).toContain('Hetzner Cloud deletes it once it has powered off, or after about 30 seconds either way, without waiting for its meetings to end');
  });

  it('on OpenStack an old bridge goes before its replacement (it takes over the port and address)', () => {
    const impacts = impactOf(replace(O.bridge, { userData: 'update-replace' }, { deleteBeforeReplace: true }), { domain: 'meet.example.eu', topology: 'scalable', cloud: 'openstack' });
    expect(kinds(impacts)).toEqual(['bridges-replaced']);
    expect(impacts[0]!.text).toContain('Each old bridge goes before its replacement is created (the replacement takes over its port and address), so until the new bridges have booted there are fewer of them.');
    expect(impacts[0]!.text).not.toContain('created first');
  });

  it("a configuration-only change keeps the signaling node: applied in place through the channel after the update, with the manifest's reloads; the bridges' new configuration replaces them", () => {
    const signalingChange = configurationFrom(hetznerSpec({ lobby: true }), hetznerSpec({ lobby: false }));
    expect(signalingChange.map((i) => i.role)).toEqual(['signaling']);
    // A new bridge configuration as deploy words it for AWS, where bridges apply it in place too.
    const bridgeChange = configurationImpacts([{ role: 'bridge', from: 'a1b2c3d4e5f6', to: 'f6e5d4c3b2a1', files: ['etc/jitsi/videobridge/jvb.conf'], components: ['jvb'], steps: [{ kind: 'unit', unit: 'jitsi-videobridge2.service', action: 'restart' }] }], { topology: 'scalable' });
    const configuration = [...signalingChange, ...bridgeChange];
    // The program kept the signaling node's user data, so in the preview only the bridges change.
    const impacts = impactOf([...replace(H.bridge0, { userData: 'update-replace' }), ...replace(H.bridge1, { userData: 'update-replace' })], hetznerScalable, configuration);
    expect(kinds(impacts)).toEqual(['bridges-replaced', 'configuration-applied']);
    const inPlace = impacts.find((i) => i.kind === 'configuration-applied');
    expect(inPlace!.role).toBe('signaling');
    expect(inPlace!.text).toMatch(/^Configuration applied in place on the signaling host \(revision [0-9a-f]{12} → [0-9a-f]{12}, \d+ files?\); Prosody reloads/);
    expect(inPlace!.text).toContain('No host is replaced.');
    expect(inPlace!.text).toContain("On Hetzner Cloud deploy sends it to the running node through the stack's channel once the update is done.");
    // Nothing else changes: the words are the in-place apply alone.
    const alone = impactOf([], hetznerScalable, configuration.filter((i) => i.role === 'signaling'));
    expect(kinds(alone)).toEqual(['configuration-applied']);
  });

  it('no in-place apply when the signaling node is replaced anyway: the new node boots with the new configuration', () => {
    const configuration = configurationFrom(hetznerSpec({ lobby: true }), hetznerSpec({ lobby: false, jitsiVersion: '10314' }));
    const impacts = impactOf(replace(H.signaling, { userData: 'update-replace' }), hetznerScalable, configuration);
    expect(kinds(impacts)).toEqual(['signaling-replaced']);
  });

  it('OpenStack bridges by their metadata; a new flavor resizes the signaling server, which ends meetings', () => {
    const impacts = impactOf([update(O.signaling, { flavorName: 'update' }), remove(O.bridge)], { domain: 'meet.example.eu', topology: 'scalable', cloud: 'openstack' });
    expect(impacts.map((i) => [i.kind, i.severity])).toEqual([
      ['signaling-restarted', 'interrupts'],
      ['bridges-removed', 'notice'],
    ]);
  });

  it('removed bridges are drained first, within the wait deploy will give them; replaced ones still get only the drain at shutdown', () => {
    const ctx = { domain: 'meet.example.eu', topology: 'scalable' as const, cloud: 'hetzner' as const };
    const removed = impactOf([remove(H.bridge1)], ctx);
    expect(kinds(removed)).toEqual(['bridges-removed']);
    expect(removed[0]!.text).toContain('Before the update deploy asks it, through the signaling node, to take no new meetings, and waits up to 1h (--drain-wait)');
    expect(removed[0]!.text).not.toContain('without waiting for its meetings to end');
    const shorter = impactOf([remove(H.bridge1)], { ...ctx, drainWaitMs: 20 * 60_000 });
    expect(shorter[0]!.text).toContain('waits up to 20m (--drain-wait)');
    const none = impactOf([remove(H.bridge1)], { ...ctx, drainWaitMs: 0 });
    expect(none[0]!.text).toContain('removed without a drain first');
    expect(none[0]!.text).toContain('after about 30 seconds either way, without waiting for its meetings to end');
    const both = impactOf([remove(H.bridge1), ...replace(H.bridge0, { userData: 'update-replace' })], ctx);
    expect(kinds(both)).toEqual(['bridges-replaced', 'bridges-removed']);
    expect(both.map((i) => i.resources)).toEqual([['pool-0'], ['pool-1']]);
    expect(both[0]!.text).toContain('without waiting for its meetings to end');
    const withNode = impactOf([remove(H.bridge1), ...replace(H.signaling, { image: 'update-replace' })], ctx);
    expect(withNode.find((i) => i.kind === 'bridges-removed')!.text).toBe('1 bridge server is removed with no drain first: the meetings on it end with the signaling node this update replaces.');
  });

  it('a new address, a rebuilt network, firewall rules and labels: each in words', () => {
    const impacts = impactOf(
      [...replace(H.primaryIp, { type: 'update-replace' }), ...replace(H.network, { ipRange: 'update-replace' }), update(H.firewall, { 'rules[0]': 'add' }), update(H.signaling, { 'labels.jitsi-eu/expires-at': 'update' })],
      hetznerScalable,
    );
    expect(impacts.map((i) => [i.kind, i.severity])).toEqual([
      ['address-changes', 'interrupts'],
      ['network-rebuilt', 'interrupts'],
      ['signaling-updated', 'none'],
      ['firewall-changes', 'none'],
    ]);
    const addressChange = meetingImpact(summarisePreview(existingRun([...replace(H.signaling, { image: 'update-replace' }), ...replace(H.primaryIp, { type: 'update-replace' })])), hetznerScalable);
    expect(addressChange[0]!.text).toContain('(image forces it)');
    expect(addressChange[0]!.text).not.toContain('The public address stays');
  });

  it('leaves AWS words for AWS stacks: the same change without a cloud is not described as a server replacement', () => {
    expect(kinds(impactOf(replace(H.signaling, { userData: 'update-replace' }), { domain: 'meet.example.eu', topology: 'scalable' }))).toEqual(['other-changes']);
  });
});

describe('deploy of a Hetzner Cloud or OpenStack stack', () => {
  const removers: (() => void)[] = [];
  beforeAll(() => {
    removers.push(writeCloudStack('hetzner', 'c11-deploy-hetzner'), writeCloudStack('openstack', 'c11-deploy-openstack', { 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': { min: 2, max: 2, instanceType: 'c3-16' } }));
  });
  afterAll(() => removers.forEach((remove) => remove()));

  const outputs = (cloud: string, extra: StackOutputs = {}): StackOutputs => ({
    cloud: { value: cloud, secret: false },
    url: { value: 'https://c11.jitsi-eu-selftest.eu', secret: false },
    publicIp: { value: '192.0.2.10', secret: false },
    region: { value: cloud === 'hetzner' ? 'fsn1' : 'GRA11', secret: false },
    signalingInstanceId: { value: cloud === 'hetzner' ? '4711' : '9f0c1d2e-aaaa-bbbb-cccc-0123456789ab', secret: false },
    ...extra,
  });

  function deps(ws: MemoryWorkspace, overrides: Partial<DeployDeps> = {}) {
    const seen = { stdout: [] as string[], messages: [] as string[], awsChecks: [] as string[], cloudChecks: [] as string[], imageSources: 0, applied: 0 };
    const d: DeployDeps = {
      openWorkspace: async () => ws,
      requireCredentials: async (region) => void seen.awsChecks.push(region),
      requireCloudCredentials: (target) => void seen.cloudChecks.push(`${target.cloud}:${target.region}:${target.openstackCloud ?? ''}`),
      loadVerify: async () => ({ run: async (request) => ({ url: request.url, verdict: 'pass', checks: [], durationMs: 1 }) }),
      probes: PASSING_PROBES,
      intervalMs: 1,
      out: (t) => void seen.stdout.push(t),
      progress: (m) => void seen.messages.push(m),
      onOutput: () => {},
      interactive: () => false,
      ask: async () => 'n',
      imageSource: async () => {
        seen.imageSources += 1;
        throw new Error('no image lookup on this cloud');
      },
      applyOnStack: async () => {
        seen.applied += 1;
        return [];
      },
      ...overrides,
    };
    return { d, seen };
  }

  it('stops before any preview when HCLOUD_TOKEN is missing, naming it and how to get one (exit 2)', async () => {
    vi.stubEnv('HCLOUD_TOKEN', '');
    try {
      const ws = new MemoryWorkspace();
      const { d } = deps(ws);
      delete d.requireCloudCredentials;
      const refused = deployMain(['--stack', 'c11-deploy-hetzner', '--yes'], d);
      await expect(refused).rejects.toThrow(UsageError);
      await expect(deployMain(['--stack', 'c11-deploy-hetzner', '--yes'], d)).rejects.toThrow(/HCLOUD_TOKEN is not set[\s\S]*API tokens/);
      expect(ws.calls.filter((c) => c.op === 'preview' || c.op === 'up')).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('stops before any preview when the clouds.yaml entry named by openstack:cloud is missing', async () => {
    const ws = new MemoryWorkspace();
    const { d } = deps(ws);
    delete d.requireCloudCredentials;
    vi.stubEnv('OS_CLIENT_CONFIG_FILE', '/nonexistent/clouds.yaml');
    vi.stubEnv('HOME', '/nonexistent-home');
    try {
      await expect(deployMain(['--stack', 'c11-deploy-openstack', '--yes'], d)).rejects.toThrow(/openstack:cloud names "ovh-test", but no clouds.yaml has an entry of that name/);
      expect(ws.calls.filter((c) => c.op === 'preview')).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('previews in words, asks, deploys without the SSM step or an image pin, and prints the outputs of the cloud', async () => {
    const ws = new MemoryWorkspace();
    ws.previewFor = () => existingRun(replace({ ...H.signaling }, { userData: 'update-replace' }));
    ws.outputsFor = () => outputs('hetzner');
    const before = readFileSync(stackFileFor('c11-deploy-hetzner'), 'utf8');
    const { d, seen } = deps(ws, { interactive: () => true, ask: async (question) => (seen.messages.push(`asked: ${question}`), 'yes') });
    expect(await deployMain(['--stack', 'c11-deploy-hetzner'], d)).toBe(0);
    expect(seen.cloudChecks).toEqual(['hetzner:fsn1:']);
    expect(seen.awsChecks).toEqual([]);
    const text = seen.stdout.join('');
    expect(text).toContain('[ends meetings] The server (it runs the whole deployment, videobridge included) is replaced (new user data: the Jitsi release, the image or the server type changed');
    expect(seen.messages).toContain('asked: Deploy these changes to c11-deploy-hetzner? [y/N] ');
    expect(seen.imageSources).toBe(0);
    expect(seen.applied).toBe(0);
    expect(readFileSync(stackFileFor('c11-deploy-hetzner'), 'utf8')).toBe(before);
    expect(text).toMatch(/✓ c11-deploy-hetzner deployed and verified/);
    expect(text).toMatch(/ {2}cloud +Hetzner Cloud\n/);
    expect(text).toMatch(/ {2}signaling server +4711\n/);
    expect(text).not.toMatch(/ssm|aws /i);
  });

  it('a configuration-only change changes no resource, and still is previewed in words, asked about and sent through the channel', async () => {
    const spec = loadSpecOrThrow(stackFileFor('c11-deploy-hetzner'), 'c11-deploy-hetzner').spec;
    const recorded = (deployed: DeploymentSpec): StackOutputs => {
      const bundle = renderBundle(deployed);
      const configuration = Object.fromEntries(hostRoles(deployed).map((role) => [role, configurationRecord(roleArchive(deployed, bundle, role, { signalingPrivateIp: SIGNALING_PRIVATE_IP }))]));
      return outputs('hetzner', { configuration: { value: configuration, secret: false }, signalingHost: { value: 'host-1', secret: false } });
    };
    const run = async (deployed: DeploymentSpec) => {
      const ws = new MemoryWorkspace();
      ws.seed('c11-deploy-hetzner', undefined, { resources: 12, outputs: recorded(deployed) });
      ws.previewFor = () => existingRun([]);
      ws.outputsFor = () => recorded(spec);
      const sent: (string | undefined)[] = [];
      const { d, seen } = deps(ws, {
        interactive: () => true,
        ask: async (question) => (seen.messages.push(`asked: ${question}`), 'yes'),
        applyThroughChannel: async (_spec, _outputs, previous) => (sent.push(previous), []),
      });
      expect(await deployMain(['--stack', 'c11-deploy-hetzner'], d)).toBe(0);
      return { text: seen.stdout.join(''), asked: seen.messages.filter((m) => m.startsWith('asked:')), sent };
    };

    const changed = await run({ ...spec, lobby: !spec.lobby });
    expect(changed.text).toMatch(/Configuration applied in place on the host \(revision [0-9a-f]{12} → [0-9a-f]{12}.* through the stack's channel once the update is done/);
    expect(changed.text).not.toContain('Nothing changes');
    expect(changed.asked).toEqual(['asked: Deploy these changes to c11-deploy-hetzner? [y/N] ']);
    expect(changed.sent).toEqual(['host-1']);

    const same = await run(spec);
    expect(same.text).toContain('Nothing changes: meetings are not affected.');
    expect(same.asked).toEqual([]);
  });

  it('names the OpenStack clouds.yaml entry in the credentials check, and lists the bridge servers', async () => {
    const ws = new MemoryWorkspace();
    ws.outputsFor = () => outputs('openstack', { bridgeServerIds: { value: ['b-1', 'b-2'], secret: false } });
    const { d, seen } = deps(ws);
    expect(await deployMain(['--stack', 'c11-deploy-openstack', '--yes'], d)).toBe(0);
    expect(seen.cloudChecks).toEqual(['openstack:GRA11:ovh-test']);
    expect(seen.stdout.join('')).toMatch(/ {2}bridge servers +b-1, b-2\n/);
  });

  it('when the host does not come up, says where each cloud shows its console (no AWS commands)', async () => {
    const ws = new MemoryWorkspace();
    ws.outputsFor = () => outputs('openstack');
    const { d, seen } = deps(ws, { probes: { ...PASSING_PROBES, ready: async () => ({ ok: false, final: true, detail: "the host's boot failed at step packages" }) } });
    expect(await deployMain(['--stack', 'c11-deploy-openstack', '--yes'], d)).toBe(1);
    const text = seen.stdout.join('');
    expect(text).toContain('openstack console log show 9f0c1d2e-aaaa-bbbb-cccc-0123456789ab');
    expect(text).not.toContain('aws ec2');
  });
});

describe('bootTroubleHints per cloud', () => {
  it('Hetzner: the console, and how to find the server by its label when the id is not known', () => {
    const hints = bootTroubleHints({}, { stack: 'prod', region: 'nbg1', cloud: 'hetzner' });
    expect(hints[0]).toContain('hcloud server request-console <server-id>');
    expect(hints[1]).toContain('jitsi-eu opens no SSH');
    expect(hints[2]).toContain('hcloud server list -l jitsi-eu/stack=prod');
  });
  it('AWS stays as it was', () => {
    expect(bootTroubleHints({ instanceId: 'i-0abc' }, { stack: 'prod', region: 'eu-west-3' })[0]).toBe('the boot output so far: aws ec2 get-console-output --instance-id i-0abc --latest --region eu-west-3 --output text');
  });
});

// The operator channel's key and the in-place configuration of the signaling node, on Hetzner Cloud
// and OpenStack, under the mocks (which make a real Ed25519 key pair): one key per stack; its public
// half in the signaling node's user data only, its private half nowhere but in a secret output;
// the `signalingHost` digest moves with what defines the node (release, image, server type) and
// not with its configuration; and the node keeps its user data only when deploy says the stack
// runs a node of that same digest.
import { createPublicKey } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNEL_PATH } from '../../infra/channel.ts';
import { DEPLOY_VALUES } from '../../infra/placeholders.ts';
import { cloudInitPath } from '../../infra/render/cloud-init.ts';
import type { Bundle } from '../../infra/render/types.ts';
import { SECRET_SIG, SECRET_SIG_KEY, type Recording } from '../../scripts/plan/record.ts';
import { TLS_PRIVATE_KEY_TYPE } from '../../scripts/plan/mocks-tls.ts';
import { policyInputs } from '../../scripts/plan/run.ts';
import { runPolicies } from '../../infra/policy/offline.ts';
import { runHetznerProgram } from '../helpers/hetzner-mocks.ts';
import { OPENSTACK_CONFIG, OPENSTACK_SCALABLE, runOpenstackProgram } from '../helpers/openstack-mocks.ts';
import { channelKeyLineOf, channelPrivateKeyOf } from '../helpers/channel-key.ts';

// The signaling node's cloud-init document names the key's place; a bundle rendered without it
// (templates older than the channel) gets it here, so the program's filling-in is what is tested.
vi.mock('../../infra/render/bundle.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../infra/render/bundle.ts')>();
  const place = (bundle: Bundle): Bundle => ({
    ...bundle,
    files: bundle.files.map((f) =>
      f.component === 'cloud-init' && f.path === cloudInitPath('signaling') && !f.content.includes(DEPLOY_VALUES.channelKey)
        ? { ...f, content: `${f.content}# channel key: ${DEPLOY_VALUES.channelKey}\n` }
        : f,
    ),
  });
  return { ...real, renderBundle: (...args: Parameters<typeof real.renderBundle>) => place(real.renderBundle(...args)) };
});

type Cloud = 'hetzner' | 'openstack';
type Topology = 'single' | 'scalable';

const SERVER: Record<Cloud, string> = { hetzner: 'hcloud:index/server:Server', openstack: 'openstack:compute/instance:Instance' };
const SIGNALING: Record<Cloud, string> = { hetzner: 'signaling-server', openstack: 'signaling-server' };

const COMMON = {
  'jitsi-eu:domain': 'meet.example.org',
  'jitsi-eu:acmeEmail': 'ops@example.org',
  'jitsi-eu:organization': 'Example University',
  'jitsi-eu:privacyContact': 'dpo@example.org',
};
const BASE: Record<Cloud, Record<string, string>> = {
  hetzner: { ...COMMON, 'jitsi-eu:cloud': 'hetzner', 'jitsi-eu:location': 'fsn1' },
  openstack: OPENSTACK_CONFIG,
};
const SCALABLE: Record<Cloud, Record<string, string>> = {
  hetzner: { 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': '{"min":2,"max":2}' },
  openstack: OPENSTACK_SCALABLE,
};

interface Run {
  recording: Recording;
  options: Map<string, pulumi.CustomResourceOptions>;
  /** The stack's outputs as Pulumi registered them (secret values carry Pulumi's secret marker). */
  registeredOutputs: Record<string, unknown>;
}

function stackOutputsAsRegistered(): Record<string, unknown> {
  const monitor = pulumi.runtime.getMonitor() as unknown as { getRegisteredResources(): Map<string, { state: { toJavaScript?: () => unknown } }> };
  const stack = [...monitor.getRegisteredResources()].find(([urn]) => urn.endsWith('pulumi:pulumi:Stack::' + urn.split('::').pop()));
  const state = stack?.[1].state;
  return (state && typeof state.toJavaScript === 'function' ? state.toJavaScript() : state) as Record<string, unknown>;
}

/** One stack name throughout: the name is part of what defines a host. */
async function run(cloud: Cloud, config: Record<string, string>, deployedSignalingHost?: string): Promise<Run> {
  const stack = `channel-${cloud}`;
  const deployed = deployedSignalingHost ? { deployedSignalingHost } : {};
  if (cloud === 'hetzner') {
    const r = await runHetznerProgram({ stack, config, ...deployed });
    if (r.error) throw r.error;
    return { recording: r.recording, options: r.options, registeredOutputs: stackOutputsAsRegistered() };
  }
  const options = new Map<string, pulumi.CustomResourceOptions>();
  const r = await runOpenstackProgram(stack, config, options, deployed);
  if (r.error) throw r.error;
  return { recording: r.recording, options, registeredOutputs: stackOutputsAsRegistered() };
}

const servers = (r: Run, cloud: Cloud) => r.recording.resources.filter((x) => x.type === SERVER[cloud]);
const signaling = (r: Run, cloud: Cloud) => servers(r, cloud).find((x) => x.name === SIGNALING[cloud])!;
const optionsOf = (r: Run, cloud: Cloud, name: string) => r.options.get(`${SERVER[cloud]}::${name}`);

describe.each(['hetzner', 'openstack'] as const)('the channel key on %s', (cloud) => {
  describe.each(['single', 'scalable'] as const)('%s topology', (topology: Topology) => {
    let r: Run;
    beforeAll(async () => {
      r = await run(cloud, { ...BASE[cloud], ...(topology === 'scalable' ? SCALABLE[cloud] : {}) });
    }, 60_000);

    it('is one Ed25519 key for the stack, whose public half the signaling node gets in its user data', () => {
      const keys = r.recording.resources.filter((x) => x.type === TLS_PRIVATE_KEY_TYPE);
      expect(keys).toHaveLength(1);
      expect(keys[0]!.inputs).toEqual({ algorithm: 'ED25519' });
      // The mocks' private key, and the public half derived from it.
      expect(r.recording.generatedSecrets).toHaveLength(1);
      const privatePem = channelPrivateKeyOf(r.recording);
      const line = channelKeyLineOf(r.recording);
      const userData = String(signaling(r, cloud).inputs.userData);
      expect(userData.split(line)).toHaveLength(2);
      expect(userData).not.toContain(DEPLOY_VALUES.channelKey);
      // The line is a public key, the very one the mocks made.
      const parsed = createPublicKey({ key: Buffer.from(line, 'base64'), format: 'der', type: 'spki' });
      expect(parsed.asymmetricKeyType).toBe('ed25519');
      expect(parsed.export({ type: 'spki', format: 'pem' })).toBe(createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }));
    });

    it('puts no private key into any user data, and no key at all into a bridge', () => {
      const body = channelPrivateKeyOf(r.recording).split('\n').filter((l) => l && !l.startsWith('-----')).join('');
      const line = channelKeyLineOf(r.recording);
      const all = servers(r, cloud);
      expect(all).toHaveLength(topology === 'scalable' ? 3 : 1);
      for (const server of all) {
        const userData = String(server.inputs.userData);
        expect(userData, server.name).not.toMatch(/PRIVATE KEY/);
        expect(userData, server.name).not.toContain(body);
        if (server !== signaling(r, cloud)) expect(userData, server.name).not.toContain(line);
      }
      // Nothing the program registers carries the private key, in any form.
      expect(JSON.stringify(r.recording.resources)).not.toContain(body);
    });

    it('passes every policy with the public key in the user data (a public key is no secret)', () => {
      const failing = runPolicies(policyInputs(r.recording.resources), { allowNonEuRegion: false }).filter((p) => p.status === 'fail');
      expect(failing.map((p) => `${p.policy}: ${p.violations.map((v) => v.message).join('; ')}`)).toEqual([]);
    });

    it('outputs the channel address, the private key as a secret, and the digest of the signaling node', () => {
      const outputs = r.recording.outputs;
      expect(outputs.channelUrl).toBe(`https://meet.example.org${CHANNEL_PATH}`);
      expect(outputs.signalingHost).toMatch(/^[0-9a-f]{64}$/);
      expect(outputs.channelPrivateKey).toBe(channelPrivateKeyOf(r.recording));
      const registered = r.registeredOutputs.channelPrivateKey as Record<string, unknown>;
      expect(registered[SECRET_SIG_KEY]).toBe(SECRET_SIG);
      expect(r.registeredOutputs.signalingHost).toBe(outputs.signalingHost);
    });

    it('without a deployed signaling node named, lets new user data replace the node as before', () => {
      expect(optionsOf(r, cloud, SIGNALING[cloud])?.ignoreChanges).toBeUndefined();
    });
  });

  describe('signalingHost and in-place configuration', () => {
    const config = { ...BASE[cloud], ...SCALABLE[cloud] };
    let base: Run;
    beforeAll(async () => {
      base = await run(cloud, config);
    }, 60_000);

    it('stays the same when only the configuration changes, though the user data does change', async () => {
      const changes: Record<string, string>[] = [{ 'jitsi-eu:lobby': 'false' }, { 'jitsi-eu:organization': 'Another University' }];
      for (const change of changes) {
        const changed = await run(cloud, { ...config, ...change });
        expect(String(signaling(changed, cloud).inputs.userData)).not.toBe(String(signaling(base, cloud).inputs.userData));
        expect(changed.recording.outputs.signalingHost, JSON.stringify(change)).toBe(base.recording.outputs.signalingHost);
      }
    }, 60_000);

    it('changes with the Jitsi release, the image and the server type', async () => {
      const changes: Record<string, string>[] = [
        { 'jitsi-eu:jitsiVersion': '10314' },
        { 'jitsi-eu:image': cloud === 'hetzner' ? 'debian-13' : 'Debian 13' },
        { 'jitsi-eu:instanceType': cloud === 'hetzner' ? 'ccx33' : 'b3-32' },
      ];
      for (const change of changes) {
        const changed = await run(cloud, { ...config, ...change });
        expect(changed.recording.outputs.signalingHost, JSON.stringify(change)).not.toBe(base.recording.outputs.signalingHost);
      }
    }, 60_000);

    it('keeps the running node\'s user data when deploy names a node of the same digest, and only then', async () => {
      const same = await run(cloud, { ...config, 'jitsi-eu:lobby': 'false' }, base.recording.outputs.signalingHost);
      expect(optionsOf(same, cloud, SIGNALING[cloud])?.ignoreChanges).toEqual(['userData']);
      const other = await run(cloud, { ...config, 'jitsi-eu:jitsiVersion': '10314' }, base.recording.outputs.signalingHost);
      expect(optionsOf(other, cloud, SIGNALING[cloud])?.ignoreChanges).toBeUndefined();
      // Bridges carry their configuration in their user data, always: a new one replaces them.
      for (const r of [same, other]) {
        for (const bridge of servers(r, cloud).filter((s) => s.name !== SIGNALING[cloud])) {
          expect(optionsOf(r, cloud, bridge.name)?.ignoreChanges, bridge.name).toBeUndefined();
        }
      }
    }, 60_000);
  });
});

// Hetzner accepts at most 32 KiB of user data per server. A stack whose user data would not fit
// stops before anything is created, naming the role and the sizes, instead of failing halfway
// through a deploy. The host's user data is stood in here by text of chosen sizes.
import * as pulumi from '@pulumi/pulumi';
import { describe, expect, it, vi } from 'vitest';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { USER_DATA_LIMIT_BYTES } from '../../infra/hetzner/layout.ts';
import { runHetznerProgram } from '../helpers/hetzner-mocks.ts';

const sizes = vi.hoisted(() => ({ signaling: 1000, bridge: 1000 }));

vi.mock('../../infra/hetzner/user-data.ts', () => ({
  hetznerUserData: (_spec: unknown, _bundle: unknown, role: 'signaling' | 'bridge') => `#cloud-config\n#${'x'.repeat(sizes[role] - 16)}\n`,
}));

const CONFIG = {
  'jitsi-eu:cloud': 'hetzner',
  'jitsi-eu:location': 'fsn1',
  'jitsi-eu:domain': 'meet.example.org',
  'jitsi-eu:acmeEmail': 'ops@example.org',
  'jitsi-eu:organization': 'Example University',
  'jitsi-eu:privacyContact': 'dpo@example.org',
  'jitsi-eu:topology': 'scalable',
  'jitsi-eu:bridges': '{"min":1,"max":1}',
};

describe('user data size on Hetzner', () => {
  it('deploys user data of exactly the limit', async () => {
    sizes.signaling = USER_DATA_LIMIT_BYTES;
    sizes.bridge = USER_DATA_LIMIT_BYTES;
    const run = await runHetznerProgram({ stack: 'fits', config: CONFIG });
    expect(run.error).toBeUndefined();
    const servers = run.recording.resources.filter((r) => r.type === 'hcloud:index/server:Server');
    expect(servers.map((s) => Buffer.byteLength(String(s.inputs.userData)))).toEqual([USER_DATA_LIMIT_BYTES, USER_DATA_LIMIT_BYTES]);
  });

  it('refuses a role whose user data is one byte over, before creating anything', async () => {
    sizes.signaling = 1000;
    sizes.bridge = USER_DATA_LIMIT_BYTES + 1;
    const run = await runHetznerProgram({ stack: 'too-big', config: CONFIG });
    expect(pulumi.RunError.isInstance(run.error)).toBe(true);
    expect((run.error as Error).message).toBe(
      `Pulumi.too-big.yaml: the bridge user data is ${USER_DATA_LIMIT_BYTES + 1} bytes and Hetzner accepts at most ${USER_DATA_LIMIT_BYTES}: ` +
        "the configuration travels in it on Hetzner, so this stack's configuration is too large to deploy there",
    );
    expect(run.recording.resources.filter((r) => r.custom)).toEqual([]);
  });
});

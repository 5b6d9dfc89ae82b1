// Nova accepts at most 64 KiB of user data (counted base64-encoded). A stack whose user data would
// not fit stops before anything is created, the provider and the network included, instead of
// failing halfway through a deploy. The real size check is stood in by one that refuses a role.
import { describe, expect, it, vi } from 'vitest';
import { runOpenstackProgram } from '../helpers/openstack-mocks.ts';

const refused = vi.hoisted(() => ({ role: 'bridge' as 'signaling' | 'bridge' }));

vi.mock('../../infra/openstack/user-data.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../infra/openstack/user-data.ts')>();
  return {
    ...real,
    openstackUserData: (...args: Parameters<typeof real.openstackUserData>) => {
      if (args[2] === refused.role) throw new Error(`the ${args[2]} user data is 70000 bytes; OpenStack (Nova) accepts at most 65535`);
      return real.openstackUserData(...args);
    },
  };
});

const CONFIG: Record<string, string> = {
  'jitsi-eu:cloud': 'openstack',
  'openstack:region': 'GRA11',
  'jitsi-eu:country': 'FR',
  'jitsi-eu:externalNetwork': 'Ext-Net',
  'jitsi-eu:provider': 'OVH SAS, Roubaix, France',
  'jitsi-eu:image': 'Debian 12',
  'jitsi-eu:instanceType': 'b3-16',
  'jitsi-eu:domain': 'meet.example.org',
  'jitsi-eu:acmeEmail': 'ops@example.org',
  'jitsi-eu:organization': 'Example University',
  'jitsi-eu:privacyContact': 'dpo@example.org',
  'jitsi-eu:topology': 'scalable',
  'jitsi-eu:bridges': '{"min":2,"max":2,"instanceType":"b3-32"}',
};

describe('user data size on OpenStack', () => {
  it.each(['signaling', 'bridge'] as const)('a %s user data too large stops the run before any resource exists', async (role) => {
    refused.role = role;
    const run = await runOpenstackProgram(`too-big-${role}`, CONFIG);
    expect((run.error as Error).message).toBe(`the ${role} user data is 70000 bytes; OpenStack (Nova) accepts at most 65535`);
    expect(run.recording.resources.filter((r) => r.custom)).toEqual([]);
    expect(run.recording.invokes).toEqual([]);
  });
});
